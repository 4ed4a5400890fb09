package main

import (
	"strings"
	"testing"

	"github.com/exopartner/exopartner/internal/contract"
)

// TestInvalidInputInWords runs bad values through the real argument
// parsing, against partnertest: the message names the flag, says the rule
// in the spec's words (the tightening's x-exopartner-messages in the
// embedded spec, not its pattern; for "Switzerland" the country code before
// the length) with the value, exits 2, and nothing is sent.
func TestInvalidInputInWords(t *testing.T) {
	t.Parallel()
	words := func(schema, property string) string {
		p := contract.MustDoc().Components.Schemas[schema].Value.Properties[property].Value
		return p.Extensions["x-exopartner-messages"].(map[string]any)["pattern"].(string)
	}
	const id = "0b5c7c1e-6a4b-4ad0-9d1e-3f8f6f2f6a10"
	create := []string{"create-distributor-organization", "--display-name", "Acme AG", "--billing-name", "Acme AG",
		"--street-name", "Seestrasse", "--city", "Zürich", "--postal-code", "8002"}
	for _, tc := range []struct {
		name string
		args []string
		want string // the whole of stderr
	}{
		{"country", append(create, "--owner-email", "ops@acme.example", "--country", "Switzerland"),
			`exopartner: create-distributor-organization: invalid input: --country: ` + words("billing-address", "country") + ` (got "Switzerland")`},
		{"e-mail", append(create, "--owner-email", "nobody", "--country", "CH"),
			`exopartner: create-distributor-organization: invalid input: --owner-email: must be an e-mail address (got "nobody")`},
		{"both, in the order of the fields", append(create, "--owner-email", "nobody", "--country", "ch"),
			`exopartner: create-distributor-organization: invalid input: --country: ` + words("billing-address", "country") +
				` (got "ch"); --owner-email: must be an e-mail address (got "nobody")`},
		{"too long", append(create, "--owner-email", "ops@acme.example", "--country", "CH", "--client-id", strings.Repeat("k", 192)),
			`exopartner: create-distributor-organization: invalid input: --client-id: must be at most 191 characters (got 192)`},
		{"a flag's value", []string{"list-distributor-organization-usage", id, "--period", "2025-13"},
			`exopartner: list-distributor-organization-usage: invalid input: --period: ` +
				contract.MustDoc().Paths.Find("/distributor/organization/{id}/usage").Get.Parameters.GetByInAndName("query", "period").
					Schema.Value.Extensions["x-exopartner-messages"].(map[string]any)["pattern"].(string) + ` (got "2025-13")`},
		{"a quantity", []string{"metering-transaction", "--organization", id, "--usage", "p:v:1.123456"},
			`exopartner: metering-transaction: invalid input: usage[0].quantity: must have at most 5 decimals (got 1.123456)`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := newServer(t)
			r := runCLI(t, envOf(srv), tc.args...)
			if r.code != 2 || r.stdout != "" || r.stderr != tc.want+"\n" {
				t.Errorf("exit %d, stdout %q, stderr:\n%s\nwant exit 2 and:\n%s", r.code, r.stdout, r.stderr, tc.want)
			}
			if strings.Contains(r.stderr, "^") {
				t.Errorf("the message quotes a pattern: %s", r.stderr)
			}
			if n := srv.Requests(""); n != 0 {
				t.Errorf("the API saw %d requests, want none", n)
			}
		})
	}
}
