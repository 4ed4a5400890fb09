package contract

import "fmt"

// Enum returns the values the embedded document declares for property of
// the component schema (both wire names, such as "organization-output" and
// "status"), in the document's order. Code that offers or checks such values
// takes them from here, so that a value a revision adds is accepted with no
// other edit.
func Enum(schema, property string) ([]string, error) {
	d, err := Doc()
	if err != nil {
		return nil, err
	}
	s := d.Components.Schemas[schema]
	if s == nil || s.Value == nil || s.Value.Properties[property] == nil || s.Value.Properties[property].Value == nil {
		return nil, fmt.Errorf("contract: the embedded document has no %s.%s", schema, property)
	}
	var out []string
	for _, v := range s.Value.Properties[property].Value.Enum {
		str, ok := v.(string)
		if !ok {
			return nil, fmt.Errorf("contract: %s.%s: enum value %v is not a string", schema, property, v)
		}
		out = append(out, str)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("contract: %s.%s declares no enum", schema, property)
	}
	return out, nil
}
