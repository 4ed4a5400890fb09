package wrapper

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"github.com/exopartner/exopartner/api"
)

// The generated request builders (api.NewXxxRequest) parse the server URL,
// resolve the operation's path against it, print the result and parse it
// again in http.NewRequest: several microseconds per call, a tenth of a
// loopback round trip. The wrapper runs each builder once, with sentinel
// values, and keeps what it made as a template: method, path, query and
// Content-Type exactly as the generated code (hence the spec) has them. A
// call then fills the template in against the endpoint parsed once.
// TestRequestTemplatesMatchGeneratedBuilders checks that both give the same
// request.

// Sentinels: values no real call produces in a path or query, replaced by the
// call's own.
var (
	sentinelID     = ID{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x4f, 0xff, 0xbf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe}
	sentinelPeriod = "9999-99"
)

// builders run the generated request builder of each operation with the
// sentinels.
var builders = map[string]func(server string) (*http.Request, error){
	opList.id: api.NewListDistributorOrganizationsRequest,
	opGet.id: func(s string) (*http.Request, error) {
		return api.NewGetDistributorOrganizationRequest(s, sentinelID)
	},
	opActivate.id: func(s string) (*http.Request, error) {
		return api.NewActivateDistributorOrganizationRequest(s, sentinelID)
	},
	opSuspend.id: func(s string) (*http.Request, error) {
		return api.NewSuspendDistributorOrganizationRequest(s, sentinelID)
	},
	opTerm.id: func(s string) (*http.Request, error) {
		return api.NewTerminateDistributorOrganizationRequest(s, sentinelID)
	},
	opPurge.id: func(s string) (*http.Request, error) {
		return api.NewSchedulePurgeDistributorOrganizationRequest(s, sentinelID)
	},
	opUsage.id: func(s string) (*http.Request, error) {
		return api.NewListDistributorOrganizationUsageRequest(s, sentinelID, &api.ListDistributorOrganizationUsageParams{Period: sentinelPeriod})
	},
	opCreate.id: func(s string) (*http.Request, error) {
		return api.NewCreateDistributorOrganizationRequestWithBody(s, "application/json", nil)
	},
	opMetering.id: func(s string) (*http.Request, error) {
		return api.NewMeteringTransactionRequestWithBody(s, "application/json", nil)
	},
}

// requestTemplate is one operation's request as its generated builder makes
// it, relative to the server.
type requestTemplate struct {
	method string
	// The path below the server's path, without the leading "/" (decoded,
	// as URL.Path), cut where the id goes (path[0] + id + path[1]) when
	// hasID, else whole in path[0].
	path  [2]string
	hasID bool
	// The raw query, cut where the period goes when hasPeriod.
	query       [2]string
	hasPeriod   bool
	contentType string
}

// templateServer is the server the templates are built against.
const templateServer = "http://template.invalid/"

// templates are built on first use, never at import.
var templates = sync.OnceValues(func() (map[string]requestTemplate, error) {
	out := make(map[string]requestTemplate, len(builders))
	for op, build := range builders {
		req, err := build(templateServer)
		if err != nil {
			return nil, fmt.Errorf("exopartner: %s: the generated request builder failed: %w", op, err)
		}
		path, ok := strings.CutPrefix(req.URL.Path, "/")
		if !ok {
			return nil, fmt.Errorf("exopartner: %s: the generated request has path %q", op, req.URL.Path)
		}
		t := requestTemplate{method: req.Method, contentType: req.Header.Get("Content-Type")}
		t.path[0], t.path[1], t.hasID = strings.Cut(path, sentinelID.String())
		t.query[0], t.query[1], t.hasPeriod = strings.Cut(req.URL.RawQuery, sentinelPeriod)
		out[op] = t
	}
	return out, nil
})

// request is what one call sends: the operation, its id (the zero ID when
// the path has none), its period ("" for none) and its JSON body (nil for
// none).
type request struct {
	id     ID
	period string
	body   []byte
}

// sender returns call's send function for o and r: it builds the request
// from o's template and sends it through the generated client's HTTP client
// and request editors, as the generated method would.
func (c *Client) sender(o operation, r request) func(context.Context, ...api.RequestEditorFn) (*http.Response, error) {
	return func(ctx context.Context, eds ...api.RequestEditorFn) (*http.Response, error) {
		raw, ok := c.raw.ClientInterface.(*api.Client)
		if !ok {
			return nil, fmt.Errorf("the generated client is a %T", c.raw.ClientInterface)
		}
		req, err := c.newRequest(ctx, o, r)
		if err != nil {
			return nil, err
		}
		for _, e := range append(raw.RequestEditors[:len(raw.RequestEditors):len(raw.RequestEditors)], eds...) {
			if err := e(ctx, req); err != nil {
				return nil, err
			}
		}
		return raw.Client.Do(req)
	}
}

// newRequest fills o's template in for r against the client's endpoint.
func (c *Client) newRequest(ctx context.Context, o operation, r request) (*http.Request, error) {
	ts, err := templates()
	if err != nil {
		return nil, err
	}
	t, ok := ts[o.id]
	if !ok {
		return nil, fmt.Errorf("exopartner: no request template for %s", o.id)
	}
	var body io.Reader
	if r.body != nil {
		body = bytes.NewReader(r.body)
	}
	// The empty URL parses at no cost; the real one is set below.
	req, err := http.NewRequestWithContext(ctx, t.method, "", body)
	if err != nil {
		return nil, err
	}
	u := *c.base
	if t.hasID {
		u.Path = c.base.Path + t.path[0] + r.id.String() + t.path[1]
	} else {
		u.Path = c.base.Path + t.path[0]
	}
	u.RawPath = "" // URL.EscapedPath escapes Path as the generated request does
	if t.hasPeriod && r.period != "" {
		u.RawQuery = t.query[0] + url.QueryEscape(r.period) + t.query[1]
	}
	req.URL, req.Host = &u, u.Host
	if t.contentType != "" {
		req.Header.Set("Content-Type", t.contentType)
	}
	return req, nil
}
