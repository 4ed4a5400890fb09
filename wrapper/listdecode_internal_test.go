package wrapper

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"testing/iotest"
	"time"
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

// The guard every 2xx answer is read through drops the white space between
// tokens and nothing else, whatever the reads' sizes, and counts array items.
func TestJSONGuard(t *testing.T) {
	for _, doc := range []string{
		`{"organizations": [ {"id" : "a b", "x":[1, 2 ,[ ]]} ,{} ] }`,
		" \t\r\n[ \"say \\\" hi \\\\\" , \"\\\\\" , \"\\u0022 ]\" , null , true, -1.5e3 ] \n",
		`{"s":"{[,]}" , "t" : "\\\\\" ,"}`,
		`[[], [[]], {"a":[]}, ""]`,
	} {
		var want bytes.Buffer
		if err := json.Compact(&want, []byte(doc)); err != nil {
			t.Fatalf("%s: %v", doc, err)
		}
		got, err := io.ReadAll(&jsonGuard{r: iotest.OneByteReader(strings.NewReader(doc)), maxItems: 100})
		if err != nil || string(got) != want.String() {
			t.Errorf("%s: read %q, %v; want %q", doc, got, err, want.String())
		}
	}
	for doc, items := range map[string]int{`[]`: 0, `[1]`: 1, `[1,[2,3],{"a":[4]}]`: 6, `{"a":[[],[]],"b":"[1,2]"}`: 2, `[ ]`: 0} {
		if _, err := io.ReadAll(&jsonGuard{r: strings.NewReader(doc), maxItems: items}); err != nil {
			t.Errorf("%s: %v with %d items allowed", doc, err, items)
		}
		if items == 0 {
			continue
		}
		if _, err := io.ReadAll(&jsonGuard{r: strings.NewReader(doc), maxItems: items - 1}); !errors.Is(err, ErrResponseTooLarge) {
			t.Errorf("%s: %v with %d items allowed, want ErrResponseTooLarge", doc, err, items-1)
		}
	}
	if _, err := io.ReadAll(&jsonGuard{r: strings.NewReader(strings.Repeat("[", maxJSONDepth+1)), maxItems: 1 << 20}); err == nil {
		t.Error("nesting beyond encoding/json's depth is read")
	}
}

// trickle is a transport that delivers answers' bodies a few bytes per
// read, as a server trickling them does.
type trickle struct{ http.RoundTripper }

func (t trickle) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := t.RoundTripper.RoundTrip(r)
	if err == nil {
		resp.Body = struct {
			io.Reader
			io.Closer
		}{&smallReads{resp.Body}, resp.Body}
	}
	return resp, err
}

type smallReads struct{ r io.Reader }

func (s *smallReads) Read(p []byte) (int, error) { return s.r.Read(p[:min(len(p), 64)]) }

// A list answer padded with white space between its tokens (4 MiB, trickled
// 64 bytes at a time) is decoded at once, in one request. encoding/json's
// Decoder scans its buffered white space again at every read: this answer
// took minutes, its decode outran the attempt timeout, and it was sent again
// as an answer cut off, every time.
func TestListPaddedWithWhiteSpace(t *testing.T) {
	org := `{"id":"0b6e5b1c-8d53-4e7f-9a52-2f4f2d0c9e11","status":"active"}`
	pad := strings.Repeat(" \n", 1<<19)
	body := `{"organizations":[` + pad + org + pad + `,` + org + pad + `]` + pad + `}`
	var requests atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, body)
	}))
	defer srv.Close()
	c, err := New(WithCredentials("EXOkey", "secret"), WithEndpoint(srv.URL+"/v1.alpha"), WithAttemptTimeout(20*time.Second),
		WithHTTPClient(&http.Client{Transport: trickle{http.DefaultTransport}}))
	if err != nil {
		t.Fatal(err)
	}
	type result struct {
		orgs []Organization
		err  error
	}
	done := make(chan result, 1)
	go func() { orgs, err := c.ListOrganizations(context.Background()); done <- result{orgs, err} }()
	select {
	case r := <-done:
		if r.err != nil || len(r.orgs) != 2 || requests.Load() != 1 {
			t.Fatalf("%d organizations, %v, after %d requests; want 2 after 1", len(r.orgs), r.err, requests.Load())
		}
	case <-time.After(30 * time.Second): // linear: well under a second
		t.Fatalf("a list padded with 4 MiB of white space is still being decoded after 30 s, after %d requests", requests.Load())
	}
}

// An answer with more array items than the bound is refused, matching
// ErrResponseTooLarge, and never sent again; so is one over its byte cap.
// The answers are compressed, as a hostile server would send them: the
// bounds apply to what they decompress to.
func TestAnswersRefusedForSizeAreNotRetried(t *testing.T) {
	org := `{"id":"0b6e5b1c-8d53-4e7f-9a52-2f4f2d0c9e11","status":"a"}`
	list := `{"organizations":[` + strings.TrimSuffix(strings.Repeat(org+",", 1001), ",") + `]}`
	usage := `[{"usage":[` + strings.TrimSuffix(strings.Repeat(`{},`, 1001), ",") + `]}]`
	big := `{"organizations":[` + org + `],"padding":"` + strings.Repeat("x", 2<<20) + `"}`
	var requests atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		body := list
		switch {
		case strings.HasSuffix(r.URL.Path, "/usage"):
			body = usage
		case r.URL.Query().Has("big"):
			body = big
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Encoding", "gzip")
		zw := gzip.NewWriter(w)
		_, _ = io.WriteString(zw, body)
		_ = zw.Close()
	}))
	defer srv.Close()
	for _, tt := range []struct {
		name string
		call func(c *Client) error
	}{
		{"list of 1001", func(c *Client) error { _, err := c.ListOrganizations(context.Background()); return err }},
		{"usage of 1002 items", func(c *Client) error {
			_, err := c.ListUsage(context.Background(), MustParseID("0b6e5b1c-8d53-4e7f-9a52-2f4f2d0c9e11"), Period{})
			return err
		}},
		{"list over the byte cap", func(c *Client) error {
			_, err := c.ListOrganizations(context.Background())
			return err
		}},
	} {
		opts := []Option{WithCredentials("EXOkey", "secret"), WithEndpoint(srv.URL + "/v1.alpha"), WithRetry(4, time.Millisecond, time.Millisecond)}
		if tt.name == "list over the byte cap" {
			opts = append(opts, WithMaxResponseBytes(1<<20), WithRequestEditor(func(_ context.Context, r *http.Request) error {
				r.URL.RawQuery = "big"
				return nil
			}))
		}
		c, err := New(opts...)
		if err != nil {
			t.Fatal(err)
		}
		c.maxItems = 1000 // the bound, smaller: MaxAnswerItems items take seconds under -race
		requests.Store(0)
		if err := tt.call(c); !errors.Is(err, ErrResponseTooLarge) || requests.Load() != 1 {
			t.Errorf("%s: %v after %d requests; want ErrResponseTooLarge after 1", tt.name, err, requests.Load())
		}
	}
}

// BenchmarkSmallAnswer measures what decoding a small answer whole saves:
// impl=whole is a Content-Length known and small (decoded by
// json.Unmarshal, no guard), impl=guarded the same body of unknown length
// (read through the jsonGuard, and a list by the streaming decoder).
func BenchmarkSmallAnswer(b *testing.B) {
	org := `{"id":"0b6e5b1c-8d53-4e7f-9a52-2f4f2d0c9e11","status":"active","client-id":"crm-1","billing-address":` +
		`{"name":"Customer AG","street-name":"Bahnhofstrasse","building-number":"1","city":"Zürich","postal-code":"8001","country":"CH"}}`
	usage := `[{"code":"INV-2025-03-0001","currency":"CHF","total-excl-vat":1234.5,"total-incl-vat":1334.49,` +
		`"start-date":"2025-03-01T00:00:00Z","end-date":"2025-04-01T00:00:00Z","usage":[` +
		strings.Repeat(`{"product":"compute","variable":"instance-hours","description":"Standard Medium","quantity":744,"unit":"hour","total-excl-vat":1000,"total-incl-vat":1081},`, 2) +
		`{"product":"sos","variable":"gib-hours","description":"Object storage","quantity":1234567.89,"unit":"GiB-hour","total-excl-vat":200,"total-incl-vat":216.2}]}]`
	list := `{"organizations":[` + strings.Repeat(org+",", 9) + org + `]}`
	for _, tc := range []struct {
		name, body string
		decode     func(*http.Response) error
	}{
		{"get", org, func(r *http.Response) error { _, err := decodeOrganization(r); return err }},
		{"usage", usage, func(r *http.Response) error { _, err := decodeJSON[[]UsageStatement](r); return err }},
		{"list10", list, func(r *http.Response) error { _, err := decodeOrganizationList(r); return err }},
	} {
		for _, whole := range []bool{true, false} {
			impl := "whole"
			if !whole {
				impl = "guarded"
			}
			b.Run("op="+tc.name+"/impl="+impl, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					resp := &http.Response{StatusCode: 200, ContentLength: int64(len(tc.body)), Header: http.Header{"Content-Type": {"application/json"}},
						Body: io.NopCloser(strings.NewReader(tc.body))}
					if !whole {
						resp.ContentLength = -1
						resp.Body = guardJSON(resp.Body, MaxAnswerItems)
					}
					if err := tc.decode(resp); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
