package specgen

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode"

	"github.com/speakeasy-api/openapi/overlay"
	"gopkg.in/yaml.v3"

	"github.com/exopartner/exopartner/internal/contract/ruletext"
)

// appliesTo is the schema type each keyword an overlay may set constrains:
// a pattern on a number, or a multipleOf on a string, would silently check
// nothing. Keywords not listed (x- extensions, descriptions) apply to any
// target.
var appliesTo = map[string][]string{
	"pattern": {"string"}, "format": {"string", "number", "integer"},
	"minLength": {"string"}, "maxLength": {"string"},
	"multipleOf": {"number", "integer"}, "minimum": {"number", "integer"}, "maximum": {"number", "integer"},
	"exclusiveMinimum": {"number", "integer"}, "exclusiveMaximum": {"number", "integer"},
	"minItems": {"array"}, "maxItems": {"array"}, "uniqueItems": {"array"},
	"required": {"object"}, "minProperties": {"object"}, "maxProperties": {"object"},
}

// applyOverlay applies the overlay at path to root, one action at a time,
// each strictly: its target must match at least one node, every node must
// have a type its update applies to, and a required field it adds must be a
// property. Every broken action is reported, named by file, number and
// description; base names the document in the message.
func applyOverlay(root *yaml.Node, path, base string) error {
	o, err := overlay.Parse(path)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if err := o.Validate(); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	var errs []error
	for i, a := range o.Actions {
		name := fmt.Sprintf("%s action %d (%s)", path, i+1, actionName(a))
		if a.Remove || a.Copy != "" {
			errs = append(errs, fmt.Errorf("%s: only update actions are supported", name))
			continue
		}
		p, err := o.NewPath(a.Target, nil)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: target %s: %w", name, a.Target, err))
			continue
		}
		nodes := p.Query(root)
		if len(nodes) == 0 {
			errs = append(errs, fmt.Errorf("%s: target %s matches nothing in %s: a revision renamed or removed what it applies to",
				name, a.Target, base))
			continue
		}
		if err := checkTargets(nodes, &a.Update); err != nil {
			errs = append(errs, fmt.Errorf("%s: target %s in %s: %w", name, a.Target, base, err))
			continue
		}
		if err := checkWords(&a.Update); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", name, err))
			continue
		}
		one := *o
		one.Actions = []overlay.Action{a}
		if err := one.ApplyTo(root); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", name, err))
			continue
		}
		for _, n := range nodes {
			dedupeRequired(n)
		}
	}
	return errors.Join(errs...)
}

// actionName is how a message names an action: the first sentence of its
// description, else its update.
func actionName(a overlay.Action) string {
	if d := strings.Join(strings.Fields(a.Description), " "); d != "" {
		for i := 0; i+2 < len(d); i++ {
			if d[i] == '.' && d[i+1] == ' ' && unicode.IsUpper(rune(d[i+2])) {
				return d[:i]
			}
		}
		return strings.TrimSuffix(d, ".")
	}
	var parts []string
	for i := 0; i+1 < len(a.Update.Content); i += 2 {
		k, v := a.Update.Content[i], a.Update.Content[i+1]
		if v.Kind == yaml.ScalarNode {
			parts = append(parts, k.Value+": "+v.Value)
		} else {
			parts = append(parts, k.Value)
		}
	}
	return strings.Join(parts, ", ")
}

// checkTargets checks that update applies to every node.
func checkTargets(nodes []*yaml.Node, update *yaml.Node) error {
	if update.Kind != yaml.MappingNode {
		return nil
	}
	for _, n := range nodes {
		if n.Kind != yaml.MappingNode {
			return fmt.Errorf("matches a %s, not a schema", kind(n))
		}
		types := schemaTypes(n)
		for i := 0; i+1 < len(update.Content); i += 2 {
			key, val := update.Content[i].Value, update.Content[i+1]
			want, ok := appliesTo[key]
			if !ok {
				continue
			}
			if ref := value(n, "$ref"); ref != nil {
				return fmt.Errorf("is now a $ref to %s, which %s does not apply to", ref.Value, key)
			}
			if len(types) == 0 {
				return fmt.Errorf("has no type now; %s applies to %s", key, strings.Join(want, " or "))
			}
			if !slices.ContainsFunc(types, func(t string) bool { return slices.Contains(want, t) }) {
				return fmt.Errorf("is of type %s now; %s applies to %s", strings.Join(types, ","), key, strings.Join(want, " or "))
			}
			if key == "required" {
				props := value(n, "properties")
				for _, f := range val.Content {
					if props == nil || value(props, f.Value) == nil {
						return fmt.Errorf("has no property %q now, which it makes required", f.Value)
					}
				}
			}
		}
	}
	return nil
}

// worded are the keywords an update must state in words, in the schema's
// ruletext.Extension: a pattern tells a person nothing of what it demands.
var worded = []string{"pattern"}

// checkWords checks that update states in words each rule of worded it
// sets, as people are told it when a value breaks it.
func checkWords(update *yaml.Node) error {
	if update.Kind != yaml.MappingNode {
		return nil
	}
	words := value(update, ruletext.Extension)
	for _, k := range worded {
		if value(update, k) == nil {
			continue
		}
		if w := wordsOf(words, k); w == "" {
			return fmt.Errorf("sets %s without saying in words what it demands: add %s: {%s: \"must be …\"} to its update "+
				"(what a person is told when a value breaks it)", k, ruletext.Extension, k)
		}
	}
	return nil
}

// wordsOf is the text for keyword in a ruletext.Extension mapping node.
func wordsOf(words *yaml.Node, keyword string) string {
	if words == nil {
		return ""
	}
	if w := value(words, keyword); w != nil && w.Kind == yaml.ScalarNode {
		return strings.TrimSpace(w.Value)
	}
	return ""
}

// schemaTypes returns a schema node's type, or types (OpenAPI 3.1).
func schemaTypes(n *yaml.Node) []string {
	t := value(n, "type")
	switch {
	case t == nil:
		return nil
	case t.Kind == yaml.SequenceNode:
		var out []string
		for _, c := range t.Content {
			out = append(out, c.Value)
		}
		return out
	default:
		return []string{t.Value}
	}
}

// dedupeRequired drops repeated names from a schema's required list: an
// update appends to the document's own list, which a revision may have
// given the same field.
func dedupeRequired(n *yaml.Node) {
	req := value(n, "required")
	if req == nil || req.Kind != yaml.SequenceNode {
		return
	}
	seen := map[string]bool{}
	req.Content = slices.DeleteFunc(req.Content, func(c *yaml.Node) bool {
		dup := seen[c.Value]
		seen[c.Value] = true
		return dup
	})
}

// value returns the value of key in the mapping node n, or nil.
func value(n *yaml.Node, key string) *yaml.Node {
	if n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

func kind(n *yaml.Node) string {
	switch n.Kind {
	case yaml.SequenceNode:
		return "list"
	case yaml.ScalarNode:
		return "value"
	default:
		return "node"
	}
}
