package contract_test

import (
	"strings"
	"testing"

	"github.com/exopartner/exopartner/internal/contract"
)

// TestUTF8Problems: every string that is not UTF-8 is named as on the wire;
// valid text (accents, U+FFFD itself) passes.
func TestUTF8Problems(t *testing.T) {
	doc := map[string]any{
		"client-id":       "Z\xfcrich",
		"display-name":    "Zürich \uFFFD",
		"billing-address": map[string]any{"name": "caf\xe9", "city": "Genève"},
		"usage":           []any{map[string]any{"product": "ok", "quantity": 1.0}, map[string]any{"variable": "caf\xe8"}},
	}
	got := map[string]string{}
	for _, p := range contract.UTF8Problems("", doc) {
		got[p.Field] = p.Rule
	}
	want := map[string]string{
		"client-id":            `must be valid UTF-8 text (got "Z\xfcrich")`,
		"billing-address.name": `must be valid UTF-8 text (got "caf\xe9")`,
		"usage[1].variable":    `must be valid UTF-8 text (got "caf\xe8")`,
	}
	if len(got) != len(want) {
		t.Fatalf("problems %v, want %v", got, want)
	}
	for f, r := range want {
		if got[f] != r {
			t.Errorf("%s: %q, want %q", f, got[f], r)
		}
	}
	if p := contract.UTF8Problems("", map[string]any{"a": "Zürich", "b": []any{"\uFFFD", 1.0}}); p != nil {
		t.Errorf("valid text refused: %v", p)
	}
	if r := contract.NotUTF8InFile("Z\xfcrich"); !strings.HasPrefix(r, `not valid UTF-8 (got "Z\xfcrich"): the file looks like Windows-1252; save it as "CSV UTF-8"`) {
		t.Errorf("file reason %q", r)
	}
}

// TestClientIDRule: a new organization's client-id is canonical text.
func TestClientIDRule(t *testing.T) {
	for s, want := range map[string]string{
		"crm-3":           "",
		"CRM 3":           "",
		"Zürich":          "", // NFC
		"Z\xfcrich":       "", // left to the UTF-8 rule
		"crm-3 ":          `must not begin or end with a space (got "crm-3 ")`,
		" crm-3":          `must not begin or end with a space (got " crm-3")`,
		"crm-3\t":         `must not begin or end with a space (got "crm-3\t")`,
		"crm-3\u00a0":     `must not begin or end with a space (got "crm-3\u00a0")`,
		"crm-3\u200b":     `must not contain the control, invisible or non-ASCII space character U+200B (got "crm-3\u200b")`,
		"\ufeffcrm-3":     `must not contain the control, invisible or non-ASCII space character U+FEFF (got "\ufeffcrm-3")`,
		"crm\u00a03":      `must not contain the control, invisible or non-ASCII space character U+00A0 (got "crm\u00a03")`,
		"crm\x1b[2K3":     `must not contain the control, invisible or non-ASCII space character U+001B (got "crm\x1b[2K3")`,
		"crm\u202e3":      `must not contain the control, invisible or non-ASCII space character U+202E (got "crm\u202e3")`,
		"Z\uFFFDrich":     `must not contain U+FFFD, the replacement character: the text was mangled by an earlier conversion (got "Z\ufffdrich")`,
		"Zu\u0308rich":    `must be in Unicode NFC, composed characters (got "Zu\u0308rich", which is "Z\u00fcrich" in NFC)`,
		"crm-\u3164three": `must not contain the control, invisible or non-ASCII space character U+3164 (got "crm-\u3164three")`,
	} {
		if got := contract.ClientIDRule(s); got != want {
			t.Errorf("ClientIDRule(%+q) = %q, want %q", s, got, want)
		}
	}
}

// TestClientIDKey: the look-alikes of the issue share a key; different
// customers do not.
func TestClientIDKey(t *testing.T) {
	groups := [][]string{
		{"crm-3", "crm-3 ", " CRM-3", "Crm-3", "crm-3\u200b", "\ufeffcrm-3", "crm-3\u00a0", "crm-3\r\n"},
		{"Zürich", "Zu\u0308rich", "ZÜRICH", "zu\u0308rich ", "ZU\u0308RICH"},
		{"Straße", "STRASSE", "strasse"},
		{"crm 3", "crm\u00a03", "CRM\u20073"},
	}
	for i, g := range groups {
		for _, s := range g {
			if contract.ClientIDKey(s) != contract.ClientIDKey(g[0]) || !contract.SameClientID(s, g[0]) || !contract.SameClientID(g[0], s) {
				t.Errorf("%+q (key %+q) does not look like %+q (key %+q)", s, contract.ClientIDKey(s), g[0], contract.ClientIDKey(g[0]))
			}
		}
		for j, h := range groups {
			if i != j && (contract.ClientIDKey(h[0]) == contract.ClientIDKey(g[0]) || contract.SameClientID(h[0], g[0])) {
				t.Errorf("%+q looks like %+q", h[0], g[0])
			}
		}
	}
	for _, pair := range [][2]string{{"crm-3", "crm-30"}, {"crm-3", "crm3"}, {"Zürich", "Zurich"}, {"a", ""}, {"ｃｒｍ-3", "crm-3"}} {
		if contract.SameClientID(pair[0], pair[1]) {
			t.Errorf("%+q and %+q look alike", pair[0], pair[1])
		}
	}
	if contract.ClientIDRule(contract.ClientIDKey("Zu\u0308rich")) != "" {
		t.Errorf("the key of an NFD id is not canonical: %+q", contract.ClientIDKey("Zu\u0308rich"))
	}
}
