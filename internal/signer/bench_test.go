package signer_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"net/http"
	"strings"
	"testing"

	"github.com/exopartner/exopartner/internal/signer"
)

// The floor: a bare HMAC-SHA256 of the exact message our signer signs.
// Our signer adds building the message, base64 and the header.
func BenchmarkSign(b *testing.B) {
	v := vectors[5] // usage with period: a path, a query arg, no body
	path, query := "/v1.alpha/distributor/organization/0b6e5b1c-8d53-4e7f-9a52-2f4f2d0c9e11/usage", "period=2025-01"
	msg := []byte(v.message)
	b.Run("impl=raw", func(b *testing.B) {
		b.ReportAllocs()
		key := []byte(v.secret)
		for b.Loop() {
			m := hmac.New(sha256.New, key)
			m.Write(msg)
			_ = m.Sum(nil)
		}
	})
	s := signer.New(v.key, v.secret)
	b.Run("impl=exopartner", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_ = s.Authorization("GET", path, query, nil, v.expires)
		}
	})
	body := strings.Repeat("x", 256)
	b.Run("impl=exopartner-sign-request-with-body", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			req, _ := http.NewRequest("POST", "https://partner-api.exoscale.com/v1.alpha/distributor/organization", strings.NewReader(body))
			_ = s.Sign(req)
		}
	})
}
