package wrapper

import (
	"errors"
	"net/url"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"
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
//
// Redacting is linear in the text: at most len(secret)+43 characters are
// decoded at each position, each in constant time. Its lock guards only the
// set of signatures, and is held for one lookup at a time, never across a
// text (most positions need none): a hostile answer being redacted cannot
// delay another call's signing.
// It is safe for concurrent use.
type redactor struct {
	// secretAt returns where the secret, starting at d.s[i], ends, or -1
	// (see matchSecret). A closure, so that formatting the redactor (or a
	// Client holding it) cannot print the secret.
	secretAt func(d *decoded, i int) int

	mu   sync.Mutex
	ring [issuedSignatures][sigLen]byte
	next int                  // the ring slot the next signature goes to
	full bool                 // every slot of the ring holds a signature
	set  map[[sigLen]byte]int // the signatures in the ring, with their count
	pre  map[uint32]int       // their first three characters (see prefix), with their count

	// The same first three characters, one bit each, read without the
	// lock: a first test that almost every position of a text fails.
	bits [1 << 18 / 64]atomic.Uint64
}

// prefix packs the first three characters of a signature, 6 bits each.
func prefix(k []byte) uint32 {
	return uint32(b64[k[0]])<<12 | uint32(b64[k[1]])<<6 | uint32(b64[k[2]])
}

// b64 is the value of each base64 character.
var b64 = func() (t [256]byte) {
	for i, c := range "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/" {
		t[c] = byte(i)
	}
	return t
}()

func newRedactor(secret string) *redactor {
	return &redactor{secretAt: func(d *decoded, i int) int { return matchSecret(secret, d, i) },
		set: make(map[[sigLen]byte]int), pre: make(map[uint32]int)}
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
			r.bits[p/64].And(^(1 << (p % 64)))
		} else {
			r.pre[p]--
		}
	}
	r.ring[r.next] = k
	r.set[k]++
	if p := prefix(k[:]); r.pre[p] == 0 {
		r.pre[p] = 1
		r.bits[p/64].Or(1 << (p % 64))
	} else {
		r.pre[p]++
	}
	r.next++
	if r.next == len(r.ring) {
		r.next, r.full = 0, true
	}
}

// known reports whether k is an issued signature.
func (r *redactor) known(k [sigLen]byte) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.set[k] > 0
}

// startsKnown reports whether an issued signature starts with k (base64
// characters): from the bits without the lock for three or more, with it
// for fewer (the end of a cut text only).
func (r *redactor) startsKnown(k []byte) bool {
	if len(k) >= 3 {
		p := prefix(k)
		return r.bits[p/64].Load()&(1<<(p%64)) != 0
	}
	var v uint32
	for _, c := range k {
		v = v<<6 | uint32(b64[c])
	}
	shift := 6 * (3 - len(k))
	r.mu.Lock()
	defer r.mu.Unlock()
	for p := range r.pre {
		if p>>shift == v {
			return true
		}
	}
	return false
}

// text returns s without the secret, without any signature this client
// issued, and without whatever follows a literal "signature=" (an
// Authorization header echoed whole, possibly one made by someone else).
func (r *redactor) text(s string) string {
	return afterSignatureParam(r.scan(s, false))
}

// cut keeps at most n bytes of s (on a rune boundary), then redacts them.
// Server text is cut before it is redacted, so that the cost of redacting
// it is bounded whatever the server sends. A secret or a signature that the
// cut splits is removed too: when s is cut here, or wasCut says it was cut
// before (a body read up to a limit), any beginning of one running into the
// end is redacted. A cut text ends with "… (cut)".
func (r *redactor) cut(s string, n int, wasCut bool) string {
	if len(s) > n {
		for n > 0 && !utf8.RuneStart(s[n]) {
			n--
		}
		s, wasCut = s[:n], true
	}
	if !wasCut {
		return r.text(s)
	}
	return afterSignatureParam(r.scan(s, true)) + "… (cut)"
}

// scan replaces every occurrence of the secret and of an issued signature
// in s, whatever its escaping. At each position it decodes characters one
// escape at a time and compares them with the secret, and with the issued
// signatures once 43 base64 characters are read (after a first test on
// three, without the lock); a match is replaced whole (for a signature,
// with its padding). When open, s is the beginning of a longer text: a
// match that runs into its end is replaced too.
func (r *redactor) scan(s string, open bool) string {
	d := decode(s, open)
	var b strings.Builder
	last := 0 // s[last:i] is not yet copied to b
	for i := 0; i < len(s); {
		end := r.secretAt(&d, i)
		if end < 0 {
			end = r.signatureAt(&d, i)
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

// matchSecret returns where secret, starting at d.s[i], ends, or -1.
func matchSecret(secret string, d *decoded, i int) int {
	if secret == "" {
		return -1
	}
	for k := 0; k < len(secret); k++ {
		c, w := d.unit(i)
		if w == 0 || (c != secret[k] && (c != '+' || secret[k] != ' ')) { // QueryEscape writes ' ' as '+'
			if k > 0 && d.runsOut(i) {
				return len(d.s) // the beginning of the secret, cut
			}
			return -1
		}
		i += w
	}
	return i
}

// signatureAt returns where an issued signature, starting at d.s[i], ends
// (its padding included), or -1.
func (r *redactor) signatureAt(d *decoded, i int) int {
	var k [sigLen]byte
	for n := 0; n < sigLen; n++ {
		c, w := d.unit(i)
		switch {
		case c == '-': // base64url
			c = '+'
		case c == '_':
			c = '/'
		}
		if w == 0 || !isBase64(c) {
			if n > 0 && d.runsOut(i) && r.startsKnown(k[:min(n, 3)]) {
				return len(d.s) // the beginning of a signature, cut
			}
			return -1
		}
		k[n], i = c, i+w
		if n == 2 && !r.startsKnown(k[:3]) {
			return -1
		}
	}
	if !r.known(k) {
		return -1
	}
	if c, w := d.unit(i); w > 0 && c == '=' {
		i += w
	} else if d.runsOut(i) {
		i = len(d.s) // its padding, cut
	}
	return i
}

func isBase64(c byte) bool {
	return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/'
}

// decoded is a text read one escaped character at a time (see unit).
type decoded struct {
	s    string
	open bool    // s is the beginning of a longer text
	runs []int32 // runs[i]: where the run of backslashes at s[i] ends; nil when s has no backslash
}

func decode(s string, open bool) decoded {
	d := decoded{s: s, open: open}
	if strings.IndexByte(s, '\\') >= 0 {
		// Each position knows where its run of backslashes ends, so that a
		// character is decoded in constant time however long the run: a
		// scan is linear even in a text of backslashes.
		d.runs = make([]int32, len(s))
		end := len(s)
		for i := len(s) - 1; i >= 0; i-- {
			if s[i] != '\\' {
				end = i
			}
			d.runs[i] = int32(end)
		}
	}
	return d
}

// unit decodes the character at s[i], undoing any escaping a server or a
// library may apply: %XX (also double-escaped %25XX), and \/, \", \\ or
// \uXXXX (ASCII) behind any number of backslashes. It returns the character
// and the bytes it took, or 0, 0 at the end of s.
func (d *decoded) unit(i int) (byte, int) {
	s := d.s[i:]
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
		w := int(d.runs[i]) - i
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

// runsOut reports whether a match that failed at s[i] may have been cut
// short by the end of an open text: s[i:] is empty, or the beginning of an
// escape that the rest of the text may have completed.
func (d *decoded) runsOut(i int) bool {
	if !d.open {
		return false
	}
	s := d.s[i:]
	switch {
	case s == "":
		return true
	case s[0] == '%':
		return len(s) < 5 && strings.Trim(s[1:], "0123456789abcdefABCDEF") == ""
	case s[0] == '\\':
		rest := s[int(d.runs[i])-i:]
		return len(rest) < 5 && strings.HasPrefix("u00", rest[:min(len(rest), 3)]) &&
			(len(rest) < 4 || isHex(rest[3]))
	}
	return false
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

// afterSignatureParam replaces the value after every "signature=", in one
// pass over s.
func afterSignatureParam(s string) string {
	const param = "signature="
	j := strings.Index(s, param)
	if j < 0 {
		return s
	}
	var b strings.Builder
	for j >= 0 {
		start := j + len(param)
		end := start
		for end < len(s) && !strings.ContainsRune(", \"'\n\r\t&;", rune(s[end])) {
			end++
		}
		b.WriteString(s[:start])
		b.WriteString(redacted)
		s = s[end:]
		j = strings.Index(s, param)
	}
	b.WriteString(s)
	return b.String()
}

// err returns err with its text cut to maxErrorText and redacted. The
// result matches what err matches with errors.Is and errors.As; walking it
// with errors.Unwrap yields cut and redacted texts at every level.
func (r *redactor) err(err error) error {
	if err == nil {
		return nil
	}
	if msg := r.cut(err.Error(), maxErrorText, false); msg != err.Error() {
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
// whose text would leak, or is too long to examine, is not matched.
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
	if x == nil || r.clean(x.Error()) {
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

// maxExamined is the longest error text as examines.
const maxExamined = 64 << 10

// clean reports whether s, of at most maxExamined bytes, has nothing to
// redact.
func (r *redactor) clean(s string) bool { return len(s) <= maxExamined && r.text(s) == s }
