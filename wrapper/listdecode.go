package wrapper

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
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
		return nil, noJSON(contentType(resp.Header.Get("Content-Type")))
	}
	dec := json.NewDecoder(resp.Body)
	if err := expectDelim(dec, '{'); err != nil {
		return nil, err
	}
	orgs := []Organization{}
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			return nil, err
		}
		if key != "organizations" {
			var skip json.RawMessage // unknown fields are ignored
			if err := dec.Decode(&skip); err != nil {
				return nil, err
			}
			continue
		}
		if tok, err := dec.Token(); err != nil {
			return nil, err
		} else if tok == nil {
			continue // "organizations": null
		} else if tok != json.Delim('[') {
			return nil, fmt.Errorf("organizations: want an array, got %v", tok)
		}
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
	return orgs, nil
}

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
