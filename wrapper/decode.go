package wrapper

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
)

// The parsers of 2xx answers. Each accepts any 2xx status, not only the one
// the spec documents (the generated parsers fill JSON200 for 200 alone): a
// 201 carrying an organization is an organization. What matters is the body,
// and a 2xx without the result the contract always returns is not a
// success: call turns these errors into a *DecodeError, and for a create or
// metering into an error matching ErrOutcomeUnknown as well.

// decodeJSON decodes a 2xx answer's JSON body into a T. An answer that is
// not JSON, or is JSON null, is an error.
func decodeJSON[T any](resp *http.Response) (T, error) {
	var v T
	defer resp.Body.Close()
	if !isJSON(resp.Header.Get("Content-Type")) {
		return v, noJSON(resp.Header.Get("Content-Type"))
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return v, err
	}
	if bytes.Equal(bytes.TrimSpace(body), []byte("null")) {
		return v, errors.New("the answer is null")
	}
	if err := json.Unmarshal(body, &v); err != nil {
		return v, err
	}
	return v, nil
}

// decodeOrganization decodes an answer that is one organization.
func decodeOrganization(resp *http.Response) (Organization, error) {
	o, err := decodeJSON[Organization](resp)
	if err == nil {
		err = checkOrganization(o)
	}
	return o, err
}

// checkOrganization refuses an organization without what the API always
// returns: its id and its status.
func checkOrganization(o Organization) error {
	switch {
	case o.ID == (ID{}):
		return errors.New("the organization has no id")
	case o.Status == "":
		return fmt.Errorf("organization %s has no status", o.ID)
	}
	return nil
}

// isJSON reports whether a Content-Type is JSON (application/json, or a
// +json type).
func isJSON(ct string) bool {
	mt, _, _ := mime.ParseMediaType(ct)
	return strings.HasSuffix(mt, "json")
}
