// Package exopartner is the Go client for the Exoscale Partner API.
//
// Import [github.com/exopartner/exopartner/wrapper] to use it. This root
// package only holds the code-generation directive: spec/partner-api.yaml is
// compiled into package api by oapi-codegen, pinned in go.mod as a tool.
package exopartner

//go:generate go tool oapi-codegen -config spec/oapi-codegen.yaml spec/partner-api.yaml
