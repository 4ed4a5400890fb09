package wrapper

import (
	"github.com/google/uuid"

	"github.com/exopartner/exopartner/internal/contract"
)

// ID identifies an organization. It is a UUID; the zero ID means "none" and
// is refused by every call that needs one.
type ID = uuid.UUID

// ParseID parses an organization id in its canonical 36-character form
// (8-4-4-4-12 hex digits). Anything else, including ids carrying "/", "..",
// "%2F" or "?", is a *ValidationError for field "id".
func ParseID(s string) (ID, error) {
	id, err := contract.ParseUUID(s)
	if err == nil {
		return id, nil
	}
	rule := contract.UUIDRule
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
