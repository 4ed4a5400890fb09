package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	flag "github.com/spf13/pflag"

	"github.com/exopartner/exopartner/wrapper"
)

// command is one CLI command. setup defines the command's flags on fs (a
// pflag set: flags are typed --name, and go anywhere on the line) and
// returns the action bound to them. Adding a flag to a command is one line
// in its setup function; cobra lists it in the command's help, and its
// synopsis names it (TestSynopsisNamesEveryFlag checks both ways).
type command struct {
	name     string
	group    string   // its section of the usage: one of groups
	synopsis []string // the arguments after the name, one line per form of the command (most have one)
	summary  string   // what it does, first line first: the usage shows that line
	takesID  bool     // one organization: a positional ID, or --client-id X
	confirms bool     // its output only confirms a change: -Q prints nothing
	ended    bool     // acts on a terminated organization: --client-id looks among those only
	setup    func(fs *flag.FlagSet) action
}

// action runs a command once its arguments are parsed. id is the positional
// organization id of commands that take one, else the zero ID.
type action func(ctx context.Context, e *env, id wrapper.ID) error

// The sections of the usage, in order (cobra's help and completion go in
// the last).
const (
	groupAPI       = "api"
	groupWorkflows = "workflows"
	groupOther     = "other"
)

// groups are the usage's sections, with their titles.
var groups = []*cobra.Group{
	{ID: groupAPI, Title: "API commands (named by the API's operationIds):"},
	{ID: groupWorkflows, Title: "Workflows:"},
	{ID: groupOther, Title: "Other commands:"},
}

// idSynopsis is the synopsis of a command on one organization.
const idSynopsis = "ID|--client-id X"

// commands, in the order the usage lists them. Each command's synopsis and
// summary are written here only: the usage, each command's help and
// README's copy of the usage are made from them.
var commands = []command{
	{name: "list-distributor-organizations", group: groupAPI, summary: "List the distributor's organizations.",
		setup: listOrganizations},
	{name: "get-distributor-organization", group: groupAPI, synopsis: []string{idSynopsis}, takesID: true,
		summary: "Show one organization.", setup: getOrganization},
	{name: "create-distributor-organization", group: groupAPI,
		synopsis: []string{"--display-name N --owner-email E --billing-name N --street-name S [--building-number B] " +
			"--city C --postal-code P --country CC [--address A] [--client-id X]"},
		summary: "Create an organization; its first owner is invited by e-mail. Not idempotent.",
		setup:   createOrganization},
	{name: "activate-distributor-organization", group: groupAPI, synopsis: []string{idSynopsis}, takesID: true, confirms: true,
		summary: "Re-activate a suspended organization.", setup: activateOrganization},
	{name: "suspend-distributor-organization", group: groupAPI, synopsis: []string{idSynopsis}, takesID: true, confirms: true,
		summary: "Suspend an organization.", setup: suspendOrganization},
	{name: "terminate-distributor-organization", group: groupAPI, synopsis: []string{idSynopsis}, takesID: true, confirms: true,
		summary: "Terminate an organization; only a purge can follow.", setup: terminateOrganization},
	{name: "schedule-purge-distributor-organization", group: groupAPI, synopsis: []string{idSynopsis}, takesID: true, confirms: true, ended: true,
		summary: "Schedule the deletion of all data of a terminated organization.", setup: schedulePurge},
	{name: "list-distributor-organization-usage", group: groupAPI, synopsis: []string{idSynopsis + " [--period YYYY-MM]"}, takesID: true,
		summary: "Show an organization's usage statements for a month (default: the current one).",
		setup:   listUsage},
	{name: "metering-transaction", group: groupAPI, confirms: true, synopsis: []string{
		"--organization ID|--client-id X --usage PRODUCT:VARIABLE:QUANTITY [--usage ...]",
		"--file PATH.csv --journal PATH|postgres://… [--concurrency N] [--resend-unknown] [--mark-applied TRANSACTION ...]",
	},
		summary: "Record usage quantities against an organization. Not idempotent: a repeat is billed twice.\n" +
			"With --file, send a CSV file's transactions (columns organization,product,variable,quantity[,batch];\n" +
			"one transaction per organization, or per organization and batch) each exactly once across reruns,\n" +
			"recording each one's state in the --journal: a file, or a PostgreSQL database that runs on several\n" +
			"machines share (two runs at once never send the same transaction).",
		setup: meteringTransaction},
	{name: "usage-report", group: groupWorkflows, synopsis: []string{"--period YYYY-MM [--format csv|json|table|xlsx] [--status active,suspended] " +
		"[--concurrency N] [--output-file PATH] [--delimiter ,|;|tab] [--bom] [--wide]"},
		summary: "Report every organization's usage for a month: one row per usage line, exact totals per currency.\n" +
			"--format chooses the output; the global --output does not apply.",
		setup: usageReport},
	{name: "sync", group: groupWorkflows, synopsis: []string{"--file PATH.csv [--apply [--concurrency N]]"},
		summary: "Bring the organizations in step with a CRM file: print the plan, and with --apply carry it out.\n" +
			"With the global --output json, print the plan (and what was applied) as one JSON document.",
		setup: syncCommand},
	{name: "serve", group: groupOther, synopsis: []string{"[--addr 127.0.0.1:8080]"},
		summary: "Run the fake Partner API (base path /v1.alpha) until interrupted.",
		setup:   serveCommand},
	{name: "demo", group: groupOther, summary: "Run the whole lifecycle of two organizations against an in-process fake API.",
		setup: demoCommand},
	{name: "version", group: groupOther, summary: "Print this program's version, commit and Go version (also: --version; one JSON object with -O json).",
		setup: versionCommand},
}

func lookup(name string) (command, bool) {
	for _, c := range commands {
		if c.name == name {
			return c, true
		}
	}
	return command{}, false
}

// cobraCommand returns c as a cobra command of e's run: its flags are those
// c.setup defines, plus --client-id for a command that takes an
// organization.
func (c command) cobraCommand(e *env) *cobra.Command {
	cc := &cobra.Command{Use: c.name, GroupID: c.group, Short: firstLine(c.summary), Long: c.summary, Args: cobra.ArbitraryArgs}
	fs := cc.Flags()
	var clientID *string
	if c.takesID {
		clientID = fs.String("client-id", "", "find the organization by its client-id (your own reference, e.g. a CRM id) "+
			"instead of its ID: one listing, in which exactly one live organization (else one terminated) has it and none a look-alike")
		cc.ValidArgsFunction = cobra.NoFileCompletions
	}
	act := c.setup(fs)
	cc.RunE = func(cmd *cobra.Command, pos []string) error {
		id, err := c.organization(cmd, e, pos, clientID)
		if err == nil {
			if e.quiet && c.confirms {
				e.stdout = io.Discard
			}
			err = act(cmd.Context(), e, id)
		}
		if err != nil {
			return &ranError{err}
		}
		return nil
	}
	return cc
}

// organization returns the organization a command that takes one is given:
// its positional ID, or the one organization whose client-id is --client-id
// (one listing). A command that takes none gets the zero ID, and no
// positional argument.
func (c command) organization(cmd *cobra.Command, e *env, pos []string, clientID *string) (wrapper.ID, error) {
	switch {
	case !c.takesID && len(pos) > 0:
		return wrapper.ID{}, usagef(c.name, "unexpected arguments: %s", strings.Join(pos, " "))
	case !c.takesID:
		return wrapper.ID{}, nil
	case len(pos) > 1:
		return wrapper.ID{}, usagef(c.name, "want one organization ID, got %d arguments: %s", len(pos), strings.Join(pos, " "))
	case len(pos) == 1 && *clientID != "":
		return wrapper.ID{}, usagef(c.name, "give the organization ID or --client-id, not both")
	case len(pos) == 1:
		return parseID(c.name, "id", pos[0])
	case *clientID != "":
		return e.organizationByClientID(cmd.Context(), c.name, *clientID, c.ended)
	case cmd.Flags().Changed("client-id"):
		return wrapper.ID{}, usagef(c.name, "--client-id: must not be empty")
	}
	return wrapper.ID{}, usagef(c.name, "missing the organization ID (or --client-id X)")
}

// firstLine is s up to its first line break.
func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// unknownCommand is the usage error for a command that does not exist, with
// the closest names as suggestions.
func unknownCommand(name string) error {
	if s := suggest(name); len(s) > 0 {
		return usagef("", "unknown command %q; did you mean %s?", name, strings.Join(s, " or "))
	}
	return usagef("", "unknown command %q", name)
}

// suggest returns the commands whose name contains name, or else is within
// half its own length in edits: the closest first, at most three.
func suggest(name string) []string {
	type match struct {
		name string
		dist int
	}
	var ms []match
	for _, c := range append(commands, command{name: "help"}, command{name: "completion"}) {
		d := editDistance(name, c.name)
		if name != "" && strings.Contains(c.name, name) {
			d = 0
		}
		if d <= max(2, len(c.name)/2) && d < len(name) {
			ms = append(ms, match{c.name, d})
		}
	}
	slices.SortStableFunc(ms, func(a, b match) int { return a.dist - b.dist })
	var out []string
	for i := 0; i < len(ms) && i < 3; i++ {
		out = append(out, ms[i].name)
	}
	return out
}

// editDistance is the Levenshtein distance between a and b.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// parseID parses an organization id given as field (the argument or flag
// name), reporting a bad one as invalid input of command cmd, with the value.
func parseID(cmd, field, s string) (wrapper.ID, error) {
	id, err := wrapper.ParseID(s)
	note := ""
	if s != "" {
		note = fmt.Sprintf(" (got %q)", s)
	}
	return id, relabel(err, cmd, func(string) string { return field }, note)
}

// relabel makes a *wrapper.ValidationError speak the command line: it names
// the command when the error names no operation, renames each field (wire
// names to flag names) and returns it as [invalidInput], which states each
// rule in words, with note (the value as typed) after each problem that
// carries no value of its own. Other errors are returned as they are.
func relabel(err error, cmd string, field func(wire string) string, note string) error {
	var ve *wrapper.ValidationError
	if !errors.As(err, &ve) {
		return err
	}
	if ve.Operation == "" {
		ve.Operation = cmd
	}
	for i := range ve.Problems {
		ve.Problems[i].Field = field(ve.Problems[i].Field)
	}
	if len(ve.Problems) > 0 {
		ve.Field = ve.Problems[0].Field
	}
	if err != error(ve) {
		return err // wrapped with context of its own: kept
	}
	return &invalidInput{ve: ve, note: note}
}

// missingFlags turns a *wrapper.ValidationError whose problems include flags
// that were not given into one usage error saying those flags are required,
// once each, whatever rules their empty value broke. Other errors are
// returned as they are.
func missingFlags(fs *flag.FlagSet, err error) error {
	var ve *wrapper.ValidationError
	if !errors.As(err, &ve) {
		return err
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given["--"+f.Name] = true })
	var missing []string
	for _, p := range ve.Problems {
		if strings.HasPrefix(p.Field, "--") && !given[p.Field] && !slices.Contains(missing, p.Field) {
			missing = append(missing, p.Field)
		}
	}
	slices.Sort(missing)
	switch len(missing) {
	case 0:
		return err
	case 1:
		return usagef(fs.Name(), "%s is required", missing[0])
	}
	return usagef(fs.Name(), "%s and %s are required", strings.Join(missing[:len(missing)-1], ", "), missing[len(missing)-1])
}

// createFlag names the flag of a create-distributor-organization body field.
func createFlag(wire string) string {
	f, ok := strings.CutPrefix(wire, "billing-address.")
	if ok && f == "name" {
		f = "billing-name"
	}
	return "--" + f
}

func listOrganizations(*flag.FlagSet) action {
	return func(ctx context.Context, e *env, _ wrapper.ID) error {
		c, err := e.client()
		if err != nil {
			return err
		}
		orgs, err := c.ListOrganizations(ctx)
		if err != nil {
			return err
		}
		return e.out.organizations(e.stdout, orgs)
	}
}

// organizationCommand is a command on one id answering an organization.
func organizationCommand(method func(*wrapper.Client, context.Context, wrapper.ID) (wrapper.Organization, error)) action {
	return func(ctx context.Context, e *env, id wrapper.ID) error {
		c, err := e.client()
		if err != nil {
			return err
		}
		org, err := method(c, ctx, id)
		if err != nil {
			return err
		}
		return e.out.organization(e.stdout, org)
	}
}

func getOrganization(*flag.FlagSet) action {
	return organizationCommand((*wrapper.Client).GetOrganization)
}

func activateOrganization(*flag.FlagSet) action {
	return organizationCommand((*wrapper.Client).ActivateOrganization)
}

func suspendOrganization(*flag.FlagSet) action {
	return organizationCommand((*wrapper.Client).SuspendOrganization)
}

func createOrganization(fs *flag.FlagSet) action {
	var r wrapper.CreateOrganizationRequest
	b := &r.BillingAddress
	fs.StringVar(&r.DisplayName, "display-name", "", "name shown for the organization (required)")
	fs.StringVar(&r.OwnerEmail, "owner-email", "", "e-mail of the first owner, who is invited (required)")
	fs.StringVar(&r.ClientID, "client-id", "", "your own reference for the customer, e.g. a CRM id")
	fs.StringVar(&b.Name, "billing-name", "", "billing recipient, usually the display name (required)")
	fs.StringVar(&b.StreetName, "street-name", "", "street (required)")
	fs.StringVar(&b.BuildingNumber, "building-number", "", "number in the street")
	fs.StringVar(&b.City, "city", "", "city (required)")
	fs.StringVar(&b.PostalCode, "postal-code", "", "postal code (required)")
	fs.StringVar(&b.Country, "country", "", "ISO 3166-1 alpha-2 country code in upper case, e.g. CH (required)")
	fs.StringVar(&b.Address, "address", "", "free-form address, for what the fields cannot express")
	return func(ctx context.Context, e *env, _ wrapper.ID) error {
		c, err := e.client()
		if err != nil {
			return err
		}
		// The client checks every field against the API's contract before
		// sending: a missing or malformed one is invalid input (exit 2).
		org, err := c.CreateOrganization(ctx, r)
		if err != nil {
			return missingFlags(fs, relabel(err, "", createFlag, ""))
		}
		if e.quiet { // only what a script needs next
			_, err := fmt.Fprintln(e.stdout, org.ID)
			return err
		}
		return e.out.organization(e.stdout, org)
	}
}

func terminateOrganization(*flag.FlagSet) action {
	return func(ctx context.Context, e *env, id wrapper.ID) error {
		c, err := e.client()
		if err != nil {
			return err
		}
		msg, err := c.TerminateOrganization(ctx, id)
		if err != nil {
			return err
		}
		return e.out.message(e.stdout, id, "terminated", msg)
	}
}

func schedulePurge(*flag.FlagSet) action {
	return func(ctx context.Context, e *env, id wrapper.ID) error {
		c, err := e.client()
		if err != nil {
			return err
		}
		res, err := c.SchedulePurge(ctx, id)
		if err != nil {
			return err
		}
		return e.out.message(e.stdout, id, purged(res), res.Message)
	}
}

// purged says what a purge did: scheduled it, or purged at once.
func purged(res wrapper.PurgeResult) string {
	if res.Scheduled {
		return "purge scheduled"
	}
	return "purged"
}

func listUsage(fs *flag.FlagSet) action {
	var period periodFlag
	fs.Var(&period, "period", "month as YYYY-MM (default: the current month)")
	return func(ctx context.Context, e *env, id wrapper.ID) error {
		c, err := e.client()
		if err != nil {
			return err
		}
		statements, err := c.ListUsage(ctx, id, wrapper.Period(period))
		if err != nil {
			return err
		}
		return e.out.usage(e.stdout, statements)
	}
}

// periodFlag is a --period YYYY-MM, checked as it is parsed, so that a bad
// one is refused before anything is sent (even the listing of --client-id);
// unset or empty, it is the zero Period: the current month.
type periodFlag wrapper.Period

func (p *periodFlag) String() string { return wrapper.Period(*p).String() }

func (p *periodFlag) Set(s string) error {
	if s == "" {
		*p = periodFlag{}
		return nil
	}
	v, err := wrapper.ParsePeriod(s)
	if err != nil {
		return err
	}
	*p = periodFlag(v)
	return nil
}

func (p *periodFlag) Type() string { return "string" }

func meteringTransaction(fs *flag.FlagSet) action {
	const name = "metering-transaction"
	org := fs.String("organization", "", "id of the organization the usage is charged to (required without --file and --client-id)")
	clientID := fs.String("client-id", "", "find the organization by its client-id instead of --organization: one listing, which must match exactly one")
	var usage usageFlag
	fs.Var(&usage, "usage", "`PRODUCT:VARIABLE:QUANTITY`, repeatable (at least one without --file); the quantity may be negative, with no more decimals than the API accepts")
	file := fileFlags(fs)
	return func(ctx context.Context, e *env, _ wrapper.ID) error {
		if file.path != "" || file.journal != "" {
			if *org != "" || *clientID != "" || len(usage) > 0 {
				return usagef(name, "--file cannot be combined with --organization or --usage (nor --client-id)")
			}
			return file.run(ctx, e)
		}
		if file.resendUnknown || len(file.markApplied) > 0 {
			return usagef(name, "--resend-unknown and --mark-applied go with --file and --journal")
		}
		if *org != "" && *clientID != "" {
			return usagef(name, "give --organization or --client-id, not both")
		}
		if *org == "" && *clientID == "" {
			return usagef(name, "--organization is required (or --client-id X)")
		}
		var id wrapper.ID
		if *org != "" {
			var err error
			if id, err = parseID(name, "--organization", *org); err != nil {
				return err
			}
		}
		if len(usage) == 0 {
			return usagef(name, "at least one --usage PRODUCT:VARIABLE:QUANTITY is required")
		}
		if *clientID != "" {
			// Bad usage is refused before the listing that finds the organization.
			if err := wrapper.ValidateMeteringUsage(usage); err != nil {
				return err
			}
			var err error
			if id, err = e.organizationByClientID(ctx, name, *clientID, false); err != nil {
				return err
			}
		}
		c, err := e.client()
		if err != nil {
			return err
		}
		if err := c.ApplyMetering(ctx, id, usage); err != nil {
			return err
		}
		return e.out.metering(e.stdout, id, usage)
	}
}

// usageFlag collects --usage PRODUCT:VARIABLE:QUANTITY values. The product
// ends at the first colon and the quantity starts after the last one, so a
// variable may contain colons. A non-finite quantity parses here and is
// refused by the client as invalid input.
type usageFlag []wrapper.UsageRecord

func (u *usageFlag) String() string { return "" }

func (u *usageFlag) Type() string { return "usage" }

func (u *usageFlag) Set(s string) error {
	product, rest, _ := strings.Cut(s, ":")
	i := strings.LastIndexByte(rest, ':')
	if product == "" || i <= 0 {
		return fmt.Errorf("want PRODUCT:VARIABLE:QUANTITY, e.g. partner:license_product:3.1415")
	}
	q, err := strconv.ParseFloat(rest[i+1:], 64)
	if err != nil {
		return fmt.Errorf("quantity %q is not a number", rest[i+1:])
	}
	*u = append(*u, wrapper.UsageRecord{Product: product, Variable: rest[:i], Quantity: q})
	return nil
}
