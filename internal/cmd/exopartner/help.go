package main

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	flag "github.com/spf13/pflag"

	"github.com/exopartner/exopartner/wrapper"
)

// usageWidth is the width the usage's synopses are wrapped to.
const usageWidth = 100

// usageNotes end the usage: what the flags and the command table do not
// say.
var usageNotes = "--client-id X, in place of an organization ID, finds the one organization whose client-id\n" +
	"(your own reference) is X.\n" +
	"Credentials: $" + wrapper.EnvAPIKey + " and $" + wrapper.EnvAPISecret + ", else the exo CLI configuration;\n" +
	"-A or -C read the exo CLI configuration even when those are set.\n" +
	"Exit status: 0 success; 1 API or network failure, a --client-id that matches no\n" +
	"organization or several, or a metering transaction to reconcile; 2 bad usage,\n" +
	"invalid input, an unusable journal or missing credentials (nothing sent).\n"

// usage is the overall help, made from the command tree: each section's
// commands with their synopses (from the command table) and summaries, the
// global flags as each command's help lists them, then usageNotes.
func usage(root *cobra.Command) string {
	var b strings.Builder
	b.WriteString("usage: exopartner COMMAND [ARGS] [FLAGS]\n")
	for _, g := range groups {
		fmt.Fprintf(&b, "\n%s\n", g.Title)
		for _, cmd := range listed(root) {
			if cmd.GroupID != g.ID {
				continue
			}
			for _, form := range synopses(cmd) {
				for _, line := range wrapSynopsis("  ", form, "        ") {
					b.WriteString(line + "\n")
				}
			}
			b.WriteString("      " + cmd.Short + "\n")
		}
	}
	printFlags(&b, "Global flags (anywhere on the line, before or after the command)", root.PersistentFlags())
	b.WriteString("\n" + usageNotes)
	return b.String()
}

// listed returns root's commands as the usage lists them: the command
// table's in its order, then cobra's own (completion, help).
func listed(root *cobra.Command) []*cobra.Command {
	cmds := slices.DeleteFunc(slices.Clone(root.Commands()), func(c *cobra.Command) bool {
		return !c.IsAvailableCommand() && c.Name() != "help"
	})
	rank := func(c *cobra.Command) int {
		if i := slices.IndexFunc(commands, func(t command) bool { return t.name == c.Name() }); i >= 0 {
			return i
		}
		return len(commands)
	}
	slices.SortStableFunc(cmds, func(a, b *cobra.Command) int { return cmp.Compare(rank(a), rank(b)) })
	return cmds
}

// synopses returns cmd's forms, each its name and arguments: the command
// table's synopses, else cobra's use line.
func synopses(cmd *cobra.Command) []string {
	c, ok := lookup(cmd.Name())
	if !ok || cmd.Parent() != cmd.Root() {
		return []string{cmd.Use}
	}
	if len(c.synopsis) == 0 {
		return []string{c.name}
	}
	forms := make([]string, len(c.synopsis))
	for i, s := range c.synopsis {
		forms[i] = c.name + " " + s
	}
	return forms
}

// wrapSynopsis breaks lead+synopsis into lines of at most usageWidth
// runes, the lines after the first starting with indent, between the
// synopsis's parts: never inside brackets, nor between a flag and its
// argument.
func wrapSynopsis(lead, synopsis, indent string) []string {
	parts := synopsisParts(synopsis)
	parts[0] = lead + parts[0]
	return fill(parts, " ", usageWidth, indent)
}

// synopsisParts splits a synopsis at its spaces outside brackets, a flag
// and its argument (--period YYYY-MM, ID|--client-id X) kept together.
func synopsisParts(s string) []string {
	var parts []string
	depth, start := 0, 0
	for i, r := range s {
		switch {
		case r == '[':
			depth++
		case r == ']':
			depth--
		case r == ' ' && depth == 0:
			parts = append(parts, s[start:i])
			start = i + 1
		}
	}
	parts = append(parts, s[start:])
	for i := 1; i < len(parts); i++ {
		words := strings.Fields(parts[i-1])
		last := words[len(words)-1]
		flag := last[strings.LastIndexByte(last, '|')+1:]
		if strings.HasPrefix(flag, "--") && !strings.ContainsAny(parts[i][:1], "-[") {
			parts[i-1] += " " + parts[i]
			parts = slices.Delete(parts, i, i+1)
			i--
		}
	}
	return parts
}

// help prints the usage, or one command's.
func help(root *cobra.Command, args []string) error {
	switch len(args) {
	case 0:
		fmt.Fprint(root.OutOrStdout(), usage(root))
		return nil
	case 1:
		for _, c := range root.Commands() {
			if c.Name() == args[0] && c.IsAvailableCommand() {
				printHelp(c)
				return nil
			}
		}
		return unknownCommand(args[0])
	}
	return usagef("", "help: want at most one command, got %d arguments", len(args))
}

// printHelp prints cmd's help: the usage for the root; for a command its
// synopses, description, subcommands, flags and the global flags, each
// flag as it is typed (--name) with its default.
func printHelp(cmd *cobra.Command) {
	w := cmd.OutOrStdout()
	if !cmd.HasParent() {
		fmt.Fprint(w, usage(cmd))
		return
	}
	if _, ok := lookup(cmd.Name()); ok && cmd.Parent() == cmd.Root() {
		for i, form := range synopses(cmd) {
			lead := "usage: exopartner [global flags] "
			if i > 0 {
				lead = "   or: exopartner [global flags] "
			}
			for _, line := range wrapSynopsis(lead, form, "      ") {
				fmt.Fprintln(w, line)
			}
		}
	} else {
		fmt.Fprintf(w, "usage: %s\n", cmd.UseLine())
	}
	desc := cmd.Long
	if desc == "" {
		desc = cmd.Short
	}
	fmt.Fprintf(w, "\n%s\n", strings.TrimSpace(desc))
	if subs := slices.DeleteFunc(cmd.Commands(), func(c *cobra.Command) bool { return !c.IsAvailableCommand() }); len(subs) > 0 {
		fmt.Fprintln(w, "\ncommands:")
		for _, c := range subs {
			fmt.Fprintf(w, "  %-12s %s\n", c.Name(), c.Short)
		}
	}
	printFlags(w, "flags", cmd.LocalFlags())
	printFlags(w, "global flags (anywhere on the line)", cmd.InheritedFlags())
}

// printFlags lists fs's flags as they are typed, --name (then the
// shorthand), with their argument, description and default.
func printFlags(w io.Writer, title string, fs *flag.FlagSet) {
	first := true
	fs.VisitAll(func(f *flag.Flag) {
		if f.Hidden || f.Name == "help" {
			return
		}
		if first {
			fmt.Fprintf(w, "\n%s:\n", title)
			first = false
		}
		arg, usage := flag.UnquoteUsage(f)
		if arg != "" {
			arg = " " + arg
		}
		name := "--" + f.Name
		if f.Shorthand != "" {
			name += ", -" + f.Shorthand
		}
		if d := defaultText(f); d != "" {
			usage += " (default " + d + ")"
		}
		fmt.Fprintf(w, "  %s%s\n    \t%s\n", name, arg, strings.ReplaceAll(usage, "\n", "\n    \t"))
	})
}

// defaultText is f's default as help shows it, or "" for a zero default.
func defaultText(f *flag.Flag) string {
	switch f.DefValue {
	case "", "false", "0", "[]":
		return ""
	}
	if f.Value.Type() == "string" {
		return fmt.Sprintf("%q", f.DefValue)
	}
	return f.DefValue
}
