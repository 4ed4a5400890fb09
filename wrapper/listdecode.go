package wrapper

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/exopartner/exopartner/api"
)

// decodeOrganizationList parses the answer of list-distributor-organizations
// by streaming it: each organization is decoded into the generated
// api.OrganizationOutput and converted at once, so a list of thousands never
// holds the whole body, its decoded copy and the result together (the
// generated parser reads the body whole, then decodes it whole). The answer
// must be what the spec declares: {"organizations": [organization-output…]}.
func decodeOrganizationList(resp *http.Response) ([]Organization, error) {
	defer resp.Body.Close()
	if mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type")); !strings.HasSuffix(mt, "json") {
		return nil, noJSON(contentType(resp.Header.Get("Content-Type")))
	}
	if resp.ContentLength >= 0 && resp.ContentLength <= smallList {
		return decodeSmallList(resp.Body)
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
			var o api.OrganizationOutput
			if err := dec.Decode(&o); err != nil {
				return nil, fmt.Errorf("organizations[%d]: %w", len(orgs), err)
			}
			orgs = append(orgs, organizationFromAPI(&o))
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

// smallList is the Content-Length up to which a list is decoded whole: the
// streaming decoder's token path costs more than it saves on a few
// organizations, and a small body held whole bounds nothing.
const smallList = 64 << 10

// decodeSmallList decodes a list answer of known, small size in one
// json.Unmarshal, with the same rules as the streaming path: one JSON object,
// "organizations" an array (or null), unknown fields ignored.
func decodeSmallList(body io.Reader) ([]Organization, error) {
	data, err := io.ReadAll(io.LimitReader(body, smallList+1))
	if err != nil {
		return nil, err
	}
	var list struct {
		Organizations []api.OrganizationOutput `json:"organizations"`
	}
	if err := json.Unmarshal(data, &list); err != nil {
		return nil, err
	}
	orgs := make([]Organization, len(list.Organizations))
	for i := range list.Organizations {
		orgs[i] = organizationFromAPI(&list.Organizations[i])
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

// contentType adapts a header value to noJSON.
type contentType string

func (c contentType) ContentType() string { return string(c) }
