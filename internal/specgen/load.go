package specgen

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"gopkg.in/yaml.v3"
)

// The files of the spec directory.
const (
	BaseFile        = "partner-api.yaml" // the base document: the wire contract
	TighteningsFile = "tightenings.yaml" // our rules beyond the wire contract
	GoNamesFile     = "overlay.yaml"     // Go names and encodings
	ConfigFile      = "oapi-codegen.yaml"
)

// Sources names the inputs of a generation.
type Sources struct {
	// Dir is the spec directory: the overlays and the generator
	// configuration ("spec" from the module root).
	Dir string
	// Base is the base document; "" means Dir/partner-api.yaml. A published
	// revision is given here as it is, JSON or YAML.
	Base string
}

func (s Sources) base() string {
	if s.Base != "" {
		return s.Base
	}
	return filepath.Join(s.Dir, BaseFile)
}

// Document is the effective document: the base document with the
// tightenings and the Go names applied, as api/ embeds it.
type Document struct {
	// JSON is the document as kin-openapi and oapi-codegen get it.
	JSON []byte
	// Config is the generator configuration (spec/oapi-codegen.yaml).
	Config Config
	// Unlisted are the operationIds of the document that the configuration
	// does not list, so the client is not generated for: a revision may add
	// operations.
	Unlisted []string
}

// Load reads the base document, applies both overlays and checks that every
// listed operation is there. Its errors name the file, and the overlay
// action or operation, at fault; several are reported at once.
func Load(src Sources) (*Document, error) {
	cfg, err := readConfig(filepath.Join(src.Dir, ConfigFile))
	if err != nil {
		return nil, err
	}
	base := src.base()
	root, err := readNode(base)
	if err != nil {
		return nil, err
	}
	var errs []error
	for _, name := range []string{TighteningsFile, GoNamesFile} {
		if err := applyOverlay(root, filepath.Join(src.Dir, name), base); err != nil {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	dropUnused(root.Content[0])
	var buf bytes.Buffer
	if err := writeJSON(&buf, root); err != nil {
		return nil, fmt.Errorf("%s: %w", base, err)
	}
	d := &Document{JSON: buf.Bytes(), Config: cfg}
	doc, err := d.OpenAPI()
	if err != nil {
		return nil, fmt.Errorf("%s with the overlays applied: %w", base, err)
	}
	// A description beside a $ref is prose the published document carries
	// (OpenAPI 3.0 ignores it, 3.1 allows it); it is not embedded.
	if err := doc.Validate(context.Background(), openapi3.AllowExtraSiblingFields("description")); err != nil {
		return nil, fmt.Errorf("%s with the overlays applied is not a valid OpenAPI document: %w", base, err)
	}
	missing, unlisted := operations(doc, cfg.OutputOptions.IncludeOperationIDs)
	if len(missing) > 0 {
		return nil, fmt.Errorf("%s lacks %d of the %d operations the client is generated for: %s "+
			"(a revision renamed or removed them; %s lists them in include-operation-ids)",
			base, len(missing), len(cfg.OutputOptions.IncludeOperationIDs), strings.Join(missing, ", "),
			filepath.Join(src.Dir, ConfigFile))
	}
	d.Unlisted = unlisted
	return d, nil
}

// OpenAPI loads the document with kin-openapi, afresh on each call: code
// generation changes the document it is given.
func (d *Document) OpenAPI() (*openapi3.T, error) {
	return openapi3.NewLoader().LoadFromData(d.JSON)
}

// operations compares the document's operationIds with want: those of want
// it lacks, and those it has that want does not list, both sorted.
func operations(doc *openapi3.T, want []string) (missing, unlisted []string) {
	have := map[string]bool{}
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			have[op.OperationID] = true
			if !slices.Contains(want, op.OperationID) {
				unlisted = append(unlisted, op.OperationID)
			}
		}
	}
	for _, id := range want {
		if !have[id] {
			missing = append(missing, id)
		}
	}
	slices.Sort(missing)
	slices.Sort(unlisted)
	return missing, unlisted
}

// dropUnused removes from the document what no generated code and no
// check reads, so that a revision of it changes nothing in api/: the tags
// (operations are chosen by operationId), the document's external
// documentation and x- extensions (the published document carries the
// signing prose in x-topics), and info but its title and version.
func dropUnused(doc *yaml.Node) {
	keep := func(n *yaml.Node, drop func(key string) bool) {
		if n == nil || n.Kind != yaml.MappingNode {
			return
		}
		var kept []*yaml.Node
		for i := 0; i+1 < len(n.Content); i += 2 {
			if !drop(n.Content[i].Value) {
				kept = append(kept, n.Content[i], n.Content[i+1])
			}
		}
		n.Content = kept
	}
	keep(doc, func(k string) bool { return k == "tags" || k == "externalDocs" || strings.HasPrefix(k, "x-") })
	keep(value(doc, "info"), func(k string) bool { return k != "title" && k != "version" })
	if paths := value(doc, "paths"); paths != nil && paths.Kind == yaml.MappingNode {
		for i := 1; i < len(paths.Content); i += 2 {
			item := paths.Content[i]
			if item.Kind != yaml.MappingNode {
				continue
			}
			for j := 1; j < len(item.Content); j += 2 {
				keep(item.Content[j], func(k string) bool { return k == "tags" })
			}
		}
	}
}

// readNode parses the document at path, YAML or JSON, into a node tree.
func readNode(path string) (*yaml.Node, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if json.Valid(data) {
		// JSON is YAML, but a YAML parser refuses tabs that JSON allows as
		// indentation: indent it with spaces first.
		var b bytes.Buffer
		if err := json.Indent(&b, data, "", "  "); err == nil {
			data = b.Bytes()
		}
	}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if root.Kind != yaml.DocumentNode || len(root.Content) != 1 || root.Content[0].Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%s: not an OpenAPI document (want one mapping)", path)
	}
	return &root, nil
}

// writeJSON writes the node tree n as JSON, keys in document order.
func writeJSON(b *bytes.Buffer, n *yaml.Node) error {
	switch n.Kind {
	case yaml.DocumentNode:
		return writeJSON(b, n.Content[0])
	case yaml.AliasNode:
		return writeJSON(b, n.Alias)
	case yaml.MappingNode:
		b.WriteByte('{')
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == "<<" && n.Content[i].Tag == "!!merge" {
				return fmt.Errorf("line %d: YAML merge keys are not supported", n.Content[i].Line)
			}
			if i > 0 {
				b.WriteByte(',')
			}
			k, _ := json.Marshal(n.Content[i].Value)
			b.Write(k)
			b.WriteByte(':')
			if err := writeJSON(b, n.Content[i+1]); err != nil {
				return err
			}
		}
		b.WriteByte('}')
	case yaml.SequenceNode:
		b.WriteByte('[')
		for i, c := range n.Content {
			if i > 0 {
				b.WriteByte(',')
			}
			if err := writeJSON(b, c); err != nil {
				return err
			}
		}
		b.WriteByte(']')
	case yaml.ScalarNode:
		var v any
		switch n.ShortTag() {
		case "!!null":
			v = nil
		case "!!bool", "!!int", "!!float":
			if err := n.Decode(&v); err != nil {
				return fmt.Errorf("line %d: %w", n.Line, err)
			}
			if f, ok := v.(float64); ok && (math.IsInf(f, 0) || math.IsNaN(f)) {
				return fmt.Errorf("line %d: %s is not a JSON number", n.Line, n.Value)
			}
		default:
			v = n.Value
		}
		out, err := json.Marshal(v)
		if err != nil {
			return fmt.Errorf("line %d: %w", n.Line, err)
		}
		b.Write(out)
	default:
		return fmt.Errorf("line %d: unexpected YAML node", n.Line)
	}
	return nil
}
