package partnertest_test

import (
	"math"
	"reflect"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/exopartner/exopartner/api"
	"github.com/exopartner/exopartner/wrapper/partnertest"
)

func TestMetering(t *testing.T) {
	c := newClient(t)
	id := c.create()
	batch := `{"organization":"` + id + `","usage":[` +
		`{"product":"compute","variable":"instance-hours","quantity":10.5},` +
		`{"product":"sos","variable":"gib-hours","quantity":1234567.89},` +
		`{"product":"compute","variable":"instance-hours","quantity":-0.00005}]}`
	r := c.do("POST", "/metering:apply", batch).want(t, 204)
	if len(r.body) != 0 || r.header.Get("Content-Type") != "application/json" {
		t.Errorf("204 answer: Content-Type %q, body %q; want application/json and empty", r.header.Get("Content-Type"), r.body)
	}
	got := c.srv.Metering(uuid.MustParse(id))
	if len(got) != 3 || *got[1].Quantity != 1234567.89 || *got[2].Quantity != -0.00005 {
		t.Errorf("Metering() = %+v", got)
	}

	// Unknown and terminated organizations.
	other := uuid.NewString()
	c.do("POST", "/metering:apply", `{"organization":"`+other+`","usage":[{"product":"p","quantity":1}]}`).want(t, 404)
	c.do("DELETE", "/distributor/organization/"+id+":terminate", "").want(t, 200)
	contains(t, c.do("POST", "/metering:apply", batch).want(t, 409).message(t), "terminated")
	if n := len(c.srv.Metering(uuid.MustParse(id))); n != 3 {
		t.Errorf("%d quantities after refused batch, want 3", n)
	}
}

func TestUsageCurrentPeriod(t *testing.T) {
	c := newClient(t)
	id := c.create()
	c.do("POST", "/metering:apply", `{"organization":"`+id+`","usage":[`+
		`{"product":"compute","variable":"instance-hours","quantity":10.5},`+
		`{"product":"compute","variable":"instance-hours","quantity":0.1},`+
		`{"product":"compute","variable":"instance-hours","quantity":0.2},`+
		`{"product":"sos","variable":"gib-hours","quantity":100}]}`).want(t, 204)

	var byDefault, explicit []api.ListDistributorOrganizationUsage200JSONResponseBody_Item
	c.do("GET", "/distributor/organization/"+id+"/usage", "").want(t, 200).decode(t, &byDefault)
	c.do("GET", "/distributor/organization/"+id+"/usage?period=2025-06", "").want(t, 200).decode(t, &explicit)
	if !reflect.DeepEqual(byDefault, explicit) {
		t.Errorf("default period differs from 2025-06:\n%+v\n%+v", byDefault, explicit)
	}
	if len(byDefault) != 1 {
		t.Fatalf("%d statements, want 1", len(byDefault))
	}
	s := byDefault[0]
	if *s.Currency != "CHF" || *s.Code != "USG-202506-"+id[:8] ||
		!s.StartDate.Equal(time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)) || !s.EndDate.Equal(time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("statement %s %s %s..%s", *s.Code, *s.Currency, s.StartDate, s.EndDate)
	}
	lines := *s.Usage
	if len(lines) != 2 || *lines[0].Product != "compute" || *lines[0].Quantity != 10.8 || *lines[1].Product != "sos" || *lines[1].Quantity != 100 {
		t.Fatalf("lines %+v", lines)
	}
	var sumExcl, sumIncl float64
	for _, l := range lines {
		excl := math.Round(*l.Quantity*partnertest.UnitPrice(*l.Product)*100) / 100
		incl := math.Round(excl*(1+partnertest.VATRate)*100) / 100
		if *l.TotalExclVat != excl || *l.TotalInclVat != incl || *l.Unit != "unit" {
			t.Errorf("%s: excl %v incl %v unit %s, want %v %v unit", *l.Product, *l.TotalExclVat, *l.TotalInclVat, *l.Unit, excl, incl)
		}
		sumExcl += excl
		sumIncl += incl
	}
	if math.Abs(*s.TotalExclVat-sumExcl) > 0.001 || math.Abs(*s.TotalInclVat-sumIncl) > 0.001 {
		t.Errorf("totals %v %v, want %v %v", *s.TotalExclVat, *s.TotalInclVat, sumExcl, sumIncl)
	}
}

func TestUsageOtherPeriods(t *testing.T) {
	c := newClient(t)
	a, b := c.create(), c.create()
	get := func(id, period string) []api.ListDistributorOrganizationUsage200JSONResponseBody_Item {
		var s []api.ListDistributorOrganizationUsage200JSONResponseBody_Item
		c.do("GET", "/distributor/organization/"+id+"/usage?period="+period, "").want(t, 200).decode(t, &s)
		return s
	}
	first := get(a, "2024-02")
	if len(first) != 1 || len(*first[0].Usage) == 0 || *first[0].TotalExclVat <= 0 || *first[0].Code != "USG-202402-"+a[:8] {
		t.Fatalf("synthetic statement %+v", first)
	}
	if again := get(a, "2024-02"); !reflect.DeepEqual(first, again) {
		t.Errorf("not deterministic:\n%+v\n%+v", first, again)
	}
	if reflect.DeepEqual(first, get(a, "2024-03")) || reflect.DeepEqual(*first[0].Usage, *get(b, "2024-02")[0].Usage) &&
		reflect.DeepEqual(get(a, "2024-03"), get(b, "2024-03")) {
		t.Errorf("synthetic statements do not depend on (id, period)")
	}
	if future := get(a, "2025-07"); len(future) != 0 {
		t.Errorf("future period has statements: %+v", future)
	}
}
