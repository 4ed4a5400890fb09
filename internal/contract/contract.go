// Package contract gives the rest of exopartner one view of the wire
// contract: the OpenAPI document embedded in package api, loaded once on
// first use (never at import), the validation settings both the client and
// the fake server apply to it, and the one formatter of what breaks it
// (Problems, Field, Rule).
// Limits (lengths, patterns, enums, required fields) are read from the
// document, never restated in code. The rules no schema can state live here
// too: every string sent is valid UTF-8 ([UTF8Problems]), and a new
// organization's client-id is canonical text, look-alikes sharing one key
// ([ClientIDRule], [ClientIDKey]).
package contract

import (
	"fmt"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/exopartner/exopartner/api"
)

var (
	loadOnce sync.Once
	doc      *openapi3.T
	loadErr  error
)

// Doc returns the embedded OpenAPI document, loaded and validated once.
func Doc() (*openapi3.T, error) {
	loadOnce.Do(func() {
		doc, loadErr = api.GetSpec()
		if loadErr == nil {
			loadErr = doc.Validate(openapi3.NewLoader().Context)
		}
		if loadErr != nil {
			loadErr = fmt.Errorf("contract: embedded OpenAPI document: %w", loadErr)
		}
	})
	return doc, loadErr
}

// MustDoc is Doc for callers that cannot return an error: the document is
// compiled into the binary, so failing to load it is a build defect. Never
// call it from package-level initialisation: importing must do no work.
func MustDoc() *openapi3.T {
	d, err := Doc()
	if err != nil {
		panic(err)
	}
	return d
}

// uuidFormat checks `format: uuid` strings (ParseUUID). It is passed per
// validation so that importing exopartner never changes kin-openapi's global
// formats.
var uuidFormat = openapi3.NewCallbackValidator(func(s string) error {
	_, err := ParseUUID(s)
	return err
})

// formats are the string formats checked beyond kin-openapi's defaults.
var formats = map[string]openapi3.StringFormatValidator{"uuid": uuidFormat}

// Precomputed option lists: building them per validation costs allocations
// on every request.
var (
	plainOptions   = []openapi3.SchemaValidationOption{openapi3.MultiErrors(), openapi3.WithStringFormatValidators(formats)}
	requestOptions = append(append([]openapi3.SchemaValidationOption{}, plainOptions...), openapi3.VisitAsRequest())
)

// SchemaOptions are the options every schema validation in exopartner uses:
// all errors at once, and the `uuid` format checked.
func SchemaOptions() []openapi3.SchemaValidationOption { return plainOptions }

// RequestOptions are SchemaOptions for a request body (readOnly fields refused).
func RequestOptions() []openapi3.SchemaValidationOption { return requestOptions }

// Operation returns the operation with the given operationId, with its path
// template and method.
func Operation(operationID string) (path, method string, op *openapi3.Operation, ok bool) {
	d, err := Doc()
	if err != nil {
		return "", "", nil, false
	}
	for p, item := range d.Paths.Map() {
		for m, o := range item.Operations() {
			if o.OperationID == operationID {
				return p, m, o, true
			}
		}
	}
	return "", "", nil, false
}
