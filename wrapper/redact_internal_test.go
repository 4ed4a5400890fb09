package wrapper

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
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

// BenchmarkRedactErrorBody: the cost of cleaning the largest error body the
// client reads (64 KiB of base64-like text, the worst case for the scan) with
// a full ring of issued signatures. It is paid on failed calls only.
func BenchmarkRedactErrorBody(b *testing.B) {
	r := newRedactor("some-secret-value")
	for range issuedSignatures {
		r.issued(randomSignature())
	}
	body := strings.Repeat(randomSignature()[:40]+" ", maxErrorBody/41)
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		_ = r.text(body)
	}
}
