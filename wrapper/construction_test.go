package wrapper_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/exopartner/exopartner/internal/contract"
	"github.com/exopartner/exopartner/wrapper"
)

// isolate clears every variable and default location New reads.
func isolate(t *testing.T) {
	t.Helper()
	home := t.TempDir()
	for _, k := range []string{wrapper.EnvAPIKey, wrapper.EnvAPISecret, wrapper.EnvConfig, wrapper.EnvAccount, wrapper.EnvEndpoint} {
		t.Setenv(k, "")
	}
	t.Setenv("HOME", home)
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(home, ".config"))
}

func writeConfig(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "exoscale.toml")
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

const exoConfig = `
defaultAccount = "prod"

[[accounts]]
name = "prod"
key = "EXOprodkey"
secret = "prod-secret"

[[accounts]]
name = "staging"
key = "EXOstagingkey"
secretCommand = ["echo", "staging-secret-from-command"]
`

func TestCredentialSources(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		opts    []wrapper.Option
		wantKey string
		wantErr string // substring; "" for success
	}{
		{name: "option", opts: []wrapper.Option{wrapper.WithCredentials("EXOopt", "s")}, wantKey: "EXOopt"},
		{name: "option beats env", env: map[string]string{wrapper.EnvAPIKey: "EXOenv", wrapper.EnvAPISecret: "s"},
			opts: []wrapper.Option{wrapper.WithCredentials("EXOopt", "s")}, wantKey: "EXOopt"},
		{name: "env", env: map[string]string{wrapper.EnvAPIKey: "EXOenv", wrapper.EnvAPISecret: "s"}, wantKey: "EXOenv"},
		{name: "env key only", env: map[string]string{wrapper.EnvAPIKey: "EXOenv"}, wantErr: "EXOSCALE_API_KEY is set but EXOSCALE_API_SECRET is not"},
		{name: "env secret only", env: map[string]string{wrapper.EnvAPISecret: "s"}, wantErr: "EXOSCALE_API_SECRET is set but EXOSCALE_API_KEY is not"},
		{name: "option key only", opts: []wrapper.Option{wrapper.WithCredentials("EXOopt", "")}, wantErr: "without a secret"},
		{name: "config default account", env: map[string]string{wrapper.EnvConfig: "CONFIG"}, wantKey: "EXOprodkey"},
		{name: "config named account with secretCommand", env: map[string]string{wrapper.EnvConfig: "CONFIG", wrapper.EnvAccount: "staging"}, wantKey: "EXOstagingkey"},
		{name: "config unknown account", env: map[string]string{wrapper.EnvConfig: "CONFIG", wrapper.EnvAccount: "nope"}, wantErr: `no account "nope"`},
		{name: "config path missing", env: map[string]string{wrapper.EnvConfig: "/nonexistent/exoscale.toml"}, wantErr: "/nonexistent/exoscale.toml"},
		{name: "nothing", wantErr: "tried WithCredentials (not given), EXOSCALE_API_KEY and EXOSCALE_API_SECRET (unset), exo CLI configuration"},
	}
	cfg := writeConfigOnce(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			isolate(t)
			for k, v := range tt.env {
				t.Setenv(k, strings.ReplaceAll(v, "CONFIG", cfg))
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
			if !strings.Contains(c.String(), "key: "+tt.wantKey) {
				t.Fatalf("client %s, want key %s", c, tt.wantKey)
			}
		})
	}
}

func writeConfigOnce(t *testing.T) string { return writeConfig(t, exoConfig) }

func TestConfigDefaultLocation(t *testing.T) {
	isolate(t)
	dir := filepath.Join(os.Getenv("XDG_CONFIG_HOME"), "exoscale")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "exoscale.toml"), []byte(exoConfig), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := wrapper.New()
	if err != nil || !strings.Contains(c.String(), "EXOprodkey") {
		t.Fatalf("%v %v", c, err)
	}
}

func TestEndpoint(t *testing.T) {
	creds := wrapper.WithCredentials("EXOk", "s")
	tests := []struct {
		name, env string
		opts      []wrapper.Option
		want      string // "" means an error is expected
	}{
		{name: "default", want: wrapper.DefaultEndpoint},
		{name: "env", env: "https://partner.example/v1.alpha", want: "https://partner.example/v1.alpha"},
		{name: "option beats env", env: "https://env.example/v1.alpha", opts: []wrapper.Option{wrapper.WithEndpoint("https://opt.example/v1.alpha/")}, want: "https://opt.example/v1.alpha"},
		{name: "http loopback", opts: []wrapper.Option{wrapper.WithEndpoint("http://127.0.0.1:8080/v1.alpha")}, want: "http://127.0.0.1:8080/v1.alpha"},
		{name: "http localhost", opts: []wrapper.Option{wrapper.WithEndpoint("http://localhost:8080/v1.alpha")}, want: "http://localhost:8080/v1.alpha"},
		{name: "http ipv6 loopback", opts: []wrapper.Option{wrapper.WithEndpoint("http://[::1]:8080/v1.alpha")}, want: "http://[::1]:8080/v1.alpha"},
		{name: "http remote refused", opts: []wrapper.Option{wrapper.WithEndpoint("http://partner.example/v1.alpha")}},
		{name: "http remote insecure", opts: []wrapper.Option{wrapper.WithEndpoint("http://partner.example/v1.alpha"), wrapper.WithInsecure()}, want: "http://partner.example/v1.alpha"},
		{name: "not a URL", opts: []wrapper.Option{wrapper.WithEndpoint("partner.example")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			isolate(t)
			t.Setenv(wrapper.EnvEndpoint, tt.env)
			c, err := wrapper.New(append([]wrapper.Option{creds}, tt.opts...)...)
			if tt.want == "" {
				if err == nil {
					t.Fatalf("New accepted it: %s", c.Endpoint())
				}
				return
			}
			if err != nil || c.Endpoint() != tt.want {
				t.Fatalf("endpoint %v, %v; want %s", c, err, tt.want)
			}
		})
	}
}

func TestDefaultEndpointIsTheSpecServer(t *testing.T) {
	doc := contract.MustDoc()
	if got := doc.Servers[0].URL; got != wrapper.DefaultEndpoint {
		t.Fatalf("spec server %s, DefaultEndpoint %s", got, wrapper.DefaultEndpoint)
	}
}

func TestClientNeverFormatsSecret(t *testing.T) {
	const secret = "S3CR3T-client-format"
	c, err := wrapper.New(wrapper.WithCredentials("EXOk", secret))
	if err != nil {
		t.Fatal(err)
	}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x"} {
		for _, v := range []any{c, *c} {
			if out := fmt.Sprintf(verb, v); strings.Contains(out, secret) || strings.Contains(out, fmt.Sprintf("%x", secret)) {
				t.Errorf("%s prints the secret: %s", verb, out)
			}
		}
	}
}

// A malformed exo CLI configuration is an error naming the file, the line
// and the key, never the value: the TOML library's own message quotes what
// it found (the start of an unquoted secret), so it is never shown.
func TestMalformedConfigNeverShowsTheSecret(t *testing.T) {
	const secret = "qvG8P3rSECRETzK7w"
	head := "defaultAccount = \"prod\"\n[[accounts]]\nname = \"prod\"\nkey = \"EXOprodkey\"\n"
	for _, tt := range []struct{ name, body, says string }{
		{"unquoted", head + "secret = " + secret + "\n", ":5 (key accounts.secret): not valid TOML"},
		{"unterminated", head + "secret = \"" + secret + "\n", ":5 (key accounts.secret): not valid TOML"},
		{"after the value", head + "secret = '" + secret + "' x\n", ":5 (key accounts): not valid TOML"},
		{"a number first", head + "secret = 12" + secret + "\n", ":5 (key accounts): not valid TOML"},
		{"pasted alone", head + secret + "\n", ":5 (key accounts): not valid TOML"},
		{"pasted as a key", head + secret + " =\n", ":5 (at a key the exo CLI does not define): not valid TOML"},
		{"wrong type", head + "secretCommand = \"" + secret + "\"\n", ":5 (key accounts.secretCommand): a value of the wrong type"},
		{"twice", head + "secret = \"x\"\nsecret = \"" + secret + "\"\n", ":6 (key accounts.secret): not valid TOML"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			isolate(t)
			path := writeConfig(t, tt.body)
			t.Setenv(wrapper.EnvConfig, path)
			_, err := wrapper.New()
			if err == nil || !errors.Is(err, wrapper.ErrNoCredentials) || !strings.Contains(err.Error(), path+tt.says) {
				t.Fatalf("err %v, want ErrNoCredentials saying %q", err, path+tt.says)
			}
			var all strings.Builder
			walkErrors(err, func(e error) { fmt.Fprintf(&all, "%v %+v %#v\n", e, e, e) })
			for _, part := range []string{secret[:3], secret[len(secret)-5:]} {
				if strings.Contains(all.String(), part) {
					t.Fatalf("the error shows %q of the secret: %s", part, all.String())
				}
			}
		})
	}
}
