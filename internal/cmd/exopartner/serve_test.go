package main

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/exopartner/exopartner/api"
	"github.com/exopartner/exopartner/internal/signer"
	"github.com/exopartner/exopartner/wrapper"
	"github.com/exopartner/exopartner/wrapper/partnertest"
)

// served is a `serve` command running in the background.
type served struct {
	url            string // base URL, /v1.alpha included
	stdout, stderr *syncBuffer
	cancel         context.CancelFunc
	done           chan int // the exit code, once run returns
}

// startServe runs `exopartner serve --addr 127.0.0.1:0` until the test
// cancels it, and waits for it to print its URL.
func startServe(t *testing.T, getenv func(string) string, global ...string) *served {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	s := &served{stdout: &syncBuffer{}, stderr: &syncBuffer{}, cancel: cancel, done: make(chan int, 1)}
	args := append(global, "serve", "--addr", "127.0.0.1:0")
	go func() { s.done <- run(ctx, args, s.stdout, s.stderr, getenv) }()
	t.Cleanup(func() {
		cancel()
		<-s.done
	})
	// The banner is complete (key line included) once it says how to stop.
	re := regexp.MustCompile(`(?s)serving the fake Partner API at (http://\S+)\n.*press Ctrl-C to stop\n`)
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if m := re.FindStringSubmatch(s.stdout.String()); m != nil {
			s.url = m[1]
			return s
		}
		select {
		case code := <-s.done:
			s.done <- code
			t.Fatalf("serve exited %d: stderr:\n%s", code, s.stderr.String())
		default:
		}
	}
	t.Fatalf("serve printed no URL:\n%s", s.stdout.String())
	return nil
}

// stop cancels serve's context and returns its exit code.
func (s *served) stop(t *testing.T) int {
	t.Helper()
	s.cancel()
	select {
	case code := <-s.done:
		s.done <- code
		return code
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not stop")
		return -1
	}
}

// authorization computes an EXO2-HMAC-SHA256 Authorization header from the
// published description alone, as a client in another language would.
func authorization(key, secret, method, escapedPath, rawQuery string, body []byte, expires int64) string {
	q, _ := url.ParseQuery(rawQuery)
	var names []string
	for name, values := range q {
		if len(values) == 1 {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	var values strings.Builder
	for _, n := range names {
		values.WriteString(q.Get(n))
	}
	msg := method + " " + escapedPath + "\n" + string(body) + "\n" + values.String() + "\n\n" + strconv.FormatInt(expires, 10)
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(msg))
	h := signer.Scheme + " credential=" + key
	if len(names) > 0 {
		h += ",signed-query-args=" + strings.Join(names, ";")
	}
	return h + ",expires=" + strconv.FormatInt(expires, 10) + ",signature=" + base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// rawClient talks to the served API with net/http alone.
type rawClient struct {
	t           *testing.T
	base        string
	key, secret string
}

// do sends one request, signed unless secret is "", and returns the status
// and the body.
func (c rawClient) do(method, path string, body []byte) (int, []byte) {
	c.t.Helper()
	req, err := http.NewRequest(method, c.base+path, bytes.NewReader(body))
	if err != nil {
		c.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.secret != "" {
		expires := time.Now().Add(5 * time.Minute).Unix()
		auth := authorization(c.key, c.secret, method, req.URL.EscapedPath(), req.URL.RawQuery, body, expires)
		if want := signer.New(c.key, c.secret).Authorization(method, req.URL.EscapedPath(), req.URL.RawQuery, body, expires); auth != want {
			c.t.Fatalf("the hand-made signature differs from the project's signer:\n%s\n%s", auth, want)
		}
		req.Header.Set("Authorization", auth)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	return resp.StatusCode, b
}

// TestServe drives `serve` with a raw HTTP client through an organization's
// whole lifecycle, checks it refuses unsigned and wrongly signed requests,
// then stops it by cancelling its context.
func TestServe(t *testing.T) {
	t.Parallel()
	const key, secret = "EXOserve0000000000000000001", "serve-secret-never-printed"
	s := startServe(t, mapEnv(map[string]string{wrapper.EnvAPIKey: key, wrapper.EnvAPISecret: secret}))
	if !strings.HasPrefix(s.url, "http://127.0.0.1:") || !strings.HasSuffix(s.url, partnertest.BasePath) || strings.HasSuffix(s.url, ":0"+partnertest.BasePath) {
		t.Fatalf("URL %s", s.url)
	}
	if out := s.stdout.String(); strings.Contains(out, secret) || !strings.Contains(out, key) {
		t.Errorf("stdout must name the key but not the secret:\n%s", out)
	}
	c := rawClient{t: t, base: s.url, key: key, secret: secret}

	body, _ := json.Marshal(map[string]any{
		"display-name": "Bergbahn Digital AG", "owner-email": "it@bergbahn.example", "client-id": "crm-5001",
		"billing-address": map[string]string{
			"name": "Bergbahn Digital AG", "street-name": "Dorfstrasse", "building-number": "7",
			"postal-code": "3920", "city": "Zermatt", "country": "CH",
		},
	})
	status, b := c.do(http.MethodPost, "/distributor/organization", body)
	var org api.Organization
	if err := json.Unmarshal(b, &org); status != http.StatusOK || err != nil || org.ID == (wrapper.ID{}) || org.Status != api.StatusActive {
		t.Fatalf("create: %d %s", status, b)
	}
	orgPath := "/distributor/organization/" + org.ID.String()

	for _, step := range []struct {
		method, path string
		status       int
		want         api.Status
	}{
		{http.MethodGet, orgPath, http.StatusOK, api.StatusActive},
		{http.MethodPut, orgPath + ":suspend", http.StatusOK, api.StatusSuspended},
		{http.MethodGet, orgPath, http.StatusOK, api.StatusSuspended},
		{http.MethodPut, orgPath + ":activate", http.StatusOK, api.StatusActive},
	} {
		status, b := c.do(step.method, step.path, nil)
		var o api.Organization
		if err := json.Unmarshal(b, &o); status != step.status || err != nil || o.Status != step.want || o.ClientID != "crm-5001" {
			t.Errorf("%s %s: %d %s", step.method, step.path, status, b)
		}
	}

	// A signed query argument.
	if status, b := c.do(http.MethodGet, orgPath+"/usage?period=2025-01", nil); status != http.StatusOK || !bytes.Contains(b, []byte(`"start-date":"2025-01-01T00:00:00Z"`)) {
		t.Errorf("usage: %d %s", status, b)
	}
	if status, b := c.do(http.MethodDelete, orgPath+":terminate", nil); status != http.StatusOK || !bytes.Contains(b, []byte("terminated")) {
		t.Errorf("terminate: %d %s", status, b)
	}
	if status, b := c.do(http.MethodPut, orgPath+":activate", nil); status != http.StatusConflict {
		t.Errorf("activate after terminate: %d %s", status, b)
	}
	if status, b := c.do(http.MethodPut, orgPath+":schedule-purge", nil); status != http.StatusAccepted || !bytes.Contains(b, []byte("purge")) {
		t.Errorf("schedule-purge: %d %s", status, b)
	}

	unsigned := rawClient{t: t, base: s.url}
	if status, b := unsigned.do(http.MethodGet, "/distributor/organization", nil); status != http.StatusUnauthorized {
		t.Errorf("no Authorization: %d %s", status, b)
	}
	wrong := rawClient{t: t, base: s.url, key: key, secret: "not-the-secret"}
	if status, b := wrong.do(http.MethodGet, "/distributor/organization", nil); status != http.StatusForbidden {
		t.Errorf("bad signature: %d %s", status, b)
	}
	if status, b := c.do(http.MethodGet, "/distributor/organization", nil); status != http.StatusOK || !bytes.Contains(b, []byte(`"status":"terminated"`)) {
		t.Errorf("list: %d %s", status, b)
	}

	if code := s.stop(t); code != 0 {
		t.Errorf("serve exited %d after cancel; stderr:\n%s", code, s.stderr.String())
	}
	if !strings.HasSuffix(s.stdout.String(), "stopped\n") {
		t.Errorf("stdout:\n%s", s.stdout.String())
	}
	u, _ := url.Parse(s.url)
	if conn, err := net.DialTimeout("tcp", u.Host, time.Second); err == nil {
		conn.Close()
		t.Errorf("%s still accepts connections after serve stopped", u.Host)
	}
}

// TestServeDemoCredentials: with no credentials in the environment, serve
// accepts the demo pair, prints it with a command line that works, and -v
// logs the requests it serves.
func TestServeDemoCredentials(t *testing.T) {
	t.Parallel()
	s := startServe(t, mapEnv(nil), "-v")
	out := s.stdout.String()
	hint := wrapper.EnvAPIKey + "=" + partnertest.DemoKey + " " + wrapper.EnvAPISecret + "=" + partnertest.DemoSecret +
		" exopartner --endpoint " + s.url + " list-distributor-organizations"
	if !strings.Contains(out, hint) {
		t.Errorf("stdout lacks the hint %q:\n%s", hint, out)
	}

	// The hint, followed.
	env := mapEnv(map[string]string{wrapper.EnvAPIKey: partnertest.DemoKey, wrapper.EnvAPISecret: partnertest.DemoSecret})
	r := runCLI(t, env, "--endpoint", s.url, "list-distributor-organizations")
	if r.code != 0 || !strings.HasPrefix(r.stdout, "ID ") {
		t.Errorf("exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	if code := s.stop(t); code != 0 {
		t.Errorf("serve exited %d", code)
	}
	if log := s.stderr.String(); !strings.Contains(log, "method=GET path=/v1.alpha/distributor/organization status=200") {
		t.Errorf("-v logged:\n%s", log)
	}
}

func TestServeErrors(t *testing.T) {
	t.Parallel()
	r := runCLI(t, mapEnv(map[string]string{wrapper.EnvAPIKey: "EXOkey"}), "serve", "--addr", "127.0.0.1:0")
	if r.code != 2 || !strings.Contains(r.stderr, "set both "+wrapper.EnvAPIKey+" and "+wrapper.EnvAPISecret) {
		t.Errorf("half-set credentials: exit %d, stderr %q", r.code, r.stderr)
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	r = runCLI(t, mapEnv(nil), "serve", "--addr", ln.Addr().String())
	if r.code != 1 || !strings.Contains(r.stderr, "exopartner: serve:") {
		t.Errorf("address in use: exit %d, stderr %q", r.code, r.stderr)
	}
	r = runCLI(t, mapEnv(nil), "serve", "extra")
	if r.code != 2 {
		t.Errorf("extra argument: exit %d, stderr %q", r.code, r.stderr)
	}
}
