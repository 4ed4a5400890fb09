package spec_test

import (
	"context"
	"slices"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/exopartner/exopartner/internal/specgen"
)

// specPath is our base OpenAPI document, relative to this package's directory.
const specPath = "partner-api.yaml"

// loadSpec loads the OpenAPI document at path with kin-openapi, resolving
// references, and fails the test if it cannot be loaded.
func loadSpec(t *testing.T, path string) *openapi3.T {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromFile(path)
	if err != nil {
		t.Fatalf("load %s: %v", path, err)
	}
	return doc
}

// effective returns the effective document of the base document at base
// ("" for ours): the base with spec/tightenings.yaml and spec/overlay.yaml
// applied, as api/ embeds it.
func effective(t *testing.T, base string) *openapi3.T {
	t.Helper()
	d, err := specgen.Load(specgen.Sources{Dir: ".", Base: base})
	if err != nil {
		t.Fatal(err)
	}
	doc, err := d.OpenAPI()
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func TestSpecIsValid(t *testing.T) {
	doc := loadSpec(t, specPath)
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("%s is not a valid OpenAPI document: %v", specPath, err)
	}

	want := []string{
		"activate-distributor-organization",
		"create-distributor-organization",
		"get-distributor-organization",
		"list-distributor-organization-usage",
		"list-distributor-organizations",
		"metering-transaction",
		"schedule-purge-distributor-organization",
		"suspend-distributor-organization",
		"terminate-distributor-organization",
	}
	var got []string
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			got = append(got, op.OperationID)
		}
	}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("operationIds:\n got  %q\n want %q", got, want)
	}

	const server = "https://partner-api.exoscale.com/v1.alpha"
	var urls []string
	for _, s := range doc.Servers {
		urls = append(urls, s.URL)
	}
	if !slices.Equal(urls, []string{server}) {
		t.Errorf("server URLs = %q, want exactly [%s]", urls, server)
	}
}

// TestTighteningPatterns checks that the patterns spec/tightenings.yaml adds
// to the base document accept and reject what they are meant to, using the
// schemas of the effective document rather than copies of the regular
// expressions.
func TestTighteningPatterns(t *testing.T) {
	doc := effective(t, "")

	usage := doc.Paths.Value("/distributor/organization/{id}/usage")
	if usage == nil || usage.Get == nil {
		t.Fatal("GET /distributor/organization/{id}/usage not found")
	}
	period := usage.Get.Parameters.GetByInAndName("query", "period")
	if period == nil || period.Schema == nil {
		t.Fatal("query parameter period not found")
	}
	address := doc.Components.Schemas["billing-address"]
	input := doc.Components.Schemas["organization-input"]
	if address == nil || address.Value.Properties["country"] == nil {
		t.Fatal("billing-address.country not found")
	}
	if input == nil || input.Value.Properties["owner-email"] == nil {
		t.Fatal("organization-input.owner-email not found")
	}

	cases := []struct {
		name           string
		schema         *openapi3.Schema
		accept, reject []string
	}{
		{"period", period.Schema.Value,
			[]string{"2025-01", "2025-12"},
			[]string{"2025-13", "2025-00", "2025-1", "25-01"}},
		{"billing-address.country", address.Value.Properties["country"].Value,
			[]string{"CH"},
			[]string{"ch", "CHE"}},
		{"organization-input.owner-email", input.Value.Properties["owner-email"].Value,
			[]string{"owner@example.com"},
			[]string{"owner@example", "@example.com", "own er@example.com"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.schema.Pattern == "" {
				t.Fatalf("%s has no pattern", c.name)
			}
			for _, v := range c.accept {
				if err := c.schema.VisitJSON(v); err != nil {
					t.Errorf("%q rejected: %v", v, err)
				}
			}
			for _, v := range c.reject {
				if err := c.schema.VisitJSON(v); err == nil {
					t.Errorf("%q accepted", v)
				}
			}
		})
	}
}
