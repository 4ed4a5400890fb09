package wrapper

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"
)

// Environment variables New reads.
const (
	EnvAPIKey    = "EXOSCALE_API_KEY"
	EnvAPISecret = "EXOSCALE_API_SECRET"
	EnvConfig    = "EXOSCALE_CONFIG"  // path of the exo CLI configuration file
	EnvAccount   = "EXOSCALE_ACCOUNT" // account to use from that file
	EnvEndpoint  = "EXOSCALE_PARTNER_API_ENDPOINT"
)

// ErrNoCredentials is matched when New finds no usable API key and secret.
var ErrNoCredentials = errors.New("no API credentials")

// exoConfig is the part of the exo CLI's TOML configuration we read.
type exoConfig struct {
	DefaultAccount string       `toml:"defaultAccount"`
	Accounts       []exoAccount `toml:"accounts"`
}

type exoAccount struct {
	Name          string   `toml:"name"`
	Key           string   `toml:"key"`
	Secret        string   `toml:"secret"`
	SecretCommand []string `toml:"secretCommand"`
}

// resolveCredentials fills c.key and c.secret: the option, else the
// environment, else the exo CLI configuration. It says what it tried.
func resolveCredentials(c *config) error {
	var tried []string
	switch {
	case c.key != "" && c.secret != "":
		return nil
	case c.key != "" || c.secret != "":
		return fmt.Errorf("exopartner: %w: WithCredentials was given a key without a secret or a secret without a key", ErrNoCredentials)
	}
	tried = append(tried, "WithCredentials (not given)")
	if c.exo != nil {
		return fromExoOption(c)
	}

	key, secret := os.Getenv(EnvAPIKey), os.Getenv(EnvAPISecret)
	switch {
	case key != "" && secret != "":
		c.key, c.secret = key, secret
		return nil
	case key != "":
		return fmt.Errorf("exopartner: %w: %s is set but %s is not", ErrNoCredentials, EnvAPIKey, EnvAPISecret)
	case secret != "":
		return fmt.Errorf("exopartner: %w: %s is set but %s is not", ErrNoCredentials, EnvAPISecret, EnvAPIKey)
	}
	tried = append(tried, EnvAPIKey+" and "+EnvAPISecret+" (unset)")

	path, found, err := exoConfigPath()
	if err != nil {
		return err
	}
	if !found {
		tried = append(tried, "exo CLI configuration ("+path+": not found)")
		return fmt.Errorf("exopartner: %w; tried %s", ErrNoCredentials, strings.Join(tried, ", "))
	}
	key, secret, err = fromExoConfig(path, os.Getenv(EnvAccount), EnvAccount)
	if err != nil {
		return err
	}
	c.key, c.secret = key, secret
	return nil
}

// exoConfigPath returns EXOSCALE_CONFIG, else the first exo CLI default
// location that exists ($XDG_CONFIG_HOME/exoscale/exoscale.toml, then
// ~/.exoscale/exoscale.toml). It returns the paths looked at when none is.
func exoConfigPath() (string, bool, error) {
	if p := os.Getenv(EnvConfig); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", false, fmt.Errorf("exopartner: %w: %s=%s: %w", ErrNoCredentials, EnvConfig, p, err)
		}
		return p, true, nil
	}
	var candidates []string
	if d, err := os.UserConfigDir(); err == nil {
		candidates = append(candidates, filepath.Join(d, "exoscale", "exoscale.toml"))
	}
	if h, err := os.UserHomeDir(); err == nil {
		candidates = append(candidates, filepath.Join(h, ".exoscale", "exoscale.toml"))
	}
	for _, p := range candidates {
		if _, err := os.Stat(p); err == nil {
			return p, true, nil
		}
	}
	return strings.Join(candidates, " or "), false, nil
}

// fromExoConfig reads the account name names (from says where the name
// came from), else defaultAccount, else the only account, from the exo CLI
// file at path.
func fromExoConfig(path, name, from string) (key, secret string, err error) {
	var cfg exoConfig
	if _, err := toml.DecodeFile(path, &cfg); err != nil {
		return "", "", configError(path, err)
	}
	if name == "" {
		name, from = cfg.DefaultAccount, "defaultAccount"
	}
	var acc *exoAccount
	for i := range cfg.Accounts {
		if cfg.Accounts[i].Name == name || (name == "" && len(cfg.Accounts) == 1) {
			acc = &cfg.Accounts[i]
			break
		}
	}
	if acc == nil {
		if name == "" {
			return "", "", fmt.Errorf("exopartner: %w: %s has %d accounts and no defaultAccount; set %s", ErrNoCredentials, path, len(cfg.Accounts), EnvAccount)
		}
		return "", "", fmt.Errorf("exopartner: %w: %s has no account %q (from %s)", ErrNoCredentials, path, name, from)
	}
	secret = acc.Secret
	if secret == "" && len(acc.SecretCommand) > 0 {
		if secret, err = runSecretCommand(acc.SecretCommand); err != nil {
			return "", "", fmt.Errorf("exopartner: %w: account %q in %s: %w", ErrNoCredentials, acc.Name, path, err)
		}
	}
	if acc.Key == "" || secret == "" {
		return "", "", fmt.Errorf("exopartner: %w: account %q in %s lacks a key or a secret", ErrNoCredentials, acc.Name, path)
	}
	return acc.Key, secret, nil
}

// configError reports a configuration file that cannot be read or decoded,
// naming the file, the line and the key, never the value: the TOML
// library's own message quotes what it found (for `secret = qvG8…` unquoted,
// the start of the secret), so it is never shown, nor wrapped. A key is
// named only when it is one the exo CLI defines: a secret pasted on a line
// of its own reads as a key.
func configError(path string, err error) error {
	var pathErr *fs.PathError
	if errors.As(err, &pathErr) {
		return fmt.Errorf("exopartner: %w: reading exo CLI configuration: %w", ErrNoCredentials, err)
	}
	line, key, what := 0, "", "a value of the wrong type" // what the decoding into exoConfig refuses
	var pe toml.ParseError
	if errors.As(err, &pe) {
		line, key, what = pe.Position.Line, pe.LastKey, "not valid TOML"
	} else if m := tomlErrorPosition.FindStringSubmatch(err.Error()); m != nil {
		line, _ = strconv.Atoi(m[1])
		key, _ = strconv.Unquote(`"` + m[2] + `"`)
	}
	where := path
	if line > 0 {
		where += fmt.Sprintf(":%d", line)
	}
	if key != "" {
		if exoKey(key) {
			where += " (key " + key + ")"
		} else {
			where += " (at a key the exo CLI does not define)"
		}
	}
	return fmt.Errorf("exopartner: %w: exo CLI configuration %s: %s (the value is not shown)", ErrNoCredentials, where, what)
}

// tomlErrorPosition reads the position the TOML library gives its decoding
// errors: `toml: line 4 (last key "accounts.secretCommand"): …`.
var tomlErrorPosition = regexp.MustCompile(`^toml: line (\d+)(?: \(last key "((?:[^"\\]|\\.)*)"\))?`)

// exoKey reports whether every part of a dotted TOML key is a key of the
// exo CLI's configuration.
func exoKey(key string) bool {
	for part := range strings.SplitSeq(key, ".") {
		if !exoConfigKeys[part] {
			return false
		}
	}
	return true
}

// exoConfigKeys are the keys of the exo CLI's configuration file.
var exoConfigKeys = map[string]bool{
	"defaultAccount": true, "defaultOutputFormat": true, "accounts": true,
	"name": true, "account": true, "key": true, "secret": true, "secretCommand": true,
	"defaultZone": true, "defaultSSHKey": true, "defaultTemplate": true,
	"environment": true, "endpoint": true, "computeEndpoint": true, "dnsEndpoint": true,
	"sosEndpoint": true, "runstatusEndpoint": true, "clientTimeout": true, "customHeaders": true,
}
