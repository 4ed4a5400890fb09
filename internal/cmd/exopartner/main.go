// Command exopartner is a thin command-line client for the Exoscale Partner
// API, built on package wrapper. Its commands are the API's operationIds, as
// `exo api` names them, and its flags are the exo CLI's; flags go anywhere
// on the line, before or after the command:
//
//	exopartner COMMAND [ARGS] [--endpoint URL] [-O table|json|text] [-A ACCOUNT] [-C PATH] [-Q] [--timeout 30s] [-v]
//
//	list-distributor-organizations
//	get-distributor-organization ID|--client-id X
//	create-distributor-organization --display-name N --owner-email E --billing-name N
//	    --street-name S [--building-number B] --city C --postal-code P --country CC
//	    [--address A] [--client-id X]
//	activate-distributor-organization ID|--client-id X
//	suspend-distributor-organization ID|--client-id X
//	terminate-distributor-organization ID|--client-id X
//	schedule-purge-distributor-organization ID|--client-id X
//	list-distributor-organization-usage ID|--client-id X [--period YYYY-MM]
//	metering-transaction --organization ID|--client-id X --usage PRODUCT:VARIABLE:QUANTITY [--usage ...]
//	metering-transaction --file PATH.csv --journal PATH|postgres://… [--concurrency N]
//	    [--resend-unknown] [--mark-applied TRANSACTION ...]
//	usage-report --period YYYY-MM [--format csv|json|table] [--status active,suspended]
//	    [--concurrency N] [--output-file PATH]
//	sync --file PATH.csv [--apply [--concurrency N]]
//	serve [--addr 127.0.0.1:8080]
//	demo
//	version
//	completion bash|zsh|fish
//	help [COMMAND]
//
// Flag and command handling is github.com/spf13/cobra, as in the exo CLI:
// `COMMAND --help` (or `help COMMAND`) lists a command's flags with their
// defaults, and `completion bash|zsh|fish` prints a shell completion script.
//
// The global flags:
//
//	--endpoint URL           API endpoint, base path included (default: $EXOSCALE_PARTNER_API_ENDPOINT,
//	                         else the production endpoint)
//	--output-format, -O F    table (the default, for people), json (the API's JSON, for scripts) or
//	                         text (tab-separated rows without a header); --output is an alias
//	--use-account, -A NAME   take the credentials from this account of the exo CLI configuration
//	--config, -C PATH        the exo CLI configuration file to read them from
//	--quiet, -Q              print nothing when a change succeeds (create prints only the new ID)
//	--timeout D              bound each API call, retries included: a duration such as 30s
//	--verbose, -v            log every HTTP attempt to stderr; secrets and signatures never
//
// Credentials and the endpoint are resolved as wrapper.New resolves them:
// EXOSCALE_API_KEY and EXOSCALE_API_SECRET, else the exo CLI configuration
// (EXOSCALE_CONFIG, EXOSCALE_ACCOUNT); -A or -C read the exo CLI
// configuration even when the variables are set (wrapper.WithExoConfig).
// EXOSCALE_PARTNER_API_ENDPOINT, else the production endpoint; --endpoint
// overrides the environment.
//
// The commands that take an organization ID also take --client-id X, your
// own reference for the customer: one listing finds the organization whose
// client-id is X, by the look-alike rule of wrapper.FindClientID, among the
// live organizations, else the terminated ones (schedule-purge: the
// terminated ones only). None, several, or a look-alike is an error (exit
// 1) naming every organization involved, and nothing else is sent.
//
// -O table (the default) is for people; -O json prints the API's JSON as on
// the wire (hyphenated keys, no HTML escaping), for scripts: every field the
// spec declares, and nothing for metering-transaction, whose answer is 204
// No Content; -O text prints the table's rows with one TAB between cells and
// no header, for grep, cut and awk.
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
// Exit status: 0 on success (--help included); 1 when the API answered an
// error or could not be reached (stderr names the operation and the status),
// when --client-id matched no organization or several, or when a metering
// file's transaction needs reconciliation; 2 on bad usage, invalid input, an
// unusable journal or missing credentials, in which case nothing was sent.
package main

import (
	"context"
	"errors"
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

const usageText = `usage: exopartner COMMAND [ARGS] [FLAGS]

API commands (named by the API's operationIds):
  list-distributor-organizations
  get-distributor-organization ID|--client-id X
  create-distributor-organization --display-name N --owner-email E --billing-name N
      --street-name S [--building-number B] --city C --postal-code P --country CC
      [--address A] [--client-id X]
  activate-distributor-organization ID|--client-id X
  suspend-distributor-organization ID|--client-id X
  terminate-distributor-organization ID|--client-id X
  schedule-purge-distributor-organization ID|--client-id X
  list-distributor-organization-usage ID|--client-id X [--period YYYY-MM]
  metering-transaction --organization ID|--client-id X --usage PRODUCT:VARIABLE:QUANTITY [--usage ...]
  metering-transaction --file PATH.csv --journal PATH|postgres://… [--concurrency N]
      [--resend-unknown] [--mark-applied TRANSACTION ...]
                                  a CSV file's transactions, each exactly once across reruns
  --client-id X finds the one organization whose client-id (your own reference) is X.

Workflows:
  usage-report --period YYYY-MM [--format csv|json|table] [--status active,suspended]
      [--concurrency N] [--output-file PATH]
                                  every organization's usage for a month, exact totals
  sync --file PATH.csv [--apply [--concurrency N]]
                                  bring the organizations in step with a CRM file

Other commands:
  serve [--addr 127.0.0.1:8080]   run the fake Partner API (base path /v1.alpha)
  demo                            the whole lifecycle against an in-process fake API
  version                         this program's version (also: --version)
  completion bash|zsh|fish        a shell completion script, e.g.
                                  source <(exopartner completion bash)
  help [COMMAND]                  this text, or a command's flags (also: COMMAND --help)

Global flags (anywhere on the line, before or after the command):
  --endpoint URL            API endpoint, base path included (default: $EXOSCALE_PARTNER_API_ENDPOINT,
                            else ` + wrapper.DefaultEndpoint + `)
  --output-format, -O F     table (for people, the default), json (the API's JSON, for scripts)
                            or text (tab-separated rows, no header); --output is an alias
  --use-account, -A NAME    the account of the exo CLI configuration to use (default:
                            $EXOSCALE_ACCOUNT, else its defaultAccount)
  --config, -C PATH         the exo CLI configuration file (default: $EXOSCALE_CONFIG,
                            else ~/.config/exoscale/exoscale.toml)
  --quiet, -Q               print nothing when a change succeeds (create prints only the new ID)
  --timeout D               bound each API call, retries included: a duration such as 30s
                            (default: none)
  --verbose, -v             log every HTTP attempt to stderr (never secrets)

Credentials: $EXOSCALE_API_KEY and $EXOSCALE_API_SECRET, else the exo CLI configuration;
-A or -C read the exo CLI configuration even when those are set.
Exit status: 0 success; 1 API or network failure, a --client-id that matches no
organization or several, or a metering transaction to reconcile; 2 bad usage,
invalid input, an unusable journal or missing credentials (nothing sent).
`

// globals are the flags every command takes (root.go defines them).
type globals struct {
	endpoint   string
	output     string // table, json or text
	account    string // -A: an account of the exo CLI configuration
	configPath string // -C: the exo CLI configuration file
	quiet      bool
	timeout    time.Duration
	verbose    bool
}

// env is what a command runs with: its streams, environment, global flags
// and a client built on first use.
type env struct {
	stdout, stderr io.Writer
	getenv         func(string) string
	globals
	out printer
	c   *wrapper.Client // built by client on first use
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
		msg += "\nSet " + wrapper.EnvAPIKey + " and " + wrapper.EnvAPISecret + ", or an account in the exo CLI configuration (" +
			wrapper.EnvConfig + " or --config, " + wrapper.EnvAccount + " or --use-account)."
	}
	return msg
}

// cliWords rewrites the library's option names in its construction errors.
var cliWords = strings.NewReplacer(
	"; use https or WithInsecure", "; use an https endpoint (the CLI does not send credentials over plain http off loopback)",
	"WithCredentials (not given), ", "",
	"WithCredentials was given", "the credentials given have",
	"(from WithExoConfig)", "(from --use-account)",
)

func (e *configError) Unwrap() error { return e.err }

// errNoCommand is returned when no command was given and the usage was
// printed to stderr: exit 2.
var errNoCommand = errors.New("no command")

// run is the whole program: it parses args, runs one command and returns the
// exit code. Tests call it in-process.
func run(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	e := &env{stdout: stdout, stderr: stderr, getenv: getenv}
	root := newRoot(e)
	root.SetArgs(append([]string{}, args...)) // never nil: cobra would read os.Args
	err := root.ExecuteContext(ctx)
	var ran *ranError
	switch {
	case errors.As(err, &ran):
		err = ran.err
	case err != nil && !isUsage(err) && !errors.Is(err, wrapper.ErrInvalidInput):
		err = usagef("", "%v", err) // cobra's own complaint about the command line (a flag's invalid value is invalid input)
	}
	return report(stderr, err)
}

// report prints err to stderr and returns its exit code.
func report(stderr io.Writer, err error) int {
	code := exitCode(err)
	switch {
	case err == nil, errors.Is(err, errNoCommand):
	case isUsage(err):
		fmt.Fprintln(stderr, safetext.Message(err.Error()))
		var ue *usageError
		if errors.As(err, &ue) && ue.cmd != "" {
			fmt.Fprintf(stderr, "Run 'exopartner help %s' for its usage.\n", ue.cmd)
		} else {
			fmt.Fprintln(stderr, "Run 'exopartner help' for usage.")
		}
	default:
		err = forPeople(err)                                // a rule in words, not its pattern
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
	case err == nil:
		return exitOK
	case isUsage(err), errors.As(err, &ce), errors.Is(err, errNoCommand),
		errors.Is(err, wrapper.ErrInvalidInput), errors.Is(err, wrapper.ErrNoCredentials):
		return exitUsage
	}
	return exitFailure
}

// client returns the API client built from the global flags and the
// environment, building it on first use. Credentials and endpoint the
// environment given to run provides are passed explicitly; anything else
// (the exo CLI configuration) wrapper.New resolves itself, exactly as for a
// program using the library. -A and -C choose an account of the exo CLI
// configuration over the environment's credentials.
func (e *env) client() (*wrapper.Client, error) {
	if e.c != nil {
		return e.c, nil
	}
	var opts []wrapper.Option
	switch key, secret := e.getenv(wrapper.EnvAPIKey), e.getenv(wrapper.EnvAPISecret); {
	case e.account != "" || e.configPath != "":
		opts = append(opts, wrapper.WithExoConfig(e.configPath, e.account))
	case key != "" && secret != "":
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
	e.c = c
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
