package signer

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Errors returned by Verify. ErrMissing and ErrMalformed mean the request is
// not authenticated at all (HTTP 401); the others that it is, wrongly (403).
var (
	ErrMissing      = errors.New("signer: no Authorization header")
	ErrMalformed    = errors.New("signer: malformed Authorization header")
	ErrUnknownKey   = errors.New("signer: unknown API key")
	ErrExpired      = errors.New("signer: signature expired")
	ErrBadSignature = errors.New("signer: signature does not match")
)

// Header is a parsed Authorization header.
type Header struct {
	Key             string
	SignedQueryArgs []string
	Expires         int64
	Signature       []byte
}

// ParseHeader parses an EXO2-HMAC-SHA256 Authorization header value.
func ParseHeader(v string) (Header, error) {
	var h Header
	rest, ok := strings.CutPrefix(v, Scheme+" ")
	if !ok {
		return h, ErrMalformed
	}
	var seen [4]bool
	for _, field := range strings.Split(rest, ",") {
		name, val, ok := strings.Cut(field, "=")
		if !ok {
			return h, ErrMalformed
		}
		var err error
		switch name {
		case "credential":
			h.Key, seen[0] = val, true
		case "signed-query-args":
			h.SignedQueryArgs, seen[1] = strings.Split(val, ";"), true
		case "expires":
			h.Expires, err = strconv.ParseInt(val, 10, 64)
			seen[2] = true
		case "signature":
			h.Signature, err = base64.StdEncoding.DecodeString(val)
			seen[3] = true
		default:
			return h, ErrMalformed
		}
		if err != nil || val == "" {
			return h, ErrMalformed
		}
	}
	if !seen[0] || !seen[2] || !seen[3] || len(h.Signature) != sha256.Size {
		return h, ErrMalformed
	}
	return h, nil
}

// Verify checks the signature of req, whose body bytes are given (the caller
// has read them). secretOf looks a key's secret up. It returns the API key
// on success. The query parameters signed are those the header names, in
// its order; each must occur exactly once in the request.
func Verify(req *http.Request, body []byte, secretOf func(key string) (string, bool), now time.Time) (string, error) {
	v := req.Header.Get("Authorization")
	if v == "" {
		return "", ErrMissing
	}
	h, err := ParseHeader(v)
	if err != nil {
		return "", err
	}
	secret, ok := secretOf(h.Key)
	if !ok {
		return h.Key, ErrUnknownKey
	}
	if now.Unix() > h.Expires {
		return h.Key, ErrExpired
	}
	all := signedParams(req.URL.RawQuery, nil)
	params := make([]param, 0, len(h.SignedQueryArgs))
	for _, n := range h.SignedQueryArgs {
		i := slices.IndexFunc(all, func(p param) bool { return p.name == n })
		if i < 0 {
			return h.Key, ErrBadSignature
		}
		params = append(params, all[i])
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(appendMessage(nil, req.Method, req.URL.EscapedPath(), params, body, h.Expires))
	if !hmac.Equal(mac.Sum(nil), h.Signature) {
		return h.Key, ErrBadSignature
	}
	return h.Key, nil
}
