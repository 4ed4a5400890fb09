package spec_test

import (
	"slices"
	"strings"
	"testing"
)

// TestRevisions tries each kind of change the published document has gone
// through on our base document (and on the published one, where it
// exists): each generates api/ and wrapper/types.gen.go, builds and runs
// the demo (and its tests) on them, and changes the exported API of both by
// exactly what it changes (revise_test.go); a change of tags, of the info
// block or of unused schemas generates api/ and wrapper/types.gen.go
// themselves, byte for byte. Generation
// depends on no tag and no prose: operations are chosen by operationId, and
// the overlays are applied without re-serializing the document to YAML.
func TestRevisions(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the module on each revision")
	}
	for _, r := range []revision{
		{name: "operations with tags: []", same: true, edit: func(t *testing.T, d doc) {
			eachOperation(d, func(op doc) { op["tags"] = []any{} })
		}},
		{name: "a tag renamed", same: true, edit: func(t *testing.T, d doc) {
			renameTag(t, d, "distributor-organization", "organizations")
		}},
		{name: "tag descriptions framed by blank lines", same: true, edit: func(t *testing.T, d doc) {
			// "\n\nMetrics API.\n\n" is the smallest input that stops
			// oapi-codegen v2.8.2's own overlay step; earlier published
			// revisions carried that tag, before metering.
			tags := []any{doc{"name": "metrics", "description": "\n\nMetrics API.\n\n"}}
			for _, tag := range d["tags"].([]any) {
				tag := tag.(doc)
				tag["description"] = "\n\n" + tag["description"].(string) + "\n\n"
				tags = append(tags, tag)
			}
			d["tags"] = tags
		}},
		{name: "enum values reordered", edit: func(t *testing.T, d doc) {
			status := obj(t, schema(t, d, "organization-output"), "properties", "status")
			enum := status["enum"].([]any)
			slices.Reverse(enum)
		}},
		{name: "a status added", edit: addStatus,
			surface: wantGained(`const StatusOnHold Status = "on-hold"`),
			wrapper: []string{onHold},
			tests:   map[string][]string{"./internal/cmd/exopartner": {"TestStatusFlagFollowsTheSpec"}}},
		{name: "an unused schema added", same: true, edit: func(t *testing.T, d doc) {
			obj(t, d, "components", "schemas")["input-webhook-example"] = doc{
				"type": "object", "required": []any{"event"},
				"properties": doc{"event": doc{"type": "string", "minLength": 1}},
			}
		}},
		{name: "an unused schema removed", same: true, edit: func(t *testing.T, d doc) {
			delete(obj(t, d, "components", "schemas"), "input-webhook-aiven")
		}},
		{name: "descriptions reworded", edit: func(t *testing.T, d doc) {
			reword(d)
		}},
		{name: "an info block and top-level prose added", same: true, edit: func(t *testing.T, d doc) {
			info := obj(t, d, "info")
			info["description"] = "\n\nAPI for Partners, Distributors, and Marketplace vendors.\n\n"
			info["termsOfService"] = "https://exoscale.com/terms"
			info["contact"] = doc{"email": "api@exoscale.com", "name": "API support", "url": "https://community.exoscale.ch/support"}
			info["license"] = doc{"name": "Proprietary"}
			info["x-logo"] = doc{"url": "https://example.com/logo.svg"}
			d["externalDocs"] = doc{"url": "https://www.exoscale.com/partner-programs/"}
			d["x-topics"] = []any{doc{"title": "Signature", "content": "\n\nHow requests are signed.\n\n"}}
		}},
		{name: "fields added", edit: addFields,
			surface: wantFields,
			wrapper: []string{onHold},
			files:   map[string]string{"internal/cmd/exopartner/revision_test.go": "testdata/revision/revision_test.go.txt"},
			tests:   map[string][]string{"./internal/cmd/exopartner": {"TestRevisionFlowsThrough", "TestStatusFlagFollowsTheSpec"}}},
	} {
		t.Run(r.name, func(t *testing.T) {
			t.Parallel()
			r.try(t)
		})
	}
}

// onHold is the constant wrapper/types.gen.go gains for the status
// on-hold: a revision's status reaches wrapper.Status through `make
// generate` alone.
const onHold = "const StatusOnHold = api.StatusOnHold"

// TestPublishedDocumentKeepsEveryTightening drops the published document in
// as it is: it generates the exported API of ours, and the CLI and
// partnertest refuse what the tightenings refuse (--country ch, an owner
// e-mail without @, a sixth decimal, month 13), against partnertest.
func TestPublishedDocumentKeepsEveryTightening(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the module on the published document")
	}
	t.Parallel()
	revision{
		name: "published", edit: func(*testing.T, doc) {},
		tests: map[string][]string{
			"./internal/cmd/exopartner": {"TestUsageAndInvalidInput"},
			"./wrapper/partnertest":     {"TestInvalidRequests", "TestQuantityDecimals"},
		},
	}.tryOn(t, referencePath)
}

func renameTag(t *testing.T, d doc, from, to string) {
	t.Helper()
	found := false
	for _, tag := range d["tags"].([]any) {
		if tag := tag.(doc); tag["name"] == from {
			tag["name"], found = to, true
		}
	}
	eachOperation(d, func(op doc) {
		tags, _ := op["tags"].([]any)
		for i, tag := range tags {
			if tag == from {
				tags[i], found = to, true
			}
		}
	})
	if !found {
		t.Fatalf("no tag %s to rename", from)
	}
}

// reword rewrites every description and summary below v, framed by blank
// lines and re-wrapped.
func reword(v any) {
	switch v := v.(type) {
	case doc:
		for k, x := range v {
			if s, ok := x.(string); ok && (k == "description" || k == "summary") {
				v[k] = "\n\nReworded: " + strings.ReplaceAll(s, " ", "\n") + "\n\n*Second* paragraph, with `code` and \"quotes\".\n"
			} else {
				reword(x)
			}
		}
	case []any:
		for _, x := range v {
			reword(x)
		}
	}
}

// addStatus adds the status on-hold.
func addStatus(t *testing.T, d doc) {
	status := obj(t, schema(t, d, "organization-output"), "properties", "status")
	status["enum"] = append(status["enum"].([]any), "on-hold")
}

// addFields is an additive revision: a new optional request field
// vat-number, which the API also returns, a new optional response field
// created-at, and the status on-hold (testdata/revision/revision_test.go.txt
// uses them through the client, partnertest and --output json).
func addFields(t *testing.T, d doc) {
	addStatus(t, d)
	vat := doc{"type": "string", "maxLength": 32, "description": "VAT identification number."}
	obj(t, schema(t, d, "organization-input"), "properties")["vat-number"] = vat
	out := obj(t, schema(t, d, "organization-output"), "properties")
	out["vat-number"] = vat
	out["created-at"] = doc{"type": "string", "format": "date-time", "readOnly": true, "description": "When the organization was created."}
}

// wantFields wants the two struct types to gain exactly the new fields, and
// the status its constant.
func wantFields(t *testing.T, gained, lost []string) {
	t.Helper()
	const (
		createdAt = "CreatedAt time.Time `json:\"created-at,omitzero\"` "
		vat       = "VATNumber string `json:\"vat-number,omitzero\"` "
	)
	want := map[string]bool{"type Organization struct": false, "type CreateOrganizationRequest struct": false}
	var rest []string
	lost = slices.Clone(lost)
	for _, g := range gained {
		prefix, _, _ := strings.Cut(g, " {")
		if _, ok := want[prefix]; !ok || !strings.Contains(g, vat) {
			rest = append(rest, g)
			continue
		}
		want[prefix] = true
		was := strings.NewReplacer(createdAt, "", vat, "").Replace(g)
		if i := slices.Index(lost, was); i >= 0 {
			lost = slices.Delete(lost, i, i+1)
		} else {
			t.Errorf("%s gained more than vat-number and created-at: %s", prefix, g)
		}
		if prefix == "type Organization struct" && !strings.Contains(g, createdAt) {
			t.Errorf("Organization did not gain CreatedAt: %s", g)
		}
	}
	for prefix, seen := range want {
		if !seen {
			t.Errorf("%s did not gain VATNumber", prefix)
		}
	}
	if !slices.Equal(rest, []string{`const StatusOnHold Status = "on-hold"`}) || len(lost) > 0 {
		t.Errorf("the exported API changed otherwise: +%q -%q", rest, lost)
	}
}
