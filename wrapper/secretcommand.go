package wrapper

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// secretCommandTimeout bounds a secretCommand, and every process it starts
// in its process group. A variable, so that tests need not wait for it.
var secretCommandTimeout = 30 * time.Second

// secretCommandWaitDelay is how long the output of a secretCommand may stay
// open once it exited or was killed: a process it started may hold it (one
// outside its process group survives the kill). Past it the output is
// closed and the command has failed. A variable for tests, too.
var secretCommandWaitDelay = time.Second

const (
	maxSecretOutput = 4 << 10 // a secret is one short line
	maxStderrKept   = 4 << 10 // the end of stderr, kept to explain a failure
	maxStderrShown  = 200     // what of it the error shows
)

// runSecretCommand runs the exo CLI's secretCommand and returns the secret
// it prints: one line on stdout, surrounding white space removed. The
// command gets no input, and runs in a process group of its own (on Unix):
// after secretCommandTimeout the whole group is killed, so a helper that
// never exits, or a child of it that keeps the output open, cannot hang the
// program. A failure says why, with the end of what the command wrote on
// stderr, redacted; what it wrote on stdout is never shown.
func runSecretCommand(argv []string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), secretCommandTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	stdout := &limitedBuffer{max: maxSecretOutput + 1}
	stderr := &limitedBuffer{max: maxStderrKept, keepEnd: true}
	cmd.Stdout, cmd.Stderr = stdout, stderr
	cmd.WaitDelay = secretCommandWaitDelay
	ownProcessGroup(cmd)
	err := cmd.Run()
	out := stdout.String()
	name := fmt.Sprintf("secretCommand %q", argv[0])
	explain := func(format string, args ...any) error {
		msg := name + " " + fmt.Sprintf(format, args...)
		if e := stderrExcerpt(stderr, out); e != "" {
			msg += "; its stderr ends: " + e
		}
		return errors.New(msg)
	}
	switch {
	case err != nil && errors.Is(ctx.Err(), context.DeadlineExceeded):
		return "", explain("did not finish within %v: it was killed, with every process it started in its group", secretCommandTimeout)
	case errors.Is(err, exec.ErrWaitDelay):
		killProcessGroup(cmd)
		return "", explain("exited, but a process it started kept its output open for more than %v", secretCommandWaitDelay)
	case err != nil:
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			return "", explain("failed: %v", exit.ProcessState)
		}
		return "", fmt.Errorf("%s: %w", name, err) // it did not start: not found, not executable
	case stdout.cut:
		return "", explain("printed more than %d bytes: want the secret alone on one line", maxSecretOutput)
	}
	secret := strings.TrimSpace(out)
	if strings.ContainsAny(secret, "\r\n") {
		lines := strings.FieldsFunc(secret, func(r rune) bool { return r == '\n' || r == '\r' })
		return "", explain("printed %d lines: want the secret alone on one line", len(lines))
	}
	return secret, nil
}

// limitedBuffer keeps at most max bytes of what is written to it: the
// first ones, or with keepEnd the last ones. It never refuses a write, so
// that the command is not killed by a broken pipe before it explains itself.
type limitedBuffer struct {
	b       []byte
	max     int
	keepEnd bool
	cut     bool // more was written than kept
}

func (l *limitedBuffer) Write(p []byte) (int, error) {
	n := len(p)
	switch {
	case l.keepEnd:
		l.b = append(l.b, p...)
		if len(l.b) > l.max {
			l.b, l.cut = append(l.b[:0], l.b[len(l.b)-l.max:]...), true
		}
	case len(l.b)+len(p) > l.max:
		l.b, l.cut = append(l.b, p[:l.max-len(l.b)]...), true
	default:
		l.b = append(l.b, p...)
	}
	return n, nil
}

func (l *limitedBuffer) String() string { return string(l.b) }

// credentialLike matches what may be a credential: a run of 20 or more
// base64, base64url or hex characters.
var credentialLike = regexp.MustCompile(`[A-Za-z0-9+/=_-]{20,}`)

// terminalEscape matches a terminal's escape sequences: CSI (colours,
// cursor moves), OSC (titles, links) and two-character ones.
var terminalEscape = regexp.MustCompile(`\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[@-_])`)

// stderrExcerpt returns the end of a command's stderr as one printable
// line of at most maxStderrShown bytes, redacted: anything it also printed
// on stdout, and any word that may be a credential (20 or more base64 or hex
// characters, letters and digits mixed), are replaced. A terminal's escape
// sequences are removed; other control characters and line breaks become
// spaces.
func stderrExcerpt(stderr *limitedBuffer, stdout string) string {
	s := terminalEscape.ReplaceAllString(strings.ToValidUTF8(stderr.String(), "\uFFFD"), "")
	words := strings.FieldsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) })
	if stderr.cut && len(words) > 0 {
		words = words[1:] // it may be the end of a longer word
	}
	for _, out := range strings.Fields(stdout) {
		for i, w := range words {
			words[i] = strings.ReplaceAll(w, out, redacted)
		}
	}
	for i, w := range words {
		words[i] = credentialLike.ReplaceAllStringFunc(w, func(t string) string {
			if strings.ContainsAny(t, "0123456789") && strings.IndexFunc(t, unicode.IsLetter) >= 0 {
				return redacted
			}
			return t
		})
	}
	// The last words that fit: a failure is explained at the end.
	excerpt, n := "", 0
	for i := len(words) - 1; i >= 0; i-- {
		if n+len(words[i])+1 > maxStderrShown {
			if n == 0 { // one long word: its end
				w := words[i][len(words[i])-maxStderrShown:]
				for len(w) > 0 && !utf8.RuneStart(w[0]) {
					w = w[1:]
				}
				return "…" + w
			}
			return "…" + excerpt
		}
		excerpt, n = strings.TrimSuffix(words[i]+" "+excerpt, " "), n+len(words[i])+1
	}
	return excerpt
}
