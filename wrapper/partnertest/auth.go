package partnertest

import (
	"errors"
	"net/http"
	"time"

	"github.com/exopartner/exopartner/internal/signer"
)

// authenticate checks the request's EXO2-HMAC-SHA256 signature with the
// project's verifier. Not authenticated at all is 401; authenticated wrongly
// is 403. The messages say what is wrong, never the secret or the signature.
func (a *API) authenticate(r *http.Request, body []byte) (answer, bool) {
	secretOf := func(key string) (string, bool) { return a.cfg.secret, key == a.cfg.key }
	now := a.now()
	key, err := signer.Verify(r, body, secretOf, now)
	switch {
	case err == nil:
		return answer{}, true
	case errors.Is(err, signer.ErrMissing):
		return unauthorized("missing Authorization header: sign the request with " + signer.Scheme), false
	case errors.Is(err, signer.ErrMalformed):
		return unauthorized("malformed Authorization header: want " + signer.Scheme +
			" credential=KEY[,signed-query-args=NAMES],expires=UNIX-SECONDS,signature=BASE64"), false
	case errors.Is(err, signer.ErrUnknownKey):
		return errorf(http.StatusForbidden, "unknown API key %q", key), false
	case errors.Is(err, signer.ErrExpired):
		h, _ := signer.ParseHeader(r.Header.Get("Authorization"))
		return errorf(http.StatusForbidden, "signature of key %q expired at %s (server time %s): sign each request just before sending it",
			key, time.Unix(h.Expires, 0).UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339)), false
	default:
		return errorf(http.StatusForbidden, "signature does not match the request for key %q: "+
			"check the secret and that the signed method, path, body and query are the ones sent", key), false
	}
}

func unauthorized(msg string) answer {
	ans := errorf(http.StatusUnauthorized, "%s", msg)
	ans.header = http.Header{"Www-Authenticate": {signer.Scheme}}
	return ans
}
