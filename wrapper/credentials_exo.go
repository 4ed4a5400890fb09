package wrapper

import (
	"fmt"
	"os"
)

// exoFile is the file and account WithExoConfig names ("" for the default).
type exoFile struct{ path, account string }

// fromExoOption fills c.key and c.secret from the account of the exo CLI
// configuration WithExoConfig names, never from the environment's
// credentials.
func fromExoOption(c *config) error {
	path := c.exo.path
	if path != "" {
		if _, err := os.Stat(path); err != nil {
			return fmt.Errorf("exopartner: %w: exo CLI configuration: %w", ErrNoCredentials, err)
		}
	} else {
		p, found, err := exoConfigPath()
		if err != nil {
			return err
		}
		if !found {
			return fmt.Errorf("exopartner: %w: no exo CLI configuration (%s: not found)", ErrNoCredentials, p)
		}
		path = p
	}
	name, from := c.exo.account, "WithExoConfig"
	if name == "" {
		name, from = os.Getenv(EnvAccount), EnvAccount
	}
	key, secret, err := fromExoConfig(path, name, from)
	if err != nil {
		return err
	}
	c.key, c.secret = key, secret
	return nil
}
