package wrapper

import (
	"encoding"
	"reflect"
	"strings"
	"sync"
	"unicode/utf8"
)

// jsonValue returns what json.Unmarshal of json.Marshal(v) into an `any`
// would give (maps, []any, strings, float64s, bools), for the shapes of the
// generated request types: structs with json tags (omitempty honoured),
// pointers, slices, strings, float64, bool and encoding.TextMarshaler. It
// lets the validator hand kin-openapi its input without a JSON round trip;
// TestJSONValueMatchesEncodingJSON keeps it equal to encoding/json.
func jsonValue(v reflect.Value) (any, bool) { return toJSONValue(v, false) }

// rawJSONValue is jsonValue with each string as the caller gave it, where
// encoding/json replaces invalid UTF-8: what the UTF-8 rule
// (contract.UTF8Problems) judges.
func rawJSONValue(v reflect.Value) (any, bool) { return toJSONValue(v, true) }

func toJSONValue(v reflect.Value, raw bool) (any, bool) {
	info := infoOf(v.Type())
	if info.text {
		b, err := v.Interface().(encoding.TextMarshaler).MarshalText()
		return string(b), err == nil
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil, true
		}
		return toJSONValue(v.Elem(), raw)
	case reflect.String:
		if raw {
			return v.String(), true
		}
		return validUTF8(v.String()), true
	case reflect.Float64, reflect.Float32:
		return v.Float(), true
	case reflect.Bool:
		return v.Bool(), true
	case reflect.Slice:
		if v.IsNil() {
			return nil, true
		}
		out := make([]any, v.Len())
		for i := range out {
			var ok bool
			if out[i], ok = toJSONValue(v.Index(i), raw); !ok {
				return nil, false
			}
		}
		return out, true
	case reflect.Struct:
		if !info.ok {
			return nil, false
		}
		out := make(map[string]any, len(info.fields))
		for _, fp := range info.fields {
			f := v.Field(fp.index)
			if fp.omitempty && isEmptyValue(f) || fp.omitzero && isZeroValue(f) {
				continue
			}
			val, ok := toJSONValue(f, raw)
			if !ok {
				return nil, false
			}
			out[fp.name] = val
		}
		return out, true
	}
	return nil, false
}

// typeInfo is what jsonValue needs to know of a type, worked out once.
type typeInfo struct {
	text   bool // a non-pointer encoding.TextMarshaler
	ok     bool // for structs: every field has a plain json tag
	fields []fieldPlan
}

type fieldPlan struct {
	index     int
	name      string
	omitempty bool
	omitzero  bool
}

var typeInfos sync.Map // reflect.Type → *typeInfo

func infoOf(t reflect.Type) *typeInfo {
	if i, ok := typeInfos.Load(t); ok {
		return i.(*typeInfo)
	}
	info := &typeInfo{text: t.Kind() != reflect.Pointer && t.Implements(textMarshaler), ok: true}
	if t.Kind() == reflect.Struct && !info.text {
		for i := range t.NumField() {
			f := t.Field(i)
			name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "" || name == "-" || !f.IsExported() {
				info.ok = false // a shape this helper does not cover
				break
			}
			info.fields = append(info.fields, fieldPlan{i, name, hasOption(opts, "omitempty"), hasOption(opts, "omitzero")})
		}
	}
	i, _ := typeInfos.LoadOrStore(t, info)
	return i.(*typeInfo)
}

var textMarshaler = reflect.TypeFor[encoding.TextMarshaler]()

// validUTF8 is what encoding/json sends for s: each byte of an invalid
// UTF-8 sequence becomes U+FFFD.
func validUTF8(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b.WriteRune(utf8.RuneError)
		} else {
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// hasOption reports whether a json tag's options (after the name) hold opt.
func hasOption(opts, opt string) bool {
	for o := range strings.SplitSeq(opts, ",") {
		if o == opt {
			return true
		}
	}
	return false
}

// isZeroValue is encoding/json's omitzero rule: the value's IsZero method
// if it has one, else the zero value of its type.
func isZeroValue(v reflect.Value) bool {
	if z, ok := v.Interface().(interface{ IsZero() bool }); ok {
		if (v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface) && v.IsNil() {
			return true
		}
		return z.IsZero()
	}
	return v.IsZero()
}

// isEmptyValue is encoding/json's omitempty rule.
func isEmptyValue(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Array, reflect.Map, reflect.Slice, reflect.String:
		return v.Len() == 0
	case reflect.Bool:
		return !v.Bool()
	case reflect.Float32, reflect.Float64:
		return v.Float() == 0
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return v.Int() == 0
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return v.Uint() == 0
	case reflect.Interface, reflect.Pointer:
		return v.IsNil()
	}
	return false
}
