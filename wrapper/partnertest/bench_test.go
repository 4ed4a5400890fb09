package partnertest_test

import (
	"testing"
)

func BenchmarkGet(b *testing.B) {
	c := newClient(b)
	id := c.create()
	for b.Loop() {
		c.do("GET", "/distributor/organization/"+id, "").want(b, 200)
	}
}

func BenchmarkList10000(b *testing.B) {
	c := newClient(b)
	c.srv.AddOrganizations(10_000)
	for b.Loop() {
		c.do("GET", "/distributor/organization", "").want(b, 200)
	}
}
