package fakeproc

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/exopartner/exopartner/internal/signer"
)

// Raw is the bare baseline of the benchmarks: what a careful hand-written
// net/http client does for the same requests as the client. Each request
// is built with http.NewRequestWithContext, signed with internal/signer,
// sent, read whole and decoded with json.Unmarshal into the plain structs
// below. It has no retries, timeouts, validation, answer bounds or
// User-Agent. Every benchmark measures its baseline with it, so that a
// change to the baseline reaches them all.
type Raw struct {
	hc       *http.Client
	signer   *signer.Signer
	endpoint string // with its base path, e.g. http://127.0.0.1:1234/v1.alpha
	basePath string // the endpoint's escaped path, which signatures cover
}

// NewRaw is the baseline client of the API at endpoint (its URL with the
// base path), sending through hc.
func NewRaw(hc *http.Client, endpoint, key, secret string) (*Raw, error) {
	u, err := url.Parse(endpoint)
	if err != nil {
		return nil, err
	}
	return &Raw{hc: hc, signer: signer.New(key, secret), endpoint: strings.TrimSuffix(endpoint, "/"), basePath: strings.TrimSuffix(u.EscapedPath(), "/")}, nil
}

// Raw is the baseline client of the fake, keeping up to conns idle
// connections (http.DefaultTransport keeps 2: a fan-out would reconnect
// constantly; the client keeps 64).
func (f *Fake) Raw(tb testing.TB, conns int) *Raw {
	tb.Helper()
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = max(conns, 2)
	r, err := NewRaw(&http.Client{Transport: t}, f.URL, f.Key, f.Secret)
	if err != nil {
		tb.Fatal(err)
	}
	return r
}

// Do sends one request for path (below the endpoint, escaped:
// "/distributor/organization"), with query ("period=2025-03", or "") and
// body (nil for none), and decodes a 200 answer into out.
func (r *Raw) Do(ctx context.Context, method, path, query string, body []byte, out any) error {
	u := r.endpoint + path
	if query != "" {
		u += "?" + query
	}
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Authorization", r.signer.Authorization(method, r.basePath+path, query, body, r.signer.Expiry()))
	resp, err := r.hc.Do(req)
	if err != nil {
		return err
	}
	data, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	switch {
	case err != nil:
		return err
	case resp.StatusCode != http.StatusOK:
		return fmt.Errorf("%s %s: %s", method, path, resp.Status)
	}
	return json.Unmarshal(data, out)
}

// List lists the organizations.
func (r *Raw) List(ctx context.Context) ([]RawOrganization, error) {
	var out RawList
	err := r.Do(ctx, http.MethodGet, "/distributor/organization", "", nil, &out)
	return out.Organizations, err
}

// RawUsage is one organization's result in [Raw.UsageFor].
type RawUsage struct {
	ID         uuid.UUID
	Statements []RawStatement
	Err        error
}

// UsageFor reads the usage of each organization in ids for period
// ("2025-03"), with concurrency workers taking the next id as each is done:
// the bare fan-out. Results are in the order of ids.
func (r *Raw) UsageFor(ctx context.Context, ids []uuid.UUID, period string, concurrency int) []RawUsage {
	out := make([]RawUsage, len(ids))
	next := make(chan int)
	done := make(chan struct{})
	for range max(1, concurrency) {
		go func() {
			defer func() { done <- struct{}{} }()
			for i := range next {
				out[i].ID = ids[i]
				out[i].Err = r.Do(ctx, http.MethodGet, "/distributor/organization/"+ids[i].String()+"/usage", "period="+period, nil, &out[i].Statements)
			}
		}()
	}
	for i := range ids {
		next <- i
	}
	close(next)
	for range max(1, concurrency) {
		<-done
	}
	return out
}

// UsageForAll lists the organizations, then reads each one's usage for
// period with [Raw.UsageFor]. The error is the listing's or the first
// organization's.
func (r *Raw) UsageForAll(ctx context.Context, period string, concurrency int) ([]RawUsage, error) {
	orgs, err := r.List(ctx)
	if err != nil {
		return nil, err
	}
	ids := make([]uuid.UUID, len(orgs))
	for i, o := range orgs {
		ids[i] = o.ID
	}
	out := r.UsageFor(ctx, ids, period, concurrency)
	for _, u := range out {
		if u.Err != nil {
			return out, fmt.Errorf("organization %s: %w", u.ID, u.Err)
		}
	}
	return out, nil
}

// The plain structs the baseline decodes into: what a careful hand-written
// client declares for the same answers (no pointers, the same id and time
// types the wrapper gives).
type (
	RawAddress struct {
		Name           string `json:"name"`
		StreetName     string `json:"street-name"`
		BuildingNumber string `json:"building-number,omitempty"`
		City           string `json:"city"`
		PostalCode     string `json:"postal-code"`
		Country        string `json:"country"`
		Address        string `json:"address,omitempty"`
	}
	RawOrganization struct {
		ID             uuid.UUID  `json:"id"`
		Status         string     `json:"status"`
		ClientID       string     `json:"client-id,omitempty"`
		BillingAddress RawAddress `json:"billing-address"`
	}
	RawCreate struct {
		DisplayName    string     `json:"display-name"`
		OwnerEmail     string     `json:"owner-email,omitempty"`
		ClientID       string     `json:"client-id,omitempty"`
		BillingAddress RawAddress `json:"billing-address"`
	}
	RawLine struct {
		Product      string  `json:"product"`
		Variable     string  `json:"variable"`
		Description  string  `json:"description"`
		Quantity     float64 `json:"quantity"`
		Unit         string  `json:"unit"`
		TotalExclVAT float64 `json:"total-excl-vat"`
		TotalInclVAT float64 `json:"total-incl-vat"`
	}
	RawStatement struct {
		Code         string    `json:"code"`
		Currency     string    `json:"currency"`
		TotalExclVAT float64   `json:"total-excl-vat"`
		TotalInclVAT float64   `json:"total-incl-vat"`
		StartDate    time.Time `json:"start-date"`
		EndDate      time.Time `json:"end-date"`
		Usage        []RawLine `json:"usage"`
	}
	RawList struct {
		Organizations []RawOrganization `json:"organizations"`
	}
)
