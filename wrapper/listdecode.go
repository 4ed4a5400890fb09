package wrapper

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// decodeOrganizationList parses the answer of list-distributor-organizations
// by streaming it: each organization is decoded in turn, so a list of
// thousands never holds the whole body and its decoded copy together (the
// generated parser reads the body whole, then decodes it whole). The answer
// must be what the spec declares: {"organizations": [organization-output…]},
// each organization with its id and status.
func decodeOrganizationList(resp *http.Response) ([]Organization, error) {
	defer resp.Body.Close()
	if !isJSON(resp.Header.Get("Content-Type")) {
		return nil, noJSON(resp.Header.Get("Content-Type"))
	}
	if resp.ContentLength >= 0 && resp.ContentLength <= smallAnswer {
		return decodeSmallList(resp.Body)
	}
	return decodeListStream(resp.Body)
}

// decodeListStream decodes a list answer as it streams in.
func decodeListStream(body io.Reader) ([]Organization, error) {
	dec := json.NewDecoder(body)
	if err := expectDelim(dec, '{'); err != nil {
		return nil, err
	}
	var orgs []Organization // nil until the array is seen
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			return nil, err
		}
		// As encoding/json matches a field (the whole-body path), whatever its case.
		if k, _ := key.(string); !strings.EqualFold(k, "organizations") {
			var skip json.RawMessage // unknown fields are ignored
			if err := dec.Decode(&skip); err != nil {
				return nil, err
			}
			continue
		}
		if tok, err := dec.Token(); err != nil {
			return nil, err
		} else if tok != json.Delim('[') {
			return nil, fmt.Errorf("organizations: want an array, got %v", tok)
		}
		orgs = []Organization{}
		for dec.More() {
			var o Organization
			if err := dec.Decode(&o); err != nil {
				return nil, fmt.Errorf("organizations[%d]: %w", len(orgs), err)
			}
			if err := checkOrganization(o); err != nil {
				return nil, fmt.Errorf("organizations[%d]: %w", len(orgs), err)
			}
			orgs = append(orgs, o)
		}
		if err := expectDelim(dec, ']'); err != nil {
			return nil, err
		}
	}
	if err := expectDelim(dec, '}'); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("data after the JSON value")
	}
	if orgs == nil {
		return nil, errNoOrganizations
	}
	return orgs, nil
}

// decodeSmallList decodes a list answer of known, small size in one
// json.Unmarshal, with the same rules as the streaming path: one JSON object,
// "organizations" an array, unknown fields ignored.
func decodeSmallList(body io.Reader) ([]Organization, error) {
	data, err := io.ReadAll(io.LimitReader(body, smallAnswer+1))
	if err != nil {
		return nil, err
	}
	var list struct {
		Organizations *[]Organization `json:"organizations"`
	}
	if err := json.Unmarshal(data, &list); err != nil {
		// The streaming path says which organization is wrong.
		return decodeListStream(bytes.NewReader(data))
	}
	if list.Organizations == nil {
		return nil, errNoOrganizations
	}
	for i, o := range *list.Organizations {
		if err := checkOrganization(o); err != nil {
			return nil, fmt.Errorf("organizations[%d]: %w", i, err)
		}
	}
	return *list.Organizations, nil
}

// errNoOrganizations is the decode error of a list answer without its
// "organizations" array: an empty list says so with [].
var errNoOrganizations = errors.New(`the answer has no "organizations" array`)

func expectDelim(dec *json.Decoder, d json.Delim) error {
	tok, err := dec.Token()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return io.ErrUnexpectedEOF
		}
		return err
	}
	if tok != d {
		return fmt.Errorf("want %v, got %v", d, tok)
	}
	return nil
}
