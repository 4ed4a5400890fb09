package main

import (
	"errors"
	"strings"

	"github.com/exopartner/exopartner/wrapper"
)

// invalidInput is a *wrapper.ValidationError as the command line reports
// it: each problem's rule in the spec's words (wrapper.Problem.Description:
// `--owner-email: must be an e-mail address (got "nobody")`), not the
// precise rule the library keeps (the pattern). Exit 2: nothing was sent.
type invalidInput struct {
	ve   *wrapper.ValidationError
	note string // after each problem without a value of its own: ` (got "x")`
}

// Error is "exopartner: OPERATION: invalid input: FIELD: WORDS; …".
func (e *invalidInput) Error() string {
	var b strings.Builder
	b.WriteString("exopartner: ")
	if e.ve.Operation != "" {
		b.WriteString(e.ve.Operation + ": ")
	}
	b.WriteString("invalid input: ")
	problems := e.ve.Problems
	if len(problems) == 0 { // built without its list
		problems = []wrapper.Problem{{Field: e.ve.Field, Rule: e.ve.Rule}}
	}
	for i, p := range problems {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(p.Field + ": " + p.Description())
		if p.Value == "" {
			b.WriteString(e.note)
		}
	}
	return b.String()
}

// Unwrap is the library's error: errors.As finds it, errors.Is matches
// wrapper.ErrInvalidInput.
func (e *invalidInput) Unwrap() error { return e.ve }

// forPeople returns err as the command line reports it: a
// *wrapper.ValidationError in words ([invalidInput]); any other error as it
// is.
func forPeople(err error) error {
	var ve *wrapper.ValidationError
	if errors.As(err, &ve) && err == error(ve) {
		return &invalidInput{ve: ve}
	}
	return err
}
