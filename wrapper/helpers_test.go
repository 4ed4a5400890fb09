package wrapper_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"sync/atomic"
	"testing"
	"time"

	"github.com/exopartner/exopartner/internal/signer"
	"github.com/exopartner/exopartner/wrapper"
)

const (
	testKey    = "EXOtest0000000000000000001"
	testSecret = "test-secret-Zq8Hw2Ld9Kv3"
	orgIDText  = "0b6e5b1c-8d53-4e7f-9a52-2f4f2d0c9e11"
)

var orgID = wrapper.MustParseID(orgIDText)

// wantRequest is what one call must put on the wire.
type wantRequest struct {
	method, path, query string
	body                map[string]any // decoded JSON body; nil: no body
}

// answer is what the test server sends back.
type answer struct {
	status      int
	contentType string
	body        string
	header      map[string]string
}

// exactServer serves one answer after checking each request exactly: method,
// escaped path (base path included), raw query, Content-Type, JSON body and
// a signature that verifies with the project's signer. It counts requests.
func exactServer(t *testing.T, want wantRequest, ans answer, opts ...wrapper.Option) (*wrapper.Client, *atomic.Int32) {
	t.Helper()
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		body, _ := io.ReadAll(r.Body)
		if r.Method != want.method {
			t.Errorf("method %s, want %s", r.Method, want.method)
		}
		if got := r.URL.EscapedPath(); got != want.path {
			t.Errorf("path %s, want %s", got, want.path)
		}
		if r.URL.RawQuery != want.query {
			t.Errorf("query %q, want %q", r.URL.RawQuery, want.query)
		}
		if want.body == nil {
			if len(body) != 0 {
				t.Errorf("unexpected body %s", body)
			}
		} else {
			if ct := r.Header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type %q, want application/json", ct)
			}
			var got map[string]any
			if err := json.Unmarshal(body, &got); err != nil {
				t.Errorf("body %s: %v", body, err)
			}
			if !reflect.DeepEqual(got, want.body) {
				t.Errorf("body\n got %v\nwant %v", got, want.body)
			}
		}
		secretOf := func(k string) (string, bool) { return testSecret, k == testKey }
		if _, err := signer.Verify(r, body, secretOf, time.Now()); err != nil {
			t.Errorf("signature: %v (Authorization %q)", err, r.Header.Get("Authorization"))
		}
		for k, v := range ans.header {
			w.Header().Set(k, v)
		}
		if ans.contentType != "" {
			w.Header().Set("Content-Type", ans.contentType)
		}
		w.WriteHeader(ans.status)
		_, _ = io.WriteString(w, ans.body)
	}))
	t.Cleanup(srv.Close)
	opts = append([]wrapper.Option{wrapper.WithCredentials(testKey, testSecret), wrapper.WithEndpoint(srv.URL + "/v1.alpha"),
		wrapper.WithRetry(3, time.Millisecond, 5*time.Millisecond)}, opts...)
	c, err := wrapper.New(opts...)
	if err != nil {
		t.Fatal(err)
	}
	return c, &n
}

// jsonAnswer is a 200 JSON answer.
func jsonAnswer(body string) answer {
	return answer{status: 200, contentType: "application/json", body: body}
}

const orgJSON = `{"id":"` + orgIDText + `","status":"active","client-id":"crm-42",
	"billing-address":{"name":"ACME Corporation","street-name":"Route de Meyrin","building-number":"10",
	"city":"Geneva","postal-code":"1217","country":"CH"}}`

var acme = wrapper.Organization{
	ID: orgID, Status: wrapper.StatusActive, ClientID: "crm-42",
	BillingAddress: wrapper.BillingAddress{
		Name: "ACME Corporation", StreetName: "Route de Meyrin", BuildingNumber: "10",
		City: "Geneva", PostalCode: "1217", Country: "CH",
	},
}
