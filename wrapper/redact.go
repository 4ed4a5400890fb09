package wrapper

import (
	"errors"
	"net/url"
	"reflect"
	"strings"
	"sync"
)

// redacted replaces what must not leave the client.
const redacted = "[REDACTED]"

// issuedSignatures is how many of the most recent signatures a client
// remembers, and so recognises when a server echoes them. A server echoes
// the signature of the request it is answering; 1024 leaves room for as many
// requests made by the same client while that answer is on its way.
const issuedSignatures = 1024

// sigLen is the length of a signature without its padding: base64 of a
// 32-byte HMAC-SHA256 is 43 characters and one '='.
const sigLen = 43

// redactor is the one place text is cleaned before it leaves the client in
// an error or a log record. It removes the API secret and every signature
// the client issued recently, in the forms a server or a library may give
// them back: raw, URL-escaped (query or path, even twice), JSON- or
// Go-quoted (\/, \uXXXX, any number of backslashes), and for signatures
// base64url. The signer registers each signature it makes with issued.
// It is safe for concurrent use.
type redactor struct {
	// secretAt returns where the secret, starting at s[i], ends, or -1. A
	// closure, so that formatting the redactor (or a Client holding it)
	// cannot print the secret.
	secretAt func(s string, i int) int

	mu   sync.Mutex
	ring [issuedSignatures][sigLen]byte
	next int                  // the ring slot the next signature goes to
	full bool                 // every slot of the ring holds a signature
	set  map[[sigLen]byte]int // the signatures in the ring, with their count
	pre  map[uint32]int       // their first four characters, with their count: a cheap first test
}

// prefix packs the first four characters of a signature.
func prefix(k []byte) uint32 {
	return uint32(k[0])<<24 | uint32(k[1])<<16 | uint32(k[2])<<8 | uint32(k[3])
}

func newRedactor(secret string) *redactor {
	return &redactor{secretAt: func(s string, i int) int { return secretAt(secret, s, i) }, set: make(map[[sigLen]byte]int), pre: make(map[uint32]int)}
}

// issued records a signature this client sent (base64, as in the
// Authorization header). The oldest is forgotten once the ring is full.
func (r *redactor) issued(signature string) {
	if len(signature) < sigLen {
		return
	}
	var k [sigLen]byte
	copy(k[:], signature)
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.full {
		old := r.ring[r.next]
		if r.set[old]--; r.set[old] <= 0 {
			delete(r.set, old)
		}
		if p := prefix(old[:]); r.pre[p] <= 1 {
			delete(r.pre, p)
		} else {
			r.pre[p]--
		}
	}
	r.ring[r.next] = k
	r.set[k]++
	r.pre[prefix(k[:])]++
	r.next++
	if r.next == len(r.ring) {
		r.next, r.full = 0, true
	}
}

// known reports whether k is an issued signature; r.mu is held.
func (r *redactor) known(k [sigLen]byte) bool { return r.set[k] > 0 }

// text returns s without the secret, without any signature this client
// issued, and without whatever follows a literal "signature=" (an
// Authorization header echoed whole, possibly one made by someone else).
func (r *redactor) text(s string) string {
	return afterSignatureParam(r.scan(s))
}

// scan replaces every occurrence of the secret and of an issued signature
// in s, whatever its escaping. At each position it decodes characters one
// escape at a time and compares them with the secret, and with the issued
// signatures once 43 base64 characters are read; a match is replaced whole
// (for a signature, with its padding).
func (r *redactor) scan(s string) string {
	r.mu.Lock() // once for the whole text, not at every position
	defer r.mu.Unlock()
	var b strings.Builder
	last := 0 // s[last:i] is not yet copied to b
	for i := 0; i < len(s); {
		end := r.secretAt(s, i)
		if end < 0 {
			end = r.signatureAt(s, i)
		}
		if end < 0 {
			i++
			continue
		}
		b.WriteString(s[last:i])
		b.WriteString(redacted)
		last, i = end, end
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// secretAt returns where secret, starting at s[i], ends, or -1.
func secretAt(secret, s string, i int) int {
	if secret == "" {
		return -1
	}
	for k := 0; k < len(secret); k++ {
		c, w := unit(s[i:])
		if w == 0 || (c != secret[k] && (c != '+' || secret[k] != ' ')) { // QueryEscape writes ' ' as '+'
			return -1
		}
		i += w
	}
	return i
}

// signatureAt returns where an issued signature, starting at s[i], ends
// (its padding included), or -1.
func (r *redactor) signatureAt(s string, i int) int {
	var k [sigLen]byte
	for n := 0; n < sigLen; n++ {
		c, w := unit(s[i:])
		switch {
		case c == '-': // base64url
			c = '+'
		case c == '_':
			c = '/'
		}
		if w == 0 || !isBase64(c) {
			return -1
		}
		k[n], i = c, i+w
		if n == 3 && r.pre[prefix(k[:])] == 0 {
			return -1
		}
	}
	if !r.known(k) {
		return -1
	}
	if c, w := unit(s[i:]); w > 0 && c == '=' {
		i += w
	}
	return i
}

func isBase64(c byte) bool {
	return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/'
}

// unit decodes the first character of s, undoing any escaping a server or
// a library may apply: %XX (also double-escaped %25XX), and \/, \", \\ or
// \uXXXX (ASCII) behind any number of backslashes. It returns the
// character and the bytes it took, or 0, 0 at the end of s.
func unit(s string) (byte, int) {
	if s == "" {
		return 0, 0
	}
	switch s[0] {
	case '%':
		w := 1
		if strings.HasPrefix(s[1:], "25") && len(s) >= 5 && isHex(s[3]) && isHex(s[4]) {
			w = 3
		}
		if len(s) >= w+2 && isHex(s[w]) && isHex(s[w+1]) {
			return unhex(s[w])<<4 | unhex(s[w+1]), w + 2
		}
	case '\\':
		w := 1
		for w < len(s) && s[w] == '\\' {
			w++
		}
		rest := s[w:]
		switch {
		case rest == "":
		case rest[0] == '/' || rest[0] == '"':
			return rest[0], w + 1
		case len(rest) >= 5 && rest[0] == 'u' && rest[1:3] == "00" && isHex(rest[3]) && isHex(rest[4]):
			return unhex(rest[3])<<4 | unhex(rest[4]), w + 5
		}
	}
	return s[0], 1
}

func isHex(c byte) bool { return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }

func unhex(c byte) byte {
	switch {
	case c >= 'a':
		return c - 'a' + 10
	case c >= 'A':
		return c - 'A' + 10
	}
	return c - '0'
}

// afterSignatureParam replaces the value after every "signature=".
func afterSignatureParam(s string) string {
	for i := 0; ; {
		j := strings.Index(s[i:], "signature=")
		if j < 0 {
			return s
		}
		start := i + j + len("signature=")
		end := start
		for end < len(s) && !strings.ContainsRune(", \"'\n\r\t&;", rune(s[end])) {
			end++
		}
		s = s[:start] + redacted + s[end:]
		i = start + len(redacted)
	}
}

// err returns err with its text redacted. The result matches what err
// matches with errors.Is and errors.As; walking it with errors.Unwrap yields
// redacted texts at every level.
func (r *redactor) err(err error) error {
	if err == nil {
		return nil
	}
	if msg := r.text(err.Error()); msg != err.Error() {
		return &redactedError{msg: msg, err: err, r: r}
	}
	return err
}

// redactedError keeps the chain of err (errors.Is/As still work) while its
// text, and the text of everything it unwraps to or errors.As finds in it,
// is redacted.
type redactedError struct {
	msg string
	err error
	r   *redactor
}

func (e *redactedError) Error() string        { return e.msg }
func (e *redactedError) Is(target error) bool { return errors.Is(e.err, target) }
func (e *redactedError) As(target any) bool   { return e.r.as(e.err, target) }
func (e *redactedError) Unwrap() error        { return e.r.err(errors.Unwrap(e.err)) }

// as is errors.As that never hands out server text unredacted: what it finds
// in err is set in target only when its text is clean. A *url.Error (what
// net/http's failures come as, a malformed echoed status line among them) is
// handed out as a copy with its URL and error redacted; any other error
// whose text would leak is not matched.
func (r *redactor) as(err error, target any) bool {
	t := reflect.ValueOf(target)
	if t.Kind() != reflect.Pointer || t.IsNil() {
		return errors.As(err, target) // panics as errors.As does
	}
	found := reflect.New(t.Type().Elem())
	if !errors.As(err, found.Interface()) {
		return false
	}
	v := found.Elem()
	x, _ := v.Interface().(error)
	if x == nil || r.text(x.Error()) == x.Error() {
		t.Elem().Set(v)
		return true
	}
	var ue *url.Error
	if errors.As(x, &ue) {
		clean := reflect.ValueOf(&url.Error{Op: ue.Op, URL: r.text(ue.URL), Err: r.err(ue.Err)})
		if clean.Type().AssignableTo(t.Type().Elem()) {
			t.Elem().Set(clean)
			return true
		}
	}
	return false
}
