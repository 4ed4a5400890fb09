package pgtest_test

import (
	"context"
	"os"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/exopartner/exopartner/internal/pgtest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// TestServer: a database of its own, behind a password, and what was
// committed survives a restart.
func TestServer(t *testing.T) {
	srv := pgtest.Get(t)
	dsn := srv.NewDatabase(t)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, "CREATE TABLE kept (v int); INSERT INTO kept VALUES (42)"); err != nil {
		t.Fatal(err)
	}
	conn.Close(ctx)
	srv.Restart(t)
	conn, err = pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var v int
	if err := conn.QueryRow(ctx, "SELECT v FROM kept").Scan(&v); err != nil || v != 42 {
		t.Fatalf("after a restart: %d, %v", v, err)
	}
	bad := pgtest.Get(t).DSN("postgres")
	bad = bad[:len("postgres://postgres:")] + "wrong" + bad[len("postgres://postgres:")+len(srv.Password()):]
	if c, err := pgx.Connect(ctx, bad); err == nil {
		c.Close(ctx)
		t.Error("a wrong password was accepted")
	}
}

// TestDurable: Durable really turns fsync on (a setting on the server's
// command line would outrank ALTER SYSTEM), while tests run without it.
func TestDurable(t *testing.T) {
	srv := pgtest.Get(t)
	ctx := context.Background()
	fsync := func() string {
		conn, err := pgx.Connect(ctx, srv.DSN("postgres"))
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(ctx)
		var v string
		if err := conn.QueryRow(ctx, "SHOW fsync").Scan(&v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	if v := fsync(); v != "off" {
		t.Fatalf("tests run with fsync %s, want off", v)
	}
	srv.Durable(t)
	if v := fsync(); v != "on" {
		t.Fatalf("after Durable, fsync is %s", v)
	}
}
