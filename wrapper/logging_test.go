package wrapper_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/exopartner/exopartner/wrapper"
	"github.com/exopartner/exopartner/wrapper/partnertest"
)

// One debug record per attempt, with operation, method, path, status,
// duration and attempt number.
func TestOneLogRecordPerAttempt(t *testing.T) {
	srv := partnertest.NewServer()
	defer srv.Close()
	var out bytes.Buffer
	c, err := wrapper.New(wrapper.WithCredentials(srv.Key(), srv.Secret()), wrapper.WithEndpoint(srv.URL),
		wrapper.WithRetry(4, time.Millisecond, 5*time.Millisecond),
		wrapper.WithLogger(slog.New(slog.NewJSONHandler(&out, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	if err != nil {
		t.Fatal(err)
	}
	id := srv.AddOrganizations(1)[0]
	srv.InjectFault("suspend-distributor-organization", 1, partnertest.Fault{Status: 503})
	if _, err := c.SuspendOrganization(context.Background(), id); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("%d records for 2 attempts:\n%s", len(lines), out.String())
	}
	for i, line := range lines {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatal(err)
		}
		want := map[string]any{
			"level": "DEBUG", "operation": "suspend-distributor-organization", "method": "PUT",
			"path":    "/v1.alpha/distributor/organization/" + id.String() + ":suspend",
			"attempt": float64(i + 1), "status": float64([]int{503, 200}[i]),
		}
		for k, v := range want {
			if rec[k] != v {
				t.Errorf("record %d: %s = %v, want %v", i+1, k, rec[k], v)
			}
		}
		if d, ok := rec["duration"].(float64); !ok || d <= 0 {
			t.Errorf("record %d: duration %v", i+1, rec["duration"])
		}
		if strings.Contains(line, srv.Secret()) || strings.Contains(line, "signature") {
			t.Errorf("record %d carries a secret or signature: %s", i+1, line)
		}
	}
}
