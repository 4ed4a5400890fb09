package wrapper

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

func randomSignature() string {
	var b [32]byte
	_, _ = rand.Read(b[:])
	return base64.StdEncoding.EncodeToString(b[:])
}

// The set of issued signatures is bounded: the oldest are forgotten, the
// most recent issuedSignatures are all recognised, from many goroutines.
func TestRedactorRemembersTheRecentSignatures(t *testing.T) {
	r := newRedactor("")
	first := randomSignature()
	r.issued(first)
	sigs := make([]string, issuedSignatures)
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Go(func() {
			for i := w; i < len(sigs); i += 8 {
				sigs[i] = randomSignature()
				r.issued(sigs[i])
				_ = r.text("echo " + sigs[i]) // redacting while others register
			}
		})
	}
	wg.Wait()
	if len(r.set) != issuedSignatures {
		t.Errorf("%d signatures remembered, want %d", len(r.set), issuedSignatures)
	}
	if got := r.text("old " + first); got != "old "+first {
		t.Errorf("the oldest signature is still redacted (%q): the set is not bounded", got)
	}
	for _, s := range sigs {
		if got := r.text("x" + s + "y"); got != "x[REDACTED]y" {
			t.Fatalf("a recent signature is not redacted: %q", got)
		}
	}
}

// Every escaping of a signature and of the secret is removed, and nothing
// else is touched.
func TestRedactorForms(t *testing.T) {
	sig := "ab+/" + strings.Repeat("Q", 39) + "="
	r := newRedactor("s3cr et/+")
	r.issued(sig)
	for _, in := range []string{
		sig, sig[:43], "ab%2B%2F" + sig[4:43] + "%3D", "ab%252B%252F" + sig[4:], "ab+%2F" + sig[4:],
		`ab\u002b\/` + sig[4:], `ab+\\\/` + sig[4:43] + `\u003d`, "ab-_" + sig[4:],
		"s3cr et/+", "s3cr+et%2F%2B", "s3cr%20et%2F+", `s3cr et\/\u002B`,
	} {
		if got := r.text("<" + in + ">"); got != "<[REDACTED]>" {
			t.Errorf("%s: got %q", in, got)
		}
	}
	for _, in := range []string{"plain text 100%", `a\b`, sig[:42], "s3cr et"} {
		if got := r.text(in); got != in {
			t.Errorf("%q changed to %q", in, got)
		}
	}
}

// A redacted error still matches what it wrapped, and every error its chain
// unwraps to is redacted too.
func TestRedactedErrorChain(t *testing.T) {
	r := newRedactor("topsecret")
	inner := fmt.Errorf("reading topsecret: %w", io.ErrUnexpectedEOF)
	err := r.err(fmt.Errorf("outer topsecret: %w", inner))
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Error("the chain is lost")
	}
	for e := err; e != nil; e = errors.Unwrap(e) {
		if strings.Contains(e.Error(), "topsecret") {
			t.Errorf("%q", e.Error())
		}
	}
}

// Redacting is linear in the text, whatever its shape: a megabyte of
// backslashes (quadratic before: 64 KiB took seconds), of escapes behind
// long runs of backslashes, or of beginnings of issued signatures, is
// redacted well within the watchdog, and a secret escaped behind any number
// of backslashes is still found.
func TestRedactionIsLinear(t *testing.T) {
	const secret = "s3cr/et+key"
	r := newRedactor(secret)
	sigs := make([]string, issuedSignatures)
	for i := range sigs {
		sigs[i] = randomSignature()
		r.issued(sigs[i])
	}
	const big, small = 512 << 10, 64 << 10 // the quadratic shapes at a size where they took minutes; the others cost more per byte
	run := strings.Repeat(`\`, 1000)
	escaped := "s3cr" + run + "/et" + run + "u002bkey" // the secret, its / and + behind 1000 backslashes
	var prefixes strings.Builder
	for i := 0; prefixes.Len() < small; i++ {
		prefixes.WriteString(sigs[i%len(sigs)][:42] + ".") // each one character short of a signature
	}
	for name, tt := range map[string]struct{ in, want string }{
		"backslashes":               {strings.Repeat(`\`, big), strings.Repeat(`\`, big)},
		"an escaped secret, after":  {strings.Repeat(`\`, big) + escaped, strings.Repeat(`\`, big) + redacted},
		"escapes behind long runs":  {strings.Repeat(run+"u0073", small/len(run)), strings.Repeat(run+"u0073", small/len(run))},
		"beginnings of signatures":  {prefixes.String(), prefixes.String()},
		"beginnings of the secret":  {strings.Repeat("s3cr/et+ke", small/10), strings.Repeat("s3cr/et+ke", small/10)},
		"signature= over and again": {strings.Repeat("signature=x,", small/12), strings.Repeat("signature="+redacted+",", small/12)},
	} {
		done := make(chan string, 1)
		go func() { done <- r.text(tt.in) }()
		select {
		case got := <-done:
			if got != tt.want {
				t.Errorf("%s: redacted to %d bytes ending %q, want %d ending %q", name, len(got), got[max(0, len(got)-40):], len(tt.want), tt.want[max(0, len(tt.want)-40):])
			}
		case <-time.After(30 * time.Second): // linear: well under a second, even under -race on a busy machine
			t.Fatalf("%s: redacting %d bytes takes more than 30 s: not linear", name, len(tt.in))
		}
	}
}

// A text cut before it is redacted never shows the beginning of a secret or
// of a signature that the cut splits, in any form; text that merely ends
// at the cut is kept.
func TestCutNeverSplitsASecret(t *testing.T) {
	const secret = "SECRET/canary+7f3e=9a1b"
	// A fixed signature: a random one could begin with the last character
	// of the texts below that merely end at the cut ("n", "0", "b"), which
	// the cut then rightly takes for the beginning of a signature.
	const sig = "QzL0mB7v3+Yp/9sXk2Wq8rN1tD5hE6gJ4aC0fU7iO2w="
	r := newRedactor(secret)
	r.issued(sig)
	esc := strings.NewReplacer("/", `\/`, "+", `\u002b`, "=", `\\\u003d`)
	forms := []string{
		secret, url.QueryEscape(secret), url.PathEscape(secret), esc.Replace(secret),
		strings.ReplaceAll(url.QueryEscape(secret), "%", "%25"),
		sig, url.QueryEscape(sig), esc.Replace(sig), strings.NewReplacer("+", "-", "/", "_").Replace(sig),
	}
	for _, f := range forms {
		for k := 1; k < len(f); k++ {
			in := "echo: " + f + " and more"
			if got, want := r.cut(in, len("echo: ")+k, false), "echo: "+redacted+"… (cut)"; got != want {
				t.Errorf("%q cut after %d bytes: %q, want %q", f, k, got, want)
			}
		}
		// Cut before (a body read up to a limit), then kept whole here.
		if got, want := r.cut("echo: "+f[:len(f)-1], 1<<10, true), "echo: "+redacted+"… (cut)"; got != want {
			t.Errorf("%q, cut before: %q, want %q", f, got, want)
		}
	}
	for _, in := range []string{"echo: Sunday and more", "echo: 100% and more", `echo: a\b and more`} {
		if got, want := r.cut(in, len("echo: ")+3, false), in[:len("echo: ")+3]+"… (cut)"; got != want {
			t.Errorf("%q: %q, want %q", in, got, want)
		}
	}
	if got := r.cut("short", 10, false); got != "short" {
		t.Errorf("an uncut text changed: %q", got)
	}
}

// BenchmarkRedact: the cost of redacting hostile texts, against a bare
// baseline on the same input in the same run (impl=raw: strings.ReplaceAll
// of the raw secret, which finds no escaped form), with 1 024 issued
// signatures remembered. The same ratio at every size is the claim: the
// scan is linear. Server text is cut to 2 KiB (256 bytes for a header)
// before it is redacted, so size=2KiB is what a hostile answer costs.
func BenchmarkRedact(b *testing.B) {
	const secret = "Zq8Hw2Ld9Kv3-benchmark-secret-0123456789ab"
	r := newRedactor(secret)
	sigs := make([]string, issuedSignatures)
	for i := range sigs {
		sigs[i] = randomSignature()
		r.issued(sigs[i])
	}
	fill := func(n int, unit func(i int) string) string {
		var s strings.Builder
		for i := 0; s.Len() < n; i++ {
			s.WriteString(unit(i))
		}
		return s.String()[:n]
	}
	run := strings.Repeat(`\`, 64)
	shapes := []struct {
		name string
		make func(n int) string
	}{
		// The text of the issue: a request id of backslashes.
		{"backslashes", func(n int) string { return strings.Repeat(`\`, n) }},
		// The secret but its last character, each character escaped behind
		// 64 backslashes: every position inside a run decodes deep into the secret.
		{"escaped-secret-prefixes", func(n int) string {
			return fill(n, func(i int) string { return run + fmt.Sprintf("u%04x", secret[i%(len(secret)-1)]) })
		}},
		// Issued signatures but their last character: each aligned position
		// decodes 42 characters and passes the prefix test.
		{"signature-prefixes", func(n int) string { return fill(n, func(i int) string { return sigs[i%len(sigs)][:42] + "." }) }},
	}
	for _, sh := range shapes {
		for _, size := range []int{2 << 10, 64 << 10, 1 << 20} {
			in := sh.make(size)
			name := fmt.Sprintf("input=%s/size=%dKiB", sh.name, size>>10)
			b.Run(name+"/impl=raw", func(b *testing.B) {
				b.SetBytes(int64(len(in)))
				for b.Loop() {
					_ = strings.ReplaceAll(in, secret, redacted)
				}
			})
			b.Run(name+"/impl=exopartner", func(b *testing.B) {
				b.SetBytes(int64(len(in)))
				for b.Loop() {
					_ = r.text(in)
				}
			})
		}
	}
}

// A healthy call keeps its deadline while a hostile answer is being
// redacted on the same client: the redaction is held in progress (the test
// blocks it from inside the scan) until the healthy call is done, so the
// outcome does not depend on how long either takes. Were the redactor to
// hold the lock that signing takes while it scans, the healthy call could
// not even be signed until the scan ended.
func TestHealthyCallKeepsItsDeadlineDuringARedaction(t *testing.T) {
	const hostile, healthy = "0b6e5b1c-8d53-4e7f-9a52-00000000000a", "0b6e5b1c-8d53-4e7f-9a52-00000000000b"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, hostile) {
			w.WriteHeader(http.StatusInternalServerError)
			_, _ = io.WriteString(w, "hostile answer")
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"id":"`+healthy+`","status":"active"}`)
	}))
	defer srv.Close()
	c, err := New(WithCredentials("EXOkey", "secret"), WithEndpoint(srv.URL+"/v1.alpha"), WithoutRetries())
	if err != nil {
		t.Fatal(err)
	}
	scanning, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	secretAt := c.redact.secretAt
	c.redact.secretAt = func(d *decoded, i int) int {
		if i == 0 && strings.HasPrefix(d.s, "hostile") {
			once.Do(func() { close(scanning); <-release }) // the scan is in progress, and stays so
		}
		return secretAt(d, i)
	}
	hostileErr := make(chan error, 1)
	go func() {
		_, err := c.GetOrganization(context.Background(), MustParseID(hostile))
		hostileErr <- err
	}()
	select {
	case <-scanning:
	case err := <-hostileErr:
		t.Fatalf("the hostile call ended (%v) without redacting its answer", err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second) // generous: a loopback call takes milliseconds
	defer cancel()
	healthyErr := make(chan error, 1)
	go func() {
		_, err := c.GetOrganization(ctx, MustParseID(healthy))
		healthyErr <- err
	}()
	select {
	case err := <-healthyErr:
		if err != nil {
			t.Errorf("the healthy call failed while the hostile answer was redacted: %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Error("the healthy call is blocked while the hostile answer is redacted, past its deadline")
	}
	close(release)
	if err := <-hostileErr; !errors.Is(err, ErrServer) {
		t.Fatalf("the hostile call: %v, want its 500", err)
	}
}
