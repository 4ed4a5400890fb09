package wrapper

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"sync"

	"github.com/exopartner/exopartner/api"
)

// A row's build takes the operation's generated request builder
// (api.New…Request) and makes each request as that builder does, only
// faster. The generated builders parse the server URL, resolve the path
// against it, print the result and parse it again: about 2 µs and 11
// allocations a request, a fifth of the client's own work on a get
// (BENCHMARKS.md). So each builder runs once per server, with a sentinel id
// (and period), and a request is that one with the call's id (and period)
// in place of the sentinel: method, URL and header exactly as the generated
// code, hence the spec, has them. TestBuildersMatchGenerated checks that
// both give the same request.

// Sentinels: values no real call produces in a path or a query.
var (
	sentinelID     = ID{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x4f, 0xff, 0xbf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe}
	sentinelPeriod = "9999-99"
)

// sentinelText is sentinelID as text (a test keeps the two equal).
const sentinelText = "ffffffff-ffff-4fff-bfff-fffffffffffe"

// builder is a row's build: the request of one call against the server,
// with ctx (the generated method does req.WithContext(ctx); this saves a
// copy of the request).
type builder func(ctx context.Context, server string, r request) (*http.Request, error)

// byNothing is the build of an operation whose path has no parameter.
func byNothing(build func(server string) (*http.Request, error)) builder {
	var t templates
	return func(ctx context.Context, server string, _ request) (*http.Request, error) {
		return t.request(ctx, server, build, "", "", nil)
	}
}

// byID is the build of an operation with the organization id in its path.
func byID(build func(server string, id ID) (*http.Request, error)) builder {
	var t templates
	sentinel := func(server string) (*http.Request, error) { return build(server, sentinelID) }
	return func(ctx context.Context, server string, r request) (*http.Request, error) {
		return t.request(ctx, server, sentinel, r.id.String(), "", nil)
	}
}

// byIDAndPeriod is the build of the usage operation: the id in the path,
// the period in the query when given.
func byIDAndPeriod(build func(string, ID, *api.ListDistributorOrganizationUsageParams) (*http.Request, error)) builder {
	var without, with templates
	noPeriod := func(server string) (*http.Request, error) { return build(server, sentinelID, nil) }
	period := func(server string) (*http.Request, error) {
		return build(server, sentinelID, &api.ListDistributorOrganizationUsageParams{Period: sentinelPeriod})
	}
	return func(ctx context.Context, server string, r request) (*http.Request, error) {
		switch {
		case r.period == nil:
			return without.request(ctx, server, noPeriod, r.id.String(), "", nil)
		case strings.Trim(r.period.Period, "0123456789-") != "":
			// Text the query may escape: as generated.
			req, err := build(server, r.id, r.period)
			if err != nil {
				return nil, err
			}
			return req.WithContext(ctx), nil
		}
		return with.request(ctx, server, period, r.id.String(), r.period.Period, nil)
	}
}

// withBody is the build of an operation with a JSON body.
func withBody(build func(server, contentType string, body io.Reader) (*http.Request, error)) builder {
	var t templates
	sentinel := func(server string) (*http.Request, error) { return build(server, jsonBody, nil) }
	return func(ctx context.Context, server string, r request) (*http.Request, error) {
		return t.request(ctx, server, sentinel, "", "", r.body)
	}
}

// templates holds, per server, the request a builder made with the
// sentinels.
type templates struct{ m sync.Map } // server → *http.Request

// request is the template of server (build makes it on first use) with id
// and period in place of the sentinels, body and ctx.
func (t *templates) request(ctx context.Context, server string, build func(string) (*http.Request, error), id, period string, body []byte) (*http.Request, error) {
	v, ok := t.m.Load(server)
	if !ok {
		tmpl, err := build(server)
		if err != nil {
			return nil, err
		}
		v, _ = t.m.LoadOrStore(server, tmpl)
	}
	tmpl := v.(*http.Request)
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, tmpl.Method, "", rd) // the empty URL parses at no cost; the real one is set below
	if err != nil {
		return nil, err
	}
	u := *tmpl.URL
	if id != "" {
		u.Path = strings.Replace(u.Path, sentinelText, id, 1)
		u.RawPath = strings.Replace(u.RawPath, sentinelText, id, 1)
	}
	if period != "" {
		u.RawQuery = strings.Replace(u.RawQuery, sentinelPeriod, period, 1)
	}
	req.URL, req.Host = &u, u.Host
	for k, v := range tmpl.Header {
		req.Header[k] = append([]string(nil), v...)
	}
	return req, nil
}

// do sends req, made by a row's build, as the generated client's methods
// do: through the request editors, then the HTTP client.
func (c *Client) do(ctx context.Context, req *http.Request, err error) (*http.Response, error) {
	if err != nil {
		return nil, err
	}
	for _, e := range c.editors {
		if err := e(ctx, req); err != nil {
			return nil, err
		}
	}
	return c.hc.Do(req)
}
