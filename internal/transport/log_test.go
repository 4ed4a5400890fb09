package transport_test

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// The per-attempt log record of a failed attempt carries the error's text
// through Retry.Redact: a server can put anything in a malformed status line.
func TestAttemptLogIsRedacted(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, buf, _ := w.(http.Hijacker).Hijack()
		buf.WriteString("HTTP/1.1 ECHOED-SECRET\r\n\r\n")
		buf.Flush()
		conn.Close()
	}))
	defer srv.Close()
	var out bytes.Buffer
	rt, _ := chain(1)
	rt.Logger = slog.New(slog.NewTextHandler(&out, &slog.HandlerOptions{Level: slog.LevelDebug}))
	rt.Redact = func(s string) string { return strings.ReplaceAll(s, "ECHOED-SECRET", "[REDACTED]") }
	if _, err := send(t, rt, "GET", srv.URL, ""); err == nil || !strings.Contains(err.Error(), "ECHOED-SECRET") {
		t.Fatalf("err %v: the server's status line should be in the (unredacted) transport error", err)
	}
	if log := out.String(); strings.Contains(log, "ECHOED-SECRET") || !strings.Contains(log, "error=") || !strings.Contains(log, "[REDACTED]") {
		t.Errorf("log record:\n%s", log)
	}
}
