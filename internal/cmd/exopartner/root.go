package main

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	flag "github.com/spf13/pflag"

	"github.com/exopartner/exopartner/wrapper"
)

// newRoot builds the command tree of one run: the root command with the
// global flags, one cobra command per entry of commands, help, and cobra's
// completion. Every flag is bound to e, so that runs share nothing.
func newRoot(e *env) *cobra.Command {
	root := &cobra.Command{
		Use:           "exopartner",
		Short:         "A command-line client for the Exoscale Partner API",
		Args:          cobra.ArbitraryArgs,
		SilenceErrors: true, // run reports every error, with its exit code
		SilenceUsage:  true,
		// Global flags are checked before any command runs, help included.
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error { return e.checkGlobals(cmd) },
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				fmt.Fprint(e.stderr, usage(cmd))
				return &ranError{errNoCommand}
			}
			return &ranError{unknownCommand(args[0])}
		},
	}
	root.Version = currentVersion().String() // --version, as the version command prints it
	root.SetVersionTemplate("{{.Version}}\n")
	root.SetOut(e.stdout)
	root.SetErr(e.stderr)
	root.AddGroup(groups...)
	globalFlags(root.PersistentFlags(), &e.globals)
	_ = root.RegisterFlagCompletionFunc("output-format", cobra.FixedCompletions(outputFormats, cobra.ShellCompDirectiveNoFileComp))
	for _, c := range commands {
		root.AddCommand(c.cobraCommand(e))
	}
	root.SetHelpCommand(&cobra.Command{
		Use:     "help [COMMAND]",
		GroupID: groupOther,
		Short:   "Print this text, or a command's flags with their defaults (also: COMMAND --help).",
		Args:    cobra.ArbitraryArgs,
		RunE:    func(_ *cobra.Command, args []string) error { return &ranError{help(root, args)} },
		ValidArgsFunction: func(_ *cobra.Command, _ []string, prefix string) ([]cobra.Completion, cobra.ShellCompDirective) {
			var names []cobra.Completion
			for _, c := range root.Commands() {
				if c.IsAvailableCommand() && strings.HasPrefix(c.Name(), prefix) {
					names = append(names, c.Name())
				}
			}
			return names, cobra.ShellCompDirectiveNoFileComp
		},
	})
	root.InitDefaultHelpCmd() // now, not when the root runs: the usage lists it
	root.SetHelpFunc(func(cmd *cobra.Command, _ []string) { printHelp(cmd) })
	root.SetFlagErrorFunc(flagError)
	completionCommand(root, e)
	return root
}

// completionCommand adds cobra's completion command (bash, zsh, fish and
// powershell scripts), which refuses a missing or unknown shell with exit 2
// rather than printing its help.
func completionCommand(root *cobra.Command, e *env) {
	root.SetCompletionCommandGroupID(groupOther)
	root.InitDefaultCompletionCmd()
	for _, c := range root.Commands() {
		if c.Name() != "completion" {
			continue
		}
		c.Use = "completion bash|zsh|fish|powershell"
		c.Short = "Print a shell completion script, e.g. for bash: source <(exopartner completion bash)."
		c.Args = cobra.ArbitraryArgs
		c.RunE = func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return &ranError{usagef("completion", "want a shell: bash, zsh, fish or powershell")}
			}
			return &ranError{usagef("completion", "unknown shell %q: want bash, zsh, fish or powershell", args[0])}
		}
	}
}

// outputFormats are the values of --output-format.
var outputFormats = []string{"table", "json", "text"}

// globalFlags defines the flags every command takes, named as the exo CLI
// names them. --output is kept as a hidden alias of --output-format.
func globalFlags(fs *flag.FlagSet, g *globals) {
	fs.StringVar(&g.endpoint, "endpoint", "", "API endpoint, base path included (default: $"+wrapper.EnvEndpoint+", else "+wrapper.DefaultEndpoint+")")
	fs.StringVarP(&g.output, "output-format", "O", "table", "table (for people), json (the API's JSON, for scripts) or text (tab-separated rows, no header); --output is an alias")
	fs.StringVar(&g.output, "output", "table", "alias of --output-format")
	_ = fs.MarkHidden("output")
	fs.StringVarP(&g.account, "use-account", "A", "", "`NAME` of the account of the exo CLI configuration to use (default: $"+wrapper.EnvAccount+", else its defaultAccount)")
	fs.StringVarP(&g.configPath, "config", "C", "", "`PATH` of the exo CLI configuration file (default: $"+wrapper.EnvConfig+", else ~/.config/exoscale/exoscale.toml)")
	fs.BoolVarP(&g.quiet, "quiet", "Q", false, "print nothing when a change succeeds (create prints only the new ID), and no progress")
	fs.Var((*durationFlag)(&g.timeout), "timeout", "bound each API call, retries included: a duration such as 30s (default: none)")
	fs.BoolVarP(&g.verbose, "verbose", "v", false, "log every HTTP attempt to stderr (never secrets)")
}

// checkGlobals checks the global flags' values and picks the printer.
func (e *env) checkGlobals(cmd *cobra.Command) error {
	switch e.output {
	case "table":
		e.out = tablePrinter{}
	case "json":
		e.out = jsonPrinter{}
	case "text":
		e.out = textPrinter{}
	default:
		name := "--output-format"
		if cmd.Flags().Changed("output") && !cmd.Flags().Changed("output-format") {
			name = "--output"
		}
		return usagef("", "%s %q: want %s", name, e.output, strings.Join(outputFormats, ", "))
	}
	return nil
}

// durationFlag is --timeout: a Go duration such as 30s, never negative.
type durationFlag time.Duration

func (d *durationFlag) String() string {
	if *d == 0 {
		return ""
	}
	return time.Duration(*d).String()
}

func (d *durationFlag) Set(s string) error {
	v, err := time.ParseDuration(s)
	switch {
	case err != nil:
		return errors.New("want a duration such as 30s")
	case v < 0:
		return errors.New("want a positive duration such as 30s")
	}
	*d = durationFlag(v)
	return nil
}

func (d *durationFlag) Type() string { return "duration" }

// ranError is an error a command's action returned, as opposed to cobra's
// own complaints about the command line, which are usage errors.
type ranError struct{ err error }

func (e *ranError) Error() string { return e.err.Error() }
func (e *ranError) Unwrap() error { return e.err }

// flagError turns pflag's parse errors into usage errors of cmd that name
// flags as they are typed (--name), value first, as the other usage errors
// do. A flag value that is invalid input (a *wrapper.ValidationError, such
// as a bad --period) stays invalid input, relabelled with the flag's name.
func flagError(cmd *cobra.Command, err error) error {
	name := ""
	if cmd.HasParent() {
		name = cmd.Name()
	}
	var (
		invalid  *flag.InvalidValueError
		required *flag.ValueRequiredError
		unknown  *flag.NotExistError
		ve       *wrapper.ValidationError
	)
	switch {
	case errors.As(err, &invalid) && errors.As(invalid, &ve):
		f := invalid.GetFlag()
		return relabel(ve, name, func(string) string { return "--" + f.Name }, fmt.Sprintf(" (got %q)", invalid.GetValue()))
	case errors.As(err, &invalid):
		f, why := invalid.GetFlag(), errors.Unwrap(invalid)
		if want, ok := numberWants[f.Value.Type()]; ok && errors.As(why, new(*strconv.NumError)) {
			why = errors.New(want) // what to type, not strconv's words
		}
		return usagef(name, "--%s %q: %v", f.Name, invalid.GetValue(), why)
	case errors.As(err, &required):
		return usagef(name, "--%s needs a value", required.GetFlag().Name)
	case errors.As(err, &unknown):
		typed := "--" + unknown.GetSpecifiedName()
		if s := unknown.GetSpecifiedShortnames(); s != "" {
			typed = "-" + s
		}
		if s := suggestFlag(cmd, typed); s != "" {
			return usagef(name, "unknown flag %s; did you mean %s?", typed, s)
		}
		return usagef(name, "unknown flag %s", typed)
	}
	return usagef(name, "%v", err)
}

// numberWants says what pflag's number and bool flags take.
var numberWants = map[string]string{"bool": "want true or false", "int": "want a whole number"}

// suggestFlag returns the flag of cmd that typed most likely meant, as
// --name, or "": the same name with two dashes (-period for --period), or a
// name within two edits.
func suggestFlag(cmd *cobra.Command, typed string) string {
	want := strings.TrimLeft(typed, "-")
	best, dist := "", 3
	cmd.Flags().VisitAll(func(f *flag.Flag) {
		if f.Hidden {
			return
		}
		if d := editDistance(want, f.Name); d < dist {
			best, dist = "--"+f.Name, d
		}
	})
	return best
}
