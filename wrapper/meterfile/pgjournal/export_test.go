package pgjournal

import (
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// WithDial makes the journal's connections with dial (a test's network
// failures).
func WithDial(dial pgconn.DialFunc) Option {
	return func(c *config) { c.tune = func(pc *pgxpool.Config) { pc.ConnConfig.DialFunc = dial } }
}
