// Package pgtest starts a throwaway PostgreSQL server for tests: the one
// the machine has installed (Debian's postgresql, found through
// $EXOPARTNER_PG_BINDIR, `pg_config --bindir` or /usr/lib/postgresql/*/bin),
// initialised into a temporary directory, listening on 127.0.0.1 on a free
// port with password authentication, run as the unprivileged postgres user
// when the tests run as root (initdb refuses root).
//
// One server serves a whole test package: TestMain calls [Main], which
// stops it (and removes its directory) after the tests, failed ones
// included; the server is started by the first test that asks for it with
// [Get], so a run selecting none of them starts nothing. Should the test
// binary die without stopping it (a panic, a timeout), the server is told
// to quit by the kernel (Linux's parent-death signal).
//
// Where PostgreSQL is not installed, Get skips the test with a message
// saying how to run it; on CI ($CI set) it fails instead, since .ci/run
// installs the server.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// EnvBinDir names the directory holding initdb and postgres, when they are
// not where pgtest looks by default.
const EnvBinDir = "EXOPARTNER_PG_BINDIR"

// startTimeout bounds the server's start and stop; a healthy machine never
// comes near it, however loaded.
const startTimeout = 2 * time.Minute

var (
	once    sync.Once
	current *Server
	errNone error // why there is no server: not installed, or failed to start
	dbs     atomic.Int64
)

// Main runs the package's tests and stops the server if one was started.
// Use it as TestMain's body:
//
//	func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }
func Main(m *testing.M) int {
	code := m.Run()
	if current != nil {
		if err := current.stop(); err != nil {
			fmt.Fprintln(os.Stderr, "pgtest:", err)
			code = max(code, 1)
		}
		os.RemoveAll(current.dir)
	}
	return code
}

// Get returns the package's server, starting it on first use. Without
// PostgreSQL installed it skips tb (fails it on CI).
func Get(tb testing.TB) *Server {
	tb.Helper()
	once.Do(func() { current, errNone = start() })
	var missing *notInstalledError
	switch {
	case errNone == nil:
		return current
	case errors.As(errNone, &missing) && os.Getenv("CI") == "":
		tb.Skip(errNone)
	}
	tb.Fatal(errNone)
	return nil
}

// notInstalledError says that no PostgreSQL server is installed.
type notInstalledError struct{ reason string }

func (e *notInstalledError) Error() string {
	return "pgtest: " + e.reason + "; these tests start a throwaway PostgreSQL themselves: install it " +
		"(Debian: apt-get install postgresql; .ci/run does) or set " + EnvBinDir + " to the directory of initdb and postgres"
}

// Server is a running throwaway PostgreSQL.
type Server struct {
	dir      string // owns data/, the socket and the log
	bin      string
	port     int
	password string
	user     *account // who the server runs as; nil: the current user

	mu   sync.Mutex
	proc *exec.Cmd
	dead chan struct{} // closed when proc exited
}

// start finds, initialises and starts a server.
func start() (*Server, error) {
	bin, err := binDir()
	if err != nil {
		return nil, err
	}
	s := &Server{bin: bin}
	if s.user, err = unprivileged(); err != nil {
		return nil, err
	}
	if s.dir, err = os.MkdirTemp("", "exopartner-pg-"); err != nil {
		return nil, err
	}
	ok := false
	defer func() {
		if !ok {
			os.RemoveAll(s.dir)
		}
	}()
	pw := make([]byte, 16)
	rand.Read(pw)
	s.password = hex.EncodeToString(pw)
	if err := os.WriteFile(filepath.Join(s.dir, "pw"), []byte(s.password+"\n"), 0o600); err != nil {
		return nil, err
	}
	if err := s.user.own(s.dir); err != nil {
		return nil, err
	}
	initdb := exec.Command(filepath.Join(bin, "initdb"), "-D", filepath.Join(s.dir, "data"), "-U", "postgres",
		"--auth=scram-sha-256", "--pwfile="+filepath.Join(s.dir, "pw"), "-E", "UTF8", "--no-locale",
		"--no-sync", "--no-instructions")
	initdb.Dir = s.dir
	s.user.apply(initdb)
	if out, err := initdb.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("pgtest: initdb: %v\n%s", err, out)
	}
	// In the configuration file, not on the command line: a setting given
	// there outranks ALTER SYSTEM, and Durable could not turn fsync on.
	if err := appendConf(filepath.Join(s.dir, "data", "postgresql.conf"), "fsync = off\n"); err != nil {
		return nil, err
	}
	for attempt := 0; ; attempt++ {
		if s.port, err = freePort(); err != nil {
			return nil, err
		}
		err = s.Start()
		if err == nil || attempt == 4 || !strings.Contains(err.Error(), "could not bind") {
			break
		}
	}
	if err != nil {
		return nil, err
	}
	ok = true
	return s, nil
}

// binDir finds the directory of initdb and postgres.
func binDir() (string, error) {
	var tried []string
	var candidates []string
	if d := os.Getenv(EnvBinDir); d != "" {
		candidates = append(candidates, d)
	}
	if out, err := exec.Command("pg_config", "--bindir").Output(); err == nil {
		candidates = append(candidates, strings.TrimSpace(string(out)))
	}
	found, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	slices.SortFunc(found, func(a, b string) int { return version(b) - version(a) }) // newest first
	candidates = append(candidates, found...)
	for _, d := range candidates {
		tried = append(tried, d)
		if isExec(filepath.Join(d, "initdb")) && isExec(filepath.Join(d, "postgres")) {
			return d, nil
		}
	}
	if len(tried) == 0 {
		tried = []string{"$" + EnvBinDir, "pg_config --bindir", "/usr/lib/postgresql/*/bin"}
	}
	return "", &notInstalledError{"no initdb and postgres found (looked in " + strings.Join(tried, ", ") + ")"}
}

func version(dir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(dir)))
	return n
}

func isExec(path string) bool {
	st, err := os.Stat(path)
	return err == nil && !st.IsDir() && st.Mode()&0o111 != 0
}

// freePort is a TCP port of 127.0.0.1 that was free a moment ago.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// Start starts the server (again, after [Server.Stop]) on its port, and
// returns once it accepts connections.
func (s *Server) Start() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.proc != nil {
		return errors.New("pgtest: already running")
	}
	logf, err := os.OpenFile(filepath.Join(s.dir, "log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	defer logf.Close()
	start, _ := logf.Seek(0, 2)
	cmd := exec.Command(filepath.Join(s.bin, "postgres"), "-D", filepath.Join(s.dir, "data"),
		"-p", strconv.Itoa(s.port), "-k", s.dir, "-c", "listen_addresses=127.0.0.1",
		"-c", "max_connections=300", "-c", "shared_buffers=32MB")
	cmd.Dir = s.dir
	cmd.Stdout, cmd.Stderr = logf, logf
	s.user.apply(cmd)
	dieWithParent(cmd)
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("pgtest: starting postgres: %w", err)
	}
	dead := make(chan struct{})
	go func() { cmd.Wait(); close(dead) }()
	s.proc, s.dead = cmd, dead
	deadline := time.Now().Add(startTimeout)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		conn, err := pgx.Connect(ctx, s.DSN("postgres"))
		cancel()
		if err == nil {
			conn.Close(context.Background())
			return nil
		}
		select {
		case <-dead:
			s.proc = nil
			return fmt.Errorf("pgtest: postgres exited at start: %s", s.logSince(start))
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			s.mu.Unlock()
			s.stop()
			s.mu.Lock()
			return fmt.Errorf("pgtest: postgres did not accept connections within %v: %v: %s", startTimeout, err, s.logSince(start))
		}
	}
}

func (s *Server) logSince(off int64) string {
	b, _ := os.ReadFile(filepath.Join(s.dir, "log"))
	if off < int64(len(b)) {
		b = b[off:]
	}
	return string(b)
}

// Stop shuts the server down (fast shutdown: open connections are ended)
// and returns once it exited. Its data stays for [Server.Start].
func (s *Server) Stop(tb testing.TB) {
	tb.Helper()
	if err := s.stop(); err != nil {
		tb.Fatal(err)
	}
}

// Restart stops the server and starts it again on the same port: every
// connection to it is ended, and what was committed is still there.
func (s *Server) Restart(tb testing.TB) {
	tb.Helper()
	s.Stop(tb)
	if err := s.Start(); err != nil {
		tb.Fatal(err)
	}
}

func (s *Server) stop() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.proc == nil {
		return nil
	}
	_ = s.proc.Process.Signal(os.Interrupt) // fast shutdown
	select {
	case <-s.dead:
	case <-time.After(startTimeout):
		_ = s.proc.Process.Kill()
		<-s.dead
		s.proc = nil
		return errors.New("pgtest: postgres did not stop in time: killed")
	}
	s.proc = nil
	return nil
}

// DSN is the URL of database db of the server, password included.
func (s *Server) DSN(db string) string {
	return fmt.Sprintf("postgres://postgres:%s@127.0.0.1:%d/%s?sslmode=disable", s.password, s.port, db)
}

// Password is the password of the server's postgres user.
func (s *Server) Password() string { return s.password }

// Port is the TCP port the server listens on.
func (s *Server) Port() int { return s.port }

// NewDatabase creates an empty database for tb and returns its DSN.
func (s *Server) NewDatabase(tb testing.TB) string {
	tb.Helper()
	name := strings.ToLower(regexp.MustCompile(`[^A-Za-z0-9]+`).ReplaceAllString(tb.Name(), "_"))
	name = fmt.Sprintf("t%d_%.40s", dbs.Add(1), name)
	s.Exec(tb, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize())
	return s.DSN(name)
}

// Durable turns fsync on, for benchmarks that measure a journal's real
// cost (tests run with fsync off: they never cut the machine's power),
// and returns once a new connection sees it on.
func (s *Server) Durable(tb testing.TB) {
	tb.Helper()
	s.Exec(tb, "ALTER SYSTEM SET fsync = on")
	s.Exec(tb, "SELECT pg_reload_conf()")
	deadline := time.Now().Add(startTimeout)
	for { // the reload is asynchronous: the postmaster reads the file, then new backends see it
		if v := s.setting(tb, "fsync"); v == "on" {
			return
		} else if time.Now().After(deadline) {
			tb.Fatalf("pgtest: fsync is still %q after ALTER SYSTEM and a reload", v)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// setting is the value of a setting as a new connection sees it.
func (s *Server) setting(tb testing.TB, name string) string {
	tb.Helper()
	var v string
	s.withConn(tb, func(ctx context.Context, conn *pgx.Conn) {
		if err := conn.QueryRow(ctx, "SELECT current_setting($1)", name).Scan(&v); err != nil {
			tb.Fatal(err)
		}
	})
	return v
}

// withConn calls f with a new connection to the server's postgres
// database, closed after.
func (s *Server) withConn(tb testing.TB, f func(context.Context, *pgx.Conn)) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	conn, err := pgx.Connect(ctx, s.DSN("postgres"))
	if err != nil {
		tb.Fatal(err)
	}
	defer conn.Close(ctx)
	f(ctx, conn)
}

// appendConf appends lines to a configuration file of the server.
func appendConf(path, lines string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return fmt.Errorf("pgtest: %w", err)
	}
	if _, err := f.WriteString(lines); err != nil {
		f.Close()
		return fmt.Errorf("pgtest: %w", err)
	}
	return f.Close()
}

// Exec runs sql in the server's postgres database.
func (s *Server) Exec(tb testing.TB, sql string) {
	tb.Helper()
	s.withConn(tb, func(ctx context.Context, conn *pgx.Conn) {
		if _, err := conn.Exec(ctx, sql); err != nil {
			tb.Fatalf("%s: %v", sql, err)
		}
	})
}
