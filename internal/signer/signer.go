// Package signer computes and checks EXO2-HMAC-SHA256 request signatures,
// the scheme every Exoscale API request is authenticated with.
//
// The signed message is five lines joined by "\n":
//
//	METHOD ESCAPED-PATH      (the path includes the endpoint's base path, /v1.alpha/...)
//	BODY                     (the exact bytes sent)
//	QUERY-VALUES             (values of single-valued query parameters, sorted by name, no separator)
//	                         (header values: none are signed, the line stays empty)
//	EXPIRES                  (Unix seconds)
//
// The signature is base64(HMAC-SHA256(secret, message)). The published prose
// says the message is base64-encoded before the HMAC; every reference
// implementation, and the API, do as above.
//
// A [Signer] is used by the client's transport; [Verify] by the fake server.
// Both share one message builder, so they cannot disagree.
package signer

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"hash"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Scheme is the Authorization scheme name.
const Scheme = "EXO2-HMAC-SHA256"

// DefaultTTL is how long a signature stays valid after it is made.
const DefaultTTL = 10 * time.Minute

// Signer signs requests with one API key and secret. It is safe for
// concurrent use. Formatting a Signer never shows the secret.
type Signer struct {
	key    string
	issued func(signature string)
	now    func() time.Time
	pool   *sync.Pool // of *state, each with an HMAC keyed by the secret
}

// state is the per-signature scratch space, pooled so that signing does not
// re-key an HMAC or grow a buffer on every request.
type state struct {
	mac hash.Hash
	buf []byte
}

// Option configures a Signer.
type Option func(*Signer)

// WithClock replaces time.Now, for tests and for verifying published vectors.
func WithClock(now func() time.Time) Option { return func(s *Signer) { s.now = now } }

// WithIssued registers fn to be called with every signature the Signer
// makes (base64, as in the Authorization header), so that the caller can
// recognise and redact it if a server echoes it back. fn must be safe for
// concurrent use.
func WithIssued(fn func(signature string)) Option { return func(s *Signer) { s.issued = fn } }

// New returns a Signer for the given API key and secret.
func New(key, secret string, opts ...Option) *Signer {
	s := &Signer{key: key, now: time.Now, pool: newPool(secret)}
	for _, o := range opts {
		o(s)
	}
	return s
}

func newPool(secret string) *sync.Pool {
	k := []byte(secret)
	return &sync.Pool{New: func() any {
		return &state{mac: hmac.New(sha256.New, k), buf: make([]byte, 0, 512)}
	}}
}

// Key returns the API key the Signer signs with.
func (s *Signer) Key() string { return s.key }

// String describes the Signer without its secret.
func (s *Signer) String() string { return "signer(" + s.key + ", secret redacted)" }

// GoString is String, so that %#v cannot print the secret either.
func (s *Signer) GoString() string { return s.String() }

// Expiry returns the expiry timestamp a signature made now would carry.
func (s *Signer) Expiry() int64 { return s.now().Add(DefaultTTL).Unix() }

// Authorization returns the Authorization header value for a request with
// the given method, escaped path (as url.URL.EscapedPath returns it, base path
// included), raw query string, body bytes and expiry.
func (s *Signer) Authorization(method, escapedPath, rawQuery string, body []byte, expires int64) string {
	var scratch [8]param // enough for every query this API takes, without allocating
	params := signedParams(rawQuery, scratch[:0])

	st := s.pool.Get().(*state)
	sig := st.sum(method, escapedPath, params, body, expires)

	b := append(st.buf[:0], Scheme+" credential="...)
	b = append(b, s.key...)
	if len(params) > 0 {
		b = append(b, ",signed-query-args="...)
		for i, p := range params {
			if i > 0 {
				b = append(b, ';')
			}
			b = append(b, p.name...)
		}
	}
	b = append(b, ",expires="...)
	b = strconv.AppendInt(b, expires, 10)
	b = append(b, ",signature="...)
	b = base64.StdEncoding.AppendEncode(b, sig[:])
	h := string(b)
	st.buf = b[:0]
	s.pool.Put(st)
	if s.issued != nil {
		s.issued(h[len(h)-base64.StdEncoding.EncodedLen(sha256.Size):])
	}
	return h
}

// sum builds the message into the state's buffer and returns its HMAC.
func (st *state) sum(method, escapedPath string, params []param, body []byte, expires int64) [sha256.Size]byte {
	st.buf = appendMessage(st.buf[:0], method, escapedPath, params, body, expires)
	st.mac.Reset()
	st.mac.Write(st.buf)
	var sum [sha256.Size]byte
	st.mac.Sum(sum[:0])
	return sum
}

// Message returns the exact message that is signed. It holds no secret; it
// is for tests and for debugging signature mismatches.
func Message(method, escapedPath, rawQuery string, body []byte, expires int64) string {
	return string(appendMessage(nil, method, escapedPath, signedParams(rawQuery, nil), body, expires))
}

// appendMessage appends the five-line message to b.
func appendMessage(b []byte, method, escapedPath string, params []param, body []byte, expires int64) []byte {
	b = append(b, method...)
	b = append(b, ' ')
	b = append(b, escapedPath...)
	b = append(b, '\n')
	b = append(b, body...)
	b = append(b, '\n')
	for _, p := range params {
		b = append(b, p.value...)
	}
	b = append(b, '\n', '\n')
	return strconv.AppendInt(b, expires, 10)
}

// param is one decoded query parameter.
type param struct{ name, value string }

// signedParams appends to dst the query parameters that occur exactly once
// in rawQuery, decoded and sorted by name: those are the ones signed. A name
// the header could not carry (empty, or holding ',' ';' or '=') is not signed.
func signedParams(rawQuery string, dst []param) []param {
	for q := rawQuery; q != ""; {
		var kv string
		kv, q, _ = strings.Cut(q, "&")
		if kv == "" {
			continue
		}
		k, v, _ := strings.Cut(kv, "=")
		if k = unescape(k); k == "" || strings.ContainsAny(k, ",;=") {
			continue
		}
		dst = append(dst, param{k, unescape(v)})
	}
	if len(dst) < 2 {
		return dst
	}
	slices.SortStableFunc(dst, func(a, b param) int { return strings.Compare(a.name, b.name) })
	out := dst[:0]
	for i := 0; i < len(dst); {
		j := i + 1
		for j < len(dst) && dst[j].name == dst[i].name {
			j++
		}
		if j == i+1 {
			out = append(out, dst[i])
		}
		i = j
	}
	return out
}

// unescape decodes a query component; a malformed one is kept as sent, which
// is what the server sees too.
func unescape(s string) string {
	if !strings.ContainsAny(s, "%+") {
		return s
	}
	if u, err := url.QueryUnescape(s); err == nil {
		return u
	}
	return s
}

// Sign sets the Authorization header of req, signing its method, escaped
// path, query and body with an expiry of now + TTL. The body stays readable
// for sending and for every retry: when req.GetBody is set (any request built
// from in-memory bytes) the signed bytes are read from a fresh copy and
// req.Body is left untouched; otherwise the body is read once and replaced by
// an in-memory copy, with req.GetBody set to replay it.
func (s *Signer) Sign(req *http.Request) error {
	if req.GetBody == nil || req.Body == nil || req.Body == http.NoBody {
		body, err := readBody(req)
		if err != nil {
			return err
		}
		req.Header.Set("Authorization", s.Authorization(req.Method, req.URL.EscapedPath(), req.URL.RawQuery, body, s.Expiry()))
		return nil
	}
	buf := bufPool.Get().(*bytes.Buffer)
	defer bufPool.Put(buf)
	buf.Reset()
	rc, err := req.GetBody()
	if err == nil {
		_, err = buf.ReadFrom(rc)
		_ = rc.Close()
	}
	if err != nil {
		return fmt.Errorf("signer: reading request body: %w", err)
	}
	req.Header.Set("Authorization", s.Authorization(req.Method, req.URL.EscapedPath(), req.URL.RawQuery, buf.Bytes(), s.Expiry()))
	return nil
}

// bufPool holds the buffers request bodies are read into for signing.
var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// readBody returns the bytes of req's body and leaves the body readable
// again, with req.GetBody set to replay it. A request without a body yields nil.
func readBody(req *http.Request) ([]byte, error) {
	if req.Body == nil || req.Body == http.NoBody {
		return nil, nil
	}
	var b []byte
	var err error
	if req.ContentLength > 0 {
		b = make([]byte, req.ContentLength)
		_, err = io.ReadFull(req.Body, b)
	} else {
		b, err = io.ReadAll(req.Body)
	}
	_ = req.Body.Close()
	if err != nil {
		return nil, fmt.Errorf("signer: reading request body: %w", err)
	}
	req.Body = io.NopCloser(bytes.NewReader(b))
	req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
	return b, nil
}
