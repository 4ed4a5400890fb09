package partnertest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"

	"github.com/exopartner/exopartner/internal/contract"
)

// filterOptions are the openapi3filter settings of every validation: all
// problems at once, the project's schema options (uuid format included),
// no defaults written into requests, and no security check (authenticate
// has done it with the real scheme).
func filterOptions() *openapi3filter.Options {
	return &openapi3filter.Options{
		MultiError:              true,
		SkipSettingDefaults:     true,
		AuthenticationFunc:      openapi3filter.NoopAuthenticationFunc,
		SchemaValidationOptions: contract.SchemaOptions(),
	}
}

// validateRequest checks r against the operation route resolved to. It
// returns the validation input (for validateResponse) and, if the request
// breaks the contract, a description naming each field as sent on the wire.
func validateRequest(r *http.Request, route specRoute, body []byte) (*openapi3filter.RequestValidationInput, string) {
	r.Body = io.NopCloser(bytes.NewReader(body))
	in := &openapi3filter.RequestValidationInput{
		Request:    r,
		PathParams: route.PathParams,
		Route: &routers.Route{
			Spec:      contract.MustDoc(),
			Path:      route.PathTemplate,
			PathItem:  route.PathItem,
			Method:    route.Method,
			Operation: route.Operation,
		},
		Options: filterOptions(),
	}
	problems, checked := checkParameters(r, route)
	if err := openapi3filter.ValidateRequest(context.Background(), in); err != nil {
		problems = describe(err, "", checked, problems)
	}
	problems = append(problems, checkMultipleOf(route, body)...)
	return in, strings.Join(problems, "; ")
}

// checkMultipleOf applies the spec's multipleOf rules to the numbers of a
// JSON body exactly as they were written (1.123456 against 0.00001 fails,
// and so does 1.00000000001, which kin-openapi's check lets through), the
// same rule the client applies before sending. Nothing is rounded.
func checkMultipleOf(route specRoute, body []byte) []string {
	rb := route.Operation.RequestBody
	if rb == nil || rb.Value == nil || len(body) == 0 {
		return nil
	}
	mt := rb.Value.Content.Get("application/json")
	if mt == nil || mt.Schema == nil {
		return nil
	}
	d := json.NewDecoder(bytes.NewReader(body))
	d.UseNumber()
	var doc any
	if d.Decode(&doc) != nil {
		return nil // reported by the schema validation
	}
	var out []string
	for _, v := range contract.CheckMultipleOf(mt.Schema.Value, doc) {
		out = append(out, contract.Field("", v.Pointer...)+": "+v.Rule())
	}
	return out
}

// checkParameters validates the string path and query parameters with the
// project's schema options. openapi3filter (v0.142.0) applies
// Options.SchemaValidationOptions to bodies only, so without this a path id
// that is not a UUID would pass. It returns the problems and the
// parameters it checked, whose openapi3filter errors are then skipped.
func checkParameters(r *http.Request, route specRoute) ([]string, map[*openapi3.Parameter]bool) {
	var problems []string
	checked := make(map[*openapi3.Parameter]bool)
	params := append(openapi3.Parameters{}, route.Operation.Parameters...)
	for _, p := range route.PathItem.Parameters {
		if params.GetByInAndName(p.Value.In, p.Value.Name) == nil {
			params = append(params, p)
		}
	}
	query := r.URL.Query()
	for _, ref := range params {
		p := ref.Value
		if p.Schema == nil || p.Schema.Value == nil || !p.Schema.Value.Type.Is(openapi3.TypeString) {
			continue
		}
		var v string
		var found bool
		switch p.In {
		case openapi3.ParameterInPath:
			v, found = route.PathParams[p.Name]
		case openapi3.ParameterInQuery:
			if vs := query[p.Name]; len(vs) > 0 {
				v, found = vs[0], true
				if len(vs) > 1 {
					problems = append(problems, p.Name+": given more than once")
				}
			}
		default:
			continue
		}
		checked[p] = true
		if !found {
			if p.Required {
				problems = append(problems, p.Name+": required")
			}
			continue
		}
		if err := p.Schema.Value.VisitJSON(v, contract.SchemaOptions()...); err != nil {
			problems = describe(err, p.Name, nil, problems)
		}
	}
	return problems, checked
}

// validateResponse checks the fake's own answer against the operation's
// declared responses. A 2xx status the spec does not declare is a break; an
// empty 204 body is not (the spec declares a JSON body it says is usually
// absent, and HTTP forbids a 204 body anyway).
func validateResponse(in *openapi3filter.RequestValidationInput, route specRoute, ans answer) string {
	if ans.status >= 200 && ans.status < 300 && route.Operation.Responses.Status(ans.status) == nil {
		return fmt.Sprintf("status %d is not declared for %s", ans.status, route.OperationID)
	}
	opts := filterOptions()
	if ans.status == http.StatusNoContent && len(ans.body) == 0 {
		opts.ExcludeResponseBody = true
	}
	h := http.Header{"Content-Type": {"application/json"}}
	for k, v := range ans.header {
		h[k] = v
	}
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: ans.status, Header: h, Options: opts}
	out.SetBodyBytes(ans.body)
	if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
		return strings.Join(describe(err, "", nil, nil), "; ")
	}
	return ""
}

// describe appends one line per problem in err to out, each naming the
// field as it appears on the wire and the rule it breaks, formatted by
// contract.Field and contract.Rule as the client formats them: a body
// property as billing-address.country or usage[0].quantity, a parameter by
// its name (period). field is the name known so far. Errors of parameters in
// skip are dropped.
func describe(err error, field string, skip map[*openapi3.Parameter]bool, out []string) []string {
	name := func(ptr []string) string {
		if f := contract.Field(field, ptr...); f != "" {
			return f
		}
		return "body"
	}
	switch e := err.(type) {
	case openapi3.MultiError:
		for _, x := range e {
			out = describe(x, field, skip, out)
		}
	case *openapi3.SchemaError:
		if e.SchemaField == "multipleOf" {
			return out // inexact (ten decimals): checkMultipleOf reports it exactly
		}
		out = append(out, name(e.JSONPointer())+": "+contract.Rule(e))
	case *openapi3filter.RequestError:
		if e.Parameter != nil {
			if skip[e.Parameter] {
				return out
			}
			field = e.Parameter.Name
		}
		if nested(e.Err) {
			return describe(e.Err, field, skip, out)
		}
		out = append(out, name(nil)+": "+joinReason(e.Reason, e.Err))
	case *openapi3filter.ResponseError:
		if nested(e.Err) {
			return describe(e.Err, field, skip, out)
		}
		out = append(out, joinReason(e.Reason, e.Err))
	default:
		out = append(out, name(nil)+": "+err.Error())
	}
	return out
}

// nested reports whether err carries per-field schema errors.
func nested(err error) bool {
	switch err.(type) {
	case openapi3.MultiError, *openapi3.SchemaError:
		return true
	}
	return false
}

func joinReason(reason string, err error) string {
	switch {
	case err == nil:
		return reason
	case reason == "" || reason == err.Error():
		return err.Error()
	}
	return reason + ": " + err.Error()
}
