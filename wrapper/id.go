package wrapper

import "github.com/google/uuid"

// ID identifies an organization. It is a UUID; the zero ID means "none" and
// is refused by every call that needs one.
type ID = uuid.UUID

// ParseID parses an organization id in its canonical 36-character form
// (8-4-4-4-12 hex digits). Anything else, including ids carrying "/", "..",
// "%2F" or "?", is a *ValidationError for field "id".
func ParseID(s string) (ID, error) {
	if len(s) == 36 {
		if id, err := uuid.Parse(s); err == nil {
			return id, nil
		}
	}
	rule := "must be a UUID (8-4-4-4-12 hex digits)"
	if s == "" {
		rule = "required"
	}
	return ID{}, invalid("", "id", rule)
}

// MustParseID is ParseID for ids known to be valid, such as constants in
// tests; it panics otherwise.
func MustParseID(s string) ID {
	id, err := ParseID(s)
	if err != nil {
		panic(err)
	}
	return id
}
