package wrapper

import (
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"
)

// TestListDecodersAgree runs each answer through the whole-body path (a
// small Content-Length) and the streaming path (no Content-Length, as with
// chunked answers): both accept and refuse the same bodies, with the same
// organizations.
func TestListDecodersAgree(t *testing.T) {
	org := `{"id":"0b6e5b1c-8d53-4e7f-9a52-2f4f2d0c9e11","status":"active","billing-address":{"name":"A","street-name":"S","city":"C","postal-code":"1","country":"CH"}}`
	for _, tc := range []struct {
		body string
		ok   bool
		n    int
	}{
		{`{"organizations":[` + org + `,` + org + `]}`, true, 2},
		{`{"organizations":[]}`, true, 0},
		{`{"organizations":null}`, false, 0}, // no array: the result is missing
		{`{}`, false, 0},
		{`{"Organizations":[` + org + `]}`, true, 1}, // field names match in any case, as encoding/json does
		{`{"next":"x","organizations":[` + org + `],"extra":{"a":[1]}}`, true, 1},
		{`{"organizations":[` + org + `]} {}`, false, 0},
		{`{"organizations":{}}`, false, 0},
		{`[` + org + `]`, false, 0},
		{`{"organizations":[` + org, false, 0},
		{`{"organizations":[{"id":"nope"}]}`, false, 0},
		{``, false, 0},
	} {
		var results [2][]Organization
		for i, length := range []int64{int64(len(tc.body)), -1} {
			resp := &http.Response{StatusCode: 200, ContentLength: length, Header: http.Header{"Content-Type": {"application/json"}},
				Body: io.NopCloser(strings.NewReader(tc.body))}
			orgs, err := decodeOrganizationList(resp)
			if (err == nil) != tc.ok || len(orgs) != tc.n {
				t.Errorf("%s (Content-Length %d): %d organizations, error %v; want %d, ok=%t", tc.body, length, len(orgs), err, tc.n, tc.ok)
			}
			results[i] = orgs
		}
		if !reflect.DeepEqual(results[0], results[1]) {
			t.Errorf("%s: whole %+v, streamed %+v", tc.body, results[0], results[1])
		}
	}
}
