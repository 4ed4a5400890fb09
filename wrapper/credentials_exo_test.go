package wrapper_test

import (
	"errors"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/exopartner/exopartner/wrapper"
)

// TestWithExoConfig: the option reads the named file and account, over the
// environment's credentials; empty arguments fall back to EXOSCALE_CONFIG,
// EXOSCALE_ACCOUNT and defaultAccount; WithCredentials still wins.
func TestWithExoConfig(t *testing.T) {
	cfg := writeConfigOnce(t)
	envCreds := map[string]string{wrapper.EnvAPIKey: "EXOenv", wrapper.EnvAPISecret: "s"}
	tests := []struct {
		name    string
		env     map[string]string
		opts    []wrapper.Option
		wantKey string
		wantErr string
	}{
		{name: "named account over env", env: envCreds, opts: []wrapper.Option{wrapper.WithExoConfig(cfg, "staging")}, wantKey: "EXOstagingkey"},
		{name: "default account over env", env: envCreds, opts: []wrapper.Option{wrapper.WithExoConfig(cfg, "")}, wantKey: "EXOprodkey"},
		{name: "EXOSCALE_ACCOUNT", env: map[string]string{wrapper.EnvAccount: "staging"}, opts: []wrapper.Option{wrapper.WithExoConfig(cfg, "")}, wantKey: "EXOstagingkey"},
		{name: "option account over EXOSCALE_ACCOUNT", env: map[string]string{wrapper.EnvAccount: "staging"}, opts: []wrapper.Option{wrapper.WithExoConfig(cfg, "prod")}, wantKey: "EXOprodkey"},
		{name: "EXOSCALE_CONFIG", env: map[string]string{wrapper.EnvConfig: cfg}, opts: []wrapper.Option{wrapper.WithExoConfig("", "staging")}, wantKey: "EXOstagingkey"},
		{name: "credentials win", opts: []wrapper.Option{wrapper.WithExoConfig(cfg, "staging"), wrapper.WithCredentials("EXOopt", "s")}, wantKey: "EXOopt"},
		{name: "unknown account", env: envCreds, opts: []wrapper.Option{wrapper.WithExoConfig(cfg, "nope")}, wantErr: `has no account "nope" (from WithExoConfig)`},
		{name: "missing file", env: envCreds, opts: []wrapper.Option{wrapper.WithExoConfig("/nonexistent/exoscale.toml", "")}, wantErr: "/nonexistent/exoscale.toml"},
		{name: "no file anywhere", env: envCreds, opts: []wrapper.Option{wrapper.WithExoConfig("", "prod")}, wantErr: "no exo CLI configuration ("},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			isolate(t)
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			c, err := wrapper.New(tt.opts...)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !errors.Is(err, wrapper.ErrNoCredentials) {
					t.Fatalf("err %v, want ErrNoCredentials saying %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(c.String(), "key: "+tt.wantKey+",") {
				t.Fatalf("client %s, want key %s", c, tt.wantKey)
			}
		})
	}
}

// TestValidateMeteringUsage: the contract check of ApplyMetering, nothing
// sent.
func TestValidateMeteringUsage(t *testing.T) {
	t.Parallel()
	if err := wrapper.ValidateMeteringUsage([]wrapper.UsageRecord{{Product: "partner", Variable: "license_product", Quantity: -42.00005}}); err != nil {
		t.Fatalf("valid usage: %v", err)
	}
	for _, tc := range []struct {
		usage []wrapper.UsageRecord
		field string
	}{
		{nil, "usage"},
		{[]wrapper.UsageRecord{{Product: "p", Variable: "v", Quantity: 1}, {Product: "p", Variable: "v", Quantity: 1.123456}}, "usage[1].quantity"},
	} {
		err := wrapper.ValidateMeteringUsage(tc.usage)
		var ve *wrapper.ValidationError
		if !errors.As(err, &ve) || !errors.Is(err, wrapper.ErrInvalidInput) || ve.Field != tc.field || ve.Operation != "metering-transaction" {
			t.Errorf("%v: got %v, want a *ValidationError of metering-transaction for %s", tc.usage, err, tc.field)
		}
	}
}

func ExampleWithExoConfig() {
	dir, err := os.MkdirTemp("", "exoconfig")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "exoscale.toml")
	err = os.WriteFile(path, []byte(`defaultAccount = "compute"

[[accounts]]
name = "compute"
key = "EXOcomputekey"
secret = "compute-secret"

[[accounts]]
name = "partner"
key = "EXOpartnerkey"
secret = "partner-secret"
`), 0o600)
	if err != nil {
		log.Fatal(err)
	}
	// As `exo --config PATH --use-account partner`, whatever EXOSCALE_API_KEY says.
	client, err := wrapper.New(wrapper.WithExoConfig(path, "partner"), wrapper.WithEndpoint("https://partner-api.example/v1.alpha"))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(client)
	// Output: exopartner.Client{endpoint: https://partner-api.example/v1.alpha, key: EXOpartnerkey, secret: [REDACTED]}
}

func ExampleValidateMeteringUsage() {
	err := wrapper.ValidateMeteringUsage([]wrapper.UsageRecord{{Product: "partner", Variable: "license_product", Quantity: 1.123456}})
	fmt.Println(err)
	// Output: exopartner: metering-transaction: invalid input: usage[0].quantity: must have at most 5 decimals (got 1.123456)
}
