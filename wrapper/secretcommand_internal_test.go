package wrapper

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

// shortSecretCommandBounds makes the secretCommand bounds short for a test:
// the outcomes below do not depend on them, only how long a test waits.
func shortSecretCommandBounds(t *testing.T) {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("the commands are sh scripts")
	}
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("no sh")
	}
	timeout, delay := secretCommandTimeout, secretCommandWaitDelay
	secretCommandTimeout, secretCommandWaitDelay = 300*time.Millisecond, 100*time.Millisecond
	t.Cleanup(func() { secretCommandTimeout, secretCommandWaitDelay = timeout, delay })
}

// runBounded runs a secretCommand under a watchdog far longer than its
// bound, so that a command that outlives the bound fails the test instead
// of hanging it.
func runBounded(t *testing.T, argv ...string) (string, error) {
	t.Helper()
	type result struct {
		secret string
		err    error
	}
	done := make(chan result, 1)
	go func() { s, err := runSecretCommand(argv); done <- result{s, err} }()
	select {
	case r := <-done:
		return r.secret, r.err
	case <-time.After(20 * time.Second):
		t.Fatalf("%q still runs 20 s after its bound of %v", argv, secretCommandTimeout)
		return "", nil
	}
}

// The bound holds for the whole process group: a shell killed at the bound
// does not leave its child holding the output open (a call then returned
// when the child was done, 45 s later), and the child is killed too.
func TestSecretCommandBoundKillsTheGroup(t *testing.T) {
	shortSecretCommandBounds(t)
	pidFile := filepath.Join(t.TempDir(), "pid")
	_, err := runBounded(t, "sh", "-c", "sleep 60 & echo $! > "+pidFile+"; wait; echo secret")
	if err == nil || !strings.Contains(err.Error(), "did not finish within 300ms") {
		t.Fatalf("err %v, want the bound", err)
	}
	if runtime.GOOS != "linux" {
		return
	}
	b, _ := os.ReadFile(pidFile)
	pid, perr := strconv.Atoi(strings.TrimSpace(string(b)))
	if perr != nil {
		t.Fatalf("the child's pid %q: %v", b, perr)
	}
	// The group was killed at once; the child's exit is observed on /proc
	// (gone, or a zombie waiting to be reaped).
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
		if err != nil || bytes.Contains(stat, []byte(") Z ")) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the shell's child %d still runs: %s", pid, stat)
		}
	}
}

// A command that exits but leaves a process holding its output open fails
// once WaitDelay has passed, instead of waiting for that process.
func TestSecretCommandOutputHeldOpen(t *testing.T) {
	shortSecretCommandBounds(t)
	secretCommandTimeout = time.Minute // the wait delay must end it, not the bound
	_, err := runBounded(t, "sh", "-c", "sleep 60 & echo secret")
	if err == nil || !strings.Contains(err.Error(), "kept its output open") {
		t.Fatalf("err %v, want the output held open", err)
	}
}

// A failing command's error shows the end of its stderr on one line,
// without control characters, without what it printed on stdout, and
// without anything that looks like a credential.
func TestSecretCommandFailureShowsRedactedStderr(t *testing.T) {
	shortSecretCommandBounds(t)
	script := `echo half-secret-value-on-stdout
printf 'gpg: decryption failed: \033[31mNo secret key\033[0m\033]0;title\007\n' >&2
echo "debug: tried half-secret-value-on-stdout and token qvG8P3rAb1Cd2Ef3Gh4Ij5" >&2
echo "gpg: giving up" >&2
exit 2`
	_, err := runBounded(t, "sh", "-c", script)
	if err == nil {
		t.Fatal("no error")
	}
	msg := err.Error()
	for _, want := range []string{`secretCommand "sh" failed: exit status 2`, "gpg: decryption failed: No secret key debug", "gpg: giving up", "[REDACTED]"} {
		if !strings.Contains(msg, want) {
			t.Errorf("%q does not say %q", msg, want)
		}
	}
	for _, leak := range []string{"half-secret-value-on-stdout", "qvG8P3r", "\x1b", "\n", "[31m", "title"} {
		if strings.Contains(msg, leak) {
			t.Errorf("%q shows %q", msg, leak)
		}
	}
	// A long stderr: only its end, at most 200 bytes of it.
	_, err = runBounded(t, "sh", "-c", `i=0; while [ $i -lt 2000 ]; do echo "line $i of noise" >&2; i=$((i+1)); done; echo "the real reason" >&2; exit 1`)
	if err == nil || !strings.HasSuffix(err.Error(), "the real reason") || len(err.Error()) > 400 {
		t.Errorf("long stderr: %q, want its end, short", err)
	}
}

// The secret is one line: more lines, or more than 4 KiB, are refused
// without being shown; a single line (with its newline, or CRLF) is the secret.
func TestSecretCommandOutputIsOneLine(t *testing.T) {
	shortSecretCommandBounds(t)
	for script, want := range map[string]string{
		`echo s3cret-value`:                  "s3cret-value",
		`printf '  s3cret-value\r\n'`:        "s3cret-value",
		`printf 's3cret-value\n\n'`:          "s3cret-value",
		`printf 'first-line\nsecond-line\n'`: "printed 2 lines",
		`printf 'first-line\rsecond-line'`:   "printed 2 lines",
		`head -c 5000 /dev/zero | tr '\0' a`: "printed more than 4096 bytes",
	} {
		secret, err := runBounded(t, "sh", "-c", script)
		switch {
		case !strings.HasPrefix(want, "printed"):
			if err != nil || secret != want {
				t.Errorf("%s: %q, %v; want %q", script, secret, err, want)
			}
		case err == nil || !strings.Contains(err.Error(), want):
			t.Errorf("%s: %q, %v; want an error saying %q", script, secret, err, want)
		case strings.Contains(err.Error(), "line-") || strings.Contains(err.Error(), "aaaa"):
			t.Errorf("%s: the error shows the output: %v", script, err)
		}
	}
}
