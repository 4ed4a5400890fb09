// Package exopartner is the Go client for the Exoscale Partner API.
//
// Import [github.com/exopartner/exopartner/wrapper] to use it. This root
// package only holds the code-generation directive: internal/cmd/specgen
// applies spec/tightenings.yaml and spec/overlay.yaml to the base document
// spec/partner-api.yaml and compiles the result into package api with
// oapi-codegen (pinned in go.mod), replacing api/ only once it succeeded.
package exopartner

//go:generate go run ./internal/cmd/specgen generate
