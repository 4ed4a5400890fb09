package partnertest

import (
	"net/url"
	"sort"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/exopartner/exopartner/internal/contract"
)

// specRoute is the operation a request resolves to, as the spec declares it.
type specRoute struct {
	OperationID  string
	PathTemplate string // as written in the spec, e.g. /distributor/organization/{id}:suspend
	Method       string
	PathParams   map[string]string // decoded values of the template's variables
	Operation    *openapi3.Operation
	PathItem     *openapi3.PathItem
}

// matchRoute resolves a request's method and escaped path (relative to the
// server's base path, e.g. /distributor/organization/ID:suspend) to the
// spec's operation.
//
// Templates are matched segment by segment; within a segment a variable may
// sit between a literal prefix and suffix ({id}:suspend). When several
// templates match, the one with the most literal characters wins, so
// ID:suspend goes to {id}:suspend and not to {id}.
//
// ok is false when no operation matches. If the path matches a template but
// no operation has that method, the returned specRoute still carries
// PathTemplate, PathItem and PathParams (Operation is nil): the caller
// answers 405 and may list PathItem.Operations() in an Allow header.
func matchRoute(method, escapedPath string) (specRoute, bool) {
	tmpls := templates()
	segs := strings.Split(strings.TrimPrefix(escapedPath, "/"), "/")
	for i, s := range segs {
		u, err := url.PathUnescape(s)
		if err != nil {
			return specRoute{}, false
		}
		segs[i] = u
	}
	for _, t := range tmpls { // most specific first
		params, ok := t.match(segs)
		if !ok {
			continue
		}
		r := specRoute{PathTemplate: t.path, Method: method, PathParams: params, PathItem: t.item}
		op := t.item.GetOperation(method)
		if op == nil {
			return r, false
		}
		r.OperationID, r.Operation = op.OperationID, op
		return r, true
	}
	return specRoute{}, false
}

// template is one path of the spec, compiled into per-segment matchers.
type template struct {
	path     string
	item     *openapi3.PathItem
	segs     []segment
	literals int // number of literal characters, for specificity
}

// segment matches one path segment: a literal, or prefix{name}suffix.
type segment struct {
	prefix, name, suffix string // name == "": the segment is the literal prefix
}

var (
	compileOnce sync.Once
	compiled    []template
)

// templates compiles the spec's paths once, most specific first. If the
// embedded document does not load, there are no routes (Doc reports why).
func templates() []template {
	compileOnce.Do(func() {
		d, err := contract.Doc()
		if err != nil {
			return
		}
		for p, item := range d.Paths.Map() {
			compiled = append(compiled, compile(p, item))
		}
		sort.Slice(compiled, func(i, j int) bool {
			if compiled[i].literals != compiled[j].literals {
				return compiled[i].literals > compiled[j].literals
			}
			return compiled[i].path < compiled[j].path
		})
	})
	return compiled
}

func compile(path string, item *openapi3.PathItem) template {
	t := template{path: path, item: item}
	for _, s := range strings.Split(strings.TrimPrefix(path, "/"), "/") {
		var seg segment
		open, end := strings.IndexByte(s, '{'), strings.IndexByte(s, '}')
		if open >= 0 && end > open {
			seg = segment{prefix: s[:open], name: s[open+1 : end], suffix: s[end+1:]}
		} else {
			seg = segment{prefix: s}
		}
		t.literals += len(seg.prefix) + len(seg.suffix)
		t.segs = append(t.segs, seg)
	}
	return t
}

// match reports whether the decoded segments fit t, with the variables' values.
func (t template) match(segs []string) (map[string]string, bool) {
	if len(segs) != len(t.segs) {
		return nil, false
	}
	var params map[string]string
	for i, seg := range t.segs {
		s := segs[i]
		if seg.name == "" {
			if s != seg.prefix {
				return nil, false
			}
			continue
		}
		if len(s) <= len(seg.prefix)+len(seg.suffix) ||
			!strings.HasPrefix(s, seg.prefix) || !strings.HasSuffix(s, seg.suffix) {
			return nil, false
		}
		if params == nil {
			params = make(map[string]string, 1)
		}
		params[seg.name] = s[len(seg.prefix) : len(s)-len(seg.suffix)]
	}
	return params, true
}
