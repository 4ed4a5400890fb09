// Command exopartner is a thin command-line client for the Exoscale Partner
// API, built on package wrapper. Its commands are the API's operationIds, as
// `exo api` names them:
//
//	exopartner [--endpoint URL] [--output table|json] [--timeout D] [-v] COMMAND [ARGS]
//
//	list-distributor-organizations
//	get-distributor-organization ID
//	create-distributor-organization --display-name N --owner-email E --billing-name N
//	    --street-name S [--building-number B] --city C --postal-code P --country CC
//	    [--address A] [--client-id X]
//	activate-distributor-organization ID
//	suspend-distributor-organization ID
//	terminate-distributor-organization ID
//	schedule-purge-distributor-organization ID
//	list-distributor-organization-usage ID [--period YYYY-MM]
//	metering-transaction --organization ID --usage PRODUCT:VARIABLE:QUANTITY [--usage ...]
//	metering-transaction --file PATH.csv --journal PATH [--resend-unknown] [--mark-applied TRANSACTION ...]
//	usage-report --period YYYY-MM [--format csv|json|table] [--status active,suspended]
//	    [--concurrency N] [--output-file PATH]
//	sync --file PATH.csv [--apply]
//	serve [--addr 127.0.0.1:8080]
//	demo
//	help [COMMAND]
//
// Credentials and the endpoint are resolved as wrapper.New resolves them:
// EXOSCALE_API_KEY and EXOSCALE_API_SECRET, else the exo CLI configuration;
// EXOSCALE_PARTNER_API_ENDPOINT, else the production endpoint. --endpoint
// overrides the environment.
//
// --output table (the default) is for people; --output json prints the API's
// JSON as on the wire (hyphenated keys), for scripts: every field the spec
// declares, and nothing for metering-transaction, whose answer is 204 No
// Content. -v logs every HTTP
// attempt to stderr; secrets and signatures are never logged.
//
// usage-report reads every organization's usage for a month (package
// wrapper/report) and writes one row per usage line, with exact totals per
// currency; it exits 1 when any organization could not be read, after
// writing every row that was. sync compares a CRM's CSV export with the
// organizations (package wrapper/crmsync), prints the plan, and with
// --apply carries it out; a bad file is refused whole with
// FILE:LINE: column: reason, exit 2.
//
// serve runs the fake Partner API of package partnertest on --addr (base path
// /v1.alpha), accepting EXOSCALE_API_KEY/EXOSCALE_API_SECRET when both are
// set, else the demo credentials it prints. demo runs the whole lifecycle of
// two organizations against an in-process fake API: no credentials, no
// network.
//
// metering-transaction --file validates the whole CSV file first (a bad line
// is reported as FILE:LINE: column: reason), then sends each transaction at
// most once across reruns sharing the --journal: see package
// wrapper/meterfile.
//
// Exit status: 0 on success; 1 when the API answered an error or could not be
// reached (stderr names the operation and the status), or when a metering
// file's transaction needs reconciliation; 2 on bad usage, invalid input,
// an unusable journal or missing credentials, in which case nothing was sent.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/exopartner/exopartner/internal/safetext"
	"github.com/exopartner/exopartner/wrapper"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr, os.Getenv)
	stop()
	os.Exit(code)
}

// Exit codes.
const (
	exitOK      = 0
	exitFailure = 1 // the API answered an error, or could not be reached
	exitUsage   = 2 // bad usage or invalid input: nothing was sent
)

const usageText = `usage: exopartner [--endpoint URL] [--output table|json] [--timeout D] [-v] COMMAND [ARGS]

API commands (named by the API's operationIds):
  list-distributor-organizations
  get-distributor-organization ID
  create-distributor-organization --display-name N --owner-email E --billing-name N
      --street-name S [--building-number B] --city C --postal-code P --country CC
      [--address A] [--client-id X]
  activate-distributor-organization ID
  suspend-distributor-organization ID
  terminate-distributor-organization ID
  schedule-purge-distributor-organization ID
  list-distributor-organization-usage ID [--period YYYY-MM]
  metering-transaction --organization ID --usage PRODUCT:VARIABLE:QUANTITY [--usage ...]
  metering-transaction --file PATH.csv --journal PATH [--resend-unknown] [--mark-applied TRANSACTION ...]
                                  a CSV file's transactions, each exactly once across reruns

Workflows:
  usage-report --period YYYY-MM [--format csv|json|table] [--status active,suspended]
      [--concurrency N] [--output-file PATH]
                                  every organization's usage for a month, exact totals
  sync --file PATH.csv [--apply]  bring the organizations in step with a CRM file

Other commands:
  serve [--addr 127.0.0.1:8080]   run the fake Partner API (base path /v1.alpha)
  demo                            the whole lifecycle against an in-process fake API
  help [COMMAND]                  this text, or a command's flags

Global flags (before COMMAND):
  --endpoint URL      API endpoint, base path included (default: $EXOSCALE_PARTNER_API_ENDPOINT,
                      else ` + wrapper.DefaultEndpoint + `)
  --output FORMAT     table (for people, the default) or json (the API's JSON, for scripts)
  --timeout D         bound each API call, retries included (e.g. 30s; default: none)
  -v                  log every HTTP attempt to stderr (never secrets)

Credentials: $EXOSCALE_API_KEY and $EXOSCALE_API_SECRET, else the exo CLI configuration.
Exit status: 0 success; 1 API or network failure, or a metering transaction to
reconcile; 2 bad usage, invalid input, an unusable journal or missing credentials
(nothing sent).
`

// globals are the flags given before COMMAND.
type globals struct {
	endpoint string
	output   string
	timeout  time.Duration
	verbose  bool
}

// env is what a command runs with: its streams, environment, global flags
// and a client built on first use.
type env struct {
	stdout, stderr io.Writer
	getenv         func(string) string
	globals
	out printer
}

// usageError is bad command-line usage: exit 2, with a hint.
type usageError struct {
	cmd string // "" for the global level
	msg string
}

func (e *usageError) Error() string {
	if e.cmd == "" {
		return "exopartner: " + e.msg
	}
	return "exopartner: " + e.cmd + ": " + e.msg
}

func usagef(cmd, format string, a ...any) error {
	return &usageError{cmd: cmd, msg: fmt.Sprintf(format, a...)}
}

// configError is a client that could not be built (credentials, endpoint):
// exit 2, nothing was sent.
type configError struct{ err error }

// Error speaks the command line's words: the library's message names its Go
// options (WithCredentials, WithInsecure), which mean nothing here.
func (e *configError) Error() string {
	msg := cliWords.Replace(e.err.Error())
	if errors.Is(e.err, wrapper.ErrNoCredentials) {
		msg += "\nSet " + wrapper.EnvAPIKey + " and " + wrapper.EnvAPISecret + ", or an account in the exo CLI configuration (" + wrapper.EnvConfig + ", " + wrapper.EnvAccount + ")."
	}
	return msg
}

// cliWords rewrites the library's option names in its construction errors.
var cliWords = strings.NewReplacer(
	"; use https or WithInsecure", "; use an https endpoint (the CLI does not send credentials over plain http off loopback)",
	"WithCredentials (not given), ", "",
	"WithCredentials was given", "the credentials given have",
)

func (e *configError) Unwrap() error { return e.err }

// errHelp is returned when -h was asked for and the help printed.
var errHelp = errors.New("help printed")

// run is the whole program: it parses args, runs one command and returns the
// exit code. Tests call it in-process.
func run(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	e := &env{stdout: stdout, stderr: stderr, getenv: getenv}
	fs := flag.NewFlagSet("exopartner", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&e.endpoint, "endpoint", "", "API endpoint, base path included")
	fs.StringVar(&e.output, "output", "table", "output format: table or json")
	fs.DurationVar(&e.timeout, "timeout", 0, "bound each API call, retries included")
	fs.BoolVar(&e.verbose, "v", false, "log every HTTP attempt to stderr")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, usageText)
			return exitOK
		}
		return report(stderr, usagef("", "%v", err))
	}
	switch e.output {
	case "table":
		e.out = tablePrinter{}
	case "json":
		e.out = jsonPrinter{}
	default:
		return report(stderr, usagef("", "--output %q: want table or json", e.output))
	}
	if e.timeout < 0 {
		return report(stderr, usagef("", "--timeout %v: want a positive duration", e.timeout))
	}
	if fs.NArg() == 0 {
		fmt.Fprint(stderr, usageText)
		return exitUsage
	}
	name, rest := fs.Arg(0), fs.Args()[1:]
	if name == "help" {
		return help(stdout, stderr, rest)
	}
	cmd, ok := lookup(name)
	if !ok {
		return report(stderr, unknownCommand(name))
	}
	return report(stderr, cmd.run(ctx, e, rest))
}

// help prints the usage, or one command's.
func help(stdout, stderr io.Writer, args []string) int {
	switch len(args) {
	case 0:
		fmt.Fprint(stdout, usageText)
		return exitOK
	case 1:
		if cmd, ok := lookup(args[0]); ok {
			cmd.usage(stdout)
			return exitOK
		}
		return report(stderr, unknownCommand(args[0]))
	}
	return report(stderr, usagef("", "help: want at most one command, got %d arguments", len(args)))
}

// report prints err to stderr and returns its exit code.
func report(stderr io.Writer, err error) int {
	code := exitCode(err)
	switch {
	case err == nil, errors.Is(err, errHelp):
	case isUsage(err):
		fmt.Fprintln(stderr, safetext.Message(err.Error()))
		var ue *usageError
		if errors.As(err, &ue) && ue.cmd != "" {
			fmt.Fprintf(stderr, "Run 'exopartner help %s' for its usage.\n", ue.cmd)
		} else {
			fmt.Fprintln(stderr, "Run 'exopartner help' for usage.")
		}
	default:
		fmt.Fprintln(stderr, safetext.Message(err.Error())) // text from the API or a file: never obeyed by the terminal
	}
	return code
}

func isUsage(err error) bool {
	var ue *usageError
	return errors.As(err, &ue)
}

// exitCode maps an error to the exit status: 2 when nothing was sent because
// the command line, the input or the configuration was wrong; 1 otherwise.
func exitCode(err error) int {
	var ce *configError
	switch {
	case err == nil, errors.Is(err, errHelp):
		return exitOK
	case isUsage(err), errors.As(err, &ce),
		errors.Is(err, wrapper.ErrInvalidInput), errors.Is(err, wrapper.ErrNoCredentials):
		return exitUsage
	}
	return exitFailure
}

// client builds the API client from the global flags and the environment.
// Credentials and endpoint the environment given to run provides are passed
// explicitly; anything else (the exo CLI configuration) wrapper.New resolves
// itself, exactly as for a program using the library.
func (e *env) client() (*wrapper.Client, error) {
	var opts []wrapper.Option
	if key, secret := e.getenv(wrapper.EnvAPIKey), e.getenv(wrapper.EnvAPISecret); key != "" && secret != "" {
		opts = append(opts, wrapper.WithCredentials(key, secret))
	}
	endpoint := e.endpoint
	if endpoint == "" {
		endpoint = e.getenv(wrapper.EnvEndpoint)
	}
	if endpoint != "" {
		opts = append(opts, wrapper.WithEndpoint(endpoint))
	}
	opts = append(opts, e.clientOptions()...)
	c, err := wrapper.New(opts...)
	if err != nil {
		return nil, &configError{err}
	}
	return c, nil
}

// clientOptions are the options every client of this run shares: the
// timeout, the attempt logger and the User-Agent suffix.
func (e *env) clientOptions() []wrapper.Option {
	opts := []wrapper.Option{wrapper.WithUserAgent("exopartner-cli")}
	if e.timeout > 0 {
		opts = append(opts, wrapper.WithTimeout(e.timeout))
	}
	if e.verbose {
		opts = append(opts, wrapper.WithLogger(e.logger()))
	}
	return opts
}

// logger writes debug records to stderr.
func (e *env) logger() *slog.Logger {
	return slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// globalFlagHint explains a global flag given after the command.
func globalFlagHint(err error) string {
	for _, f := range []string{"endpoint", "output", "timeout", "v"} {
		if strings.HasSuffix(err.Error(), " -"+f) {
			return fmt.Sprintf(" (-%s is a global flag: put it before the command)", f)
		}
	}
	return ""
}
