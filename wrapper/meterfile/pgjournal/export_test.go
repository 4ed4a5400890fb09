package pgjournal

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// WithDial makes the journal's connections with dial (a test's network
// failures).
func WithDial(dial pgconn.DialFunc) Option {
	return func(c *config) { c.tune = func(pc *pgxpool.Config) { pc.ConnConfig.DialFunc = dial } }
}

// Setting is the value of a setting as the journal's sessions see it.
func (j *Journal) Setting(ctx context.Context, name string) (string, error) {
	var v string
	err := j.pool.QueryRow(ctx, "SELECT current_setting($1)", name).Scan(&v)
	return v, err
}

// SetOpWait bounds each statement's attempt from now on (default 15 s;
// Open's own setup keeps it).
func (j *Journal) SetOpWait(d time.Duration) { j.cfg.opWait = d }
