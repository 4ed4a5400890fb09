// Command exopartner is a thin command-line client for the Exoscale Partner
// API, built on package wrapper, with the exo CLI's conventions
// (github.com/spf13/cobra, as the exo CLI itself): its commands are the
// API's operationIds, as `exo api` names them, its global flags are the exo
// CLI's, and flags go anywhere on the line, before or after the command.
// Beside the API's operations it runs the monthly jobs of wrapper/report
// (usage-report), wrapper/crmsync (sync) and wrapper/meterfile
// (metering-transaction --file), and the fake API of wrapper/partnertest
// (serve, and demo, which needs no credentials and no network).
//
// `exopartner help` lists every command with its arguments, the global
// flags, where the credentials come from and the exit status; `exopartner
// help COMMAND` (or COMMAND --help) gives one command's flags with their
// defaults. Both are made from the command table (commands.go) and the
// flags the commands define, and README's "The command line" shows the
// first as it prints.
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
