package contract

import (
	"errors"

	"github.com/google/uuid"

	"github.com/exopartner/exopartner/internal/contract/ruletext"
)

// UUIDRule is the rule a value that is not an id of the API breaks.
const UUIDRule = ruletext.UUID

// errNotUUID is ParseUUID's error.
var errNotUUID = errors.New(UUIDRule)

// ParseUUID is the one check of an id of the API: a UUID in its canonical
// 36-character form, 8-4-4-4-12 hex digits (uuid.Parse alone also takes the
// urn:uuid: prefix, braces and 32 bare digits). Both the client (ParseID)
// and the `format: uuid` of every schema validation apply it.
func ParseUUID(s string) (uuid.UUID, error) {
	if len(s) == 36 {
		if id, err := uuid.Parse(s); err == nil {
			return id, nil
		}
	}
	return uuid.UUID{}, errNotUUID
}
