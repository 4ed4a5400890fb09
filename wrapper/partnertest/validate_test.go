package partnertest_test

import (
	"strings"
	"testing"
)

func TestInvalidRequests(t *testing.T) {
	c := newClient(t)
	id := c.create()
	for _, tc := range []struct {
		name, method, path, body string
		say                      []string
	}{
		{"lower-case country", "POST", "/distributor/organization", strings.Replace(orgBody, `"CH"`, `"ch"`, 1),
			[]string{"billing-address.country"}},
		{"missing required", "POST", "/distributor/organization", `{"display-name":"x","owner-email":"a@b.ch"}`,
			[]string{"billing-address"}},
		{"several problems", "POST", "/distributor/organization",
			strings.NewReplacer(`"CH"`, `"ch"`, `"owner@acme.example"`, `"nope"`).Replace(orgBody),
			[]string{"billing-address.country", "owner-email"}},
		{"not JSON", "POST", "/distributor/organization", `{"display-name":`, []string{"body"}},
		{"no body", "POST", "/distributor/organization", "", []string{"body"}},
		{"bad month", "GET", "/distributor/organization/" + id + "/usage?period=2025-13", "", []string{"period"}},
		{"empty period", "GET", "/distributor/organization/" + id + "/usage?period=", "", []string{"period"}},
		{"non-UUID id", "GET", "/distributor/organization/not-a-uuid", "", []string{"id"}},
		{"non-UUID id in action", "PUT", "/distributor/organization/1234:suspend", "", []string{"id"}},
		{"metering, bad organization", "POST", "/metering:apply", `{"organization":"x","usage":[{"product":"p","quantity":1}]}`,
			[]string{"organization"}},
		{"metering, empty usage", "POST", "/metering:apply", `{"organization":"` + id + `","usage":[]}`, []string{"usage"}},
		{"metering, no organization", "POST", "/metering:apply", `{"usage":[{"product":"p","quantity":1}]}`, []string{"organization: required"}},
		{"metering, no usage", "POST", "/metering:apply", `{"organization":"` + id + `"}`, []string{"usage: required"}},
		{"metering, entry without quantity", "POST", "/metering:apply", `{"organization":"` + id + `","usage":[{"product":"p","quantity":1},{"product":"p"}]}`,
			[]string{"usage[1].quantity: required"}},
		{"metering, entry without product", "POST", "/metering:apply", `{"organization":"` + id + `","usage":[{"quantity":1}]}`,
			[]string{"usage[0].product: required"}},
		{"metering, quantity not a number", "POST", "/metering:apply", `{"organization":"` + id + `","usage":[{"product":"p","quantity":"1"}]}`,
			[]string{"usage[0].quantity: must be of type number"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			msg := c.do(tc.method, tc.path, tc.body).want(t, 400).message(t)
			t.Log(msg)
			for _, s := range tc.say {
				contains(t, msg, s)
			}
			if strings.Contains(msg, "Schema:") {
				t.Errorf("message dumps the schema: %s", msg)
			}
		})
	}
	if n := c.srv.Applied(""); n != 1 {
		t.Errorf("applied %d, want 1 (the create)", n)
	}
}

func TestRouting(t *testing.T) {
	c := newClient(t)
	id := c.create()
	for _, p := range []string{"/nope", "/distributor/organization/" + id + "/bogus", "/metering"} {
		c.do("GET", p, "").want(t, 404).message(t)
	}
	r := c.do("GET", "/distributor/organization/"+id+":suspend", "").want(t, 405)
	contains(t, r.message(t), "PUT")
	if got := r.header.Get("Allow"); got != "PUT" {
		t.Errorf("Allow %q", got)
	}
	if got := c.do("DELETE", "/distributor/organization", "").want(t, 405).header.Get("Allow"); got != "GET, POST" {
		t.Errorf("Allow %q", got)
	}

	// Outside the base path.
	req := c.request(t.Context(), "GET", "", "")
	req.URL.Path = "/distributor/organization"
	c.send(req).want(t, 404)
}

func TestBodyTooLarge(t *testing.T) {
	c := newClient(t)
	big := `{"display-name":"` + strings.Repeat("x", 2<<20) + `"}`
	c.do("POST", "/distributor/organization", big).want(t, 413).message(t)
}
