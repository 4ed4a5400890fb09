// Package specgen turns spec/ into the generated package api, and prints the
// contract that generation embeds. internal/cmd/specgen is its command line
// (run by gen.go, `make generate`, `make check-generated` and
// `make check-published`).
//
// The pipeline, in [Generate]:
//
//  1. The base document (spec/partner-api.yaml, or a published revision
//     given in its place) is read as a YAML node tree; JSON is YAML.
//  2. The tightenings overlay (spec/tightenings.yaml), then the Go names
//     overlay (spec/overlay.yaml), are applied to it with
//     github.com/speakeasy-api/openapi/overlay, the library oapi-codegen
//     itself uses, strictly: every action must match, with a type its
//     update applies to, or generation fails naming the action.
//  3. What no generated code and no check reads is dropped: tags, the
//     document's x- extensions and external documentation, info but its
//     title and version. A revision of those changes nothing in api/.
//  4. The tree is converted to JSON directly and loaded and validated with
//     kin-openapi. It is never written back as YAML: oapi-codegen v2.8.2
//     re-serializes the document to apply an overlay, and that YAML fails
//     to parse when a description is framed by blank lines. Prose is kept
//     as it is, for the generated doc comments.
//  5. The document must hold every operation spec/oapi-codegen.yaml lists in
//     include-operation-ids; oapi-codegen (pkg/codegen) generates exactly
//     those, whatever their tags.
//  6. [Document.Wrapper] writes the file of package wrapper that re-exports
//     the types the Go names overlay names, each documented with its fields
//     from the spec (wrapper/types.gen.go): `go doc` shows an alias without
//     them.
//
// [ReplaceDir] writes the result into a new directory and swaps it for api/
// only once everything is written, and [StageFile] the wrapper file beside
// its place: a failed generation leaves both as they were.
package specgen
