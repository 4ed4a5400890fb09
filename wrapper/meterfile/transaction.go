package meterfile

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"slices"
	"strconv"

	"github.com/exopartner/exopartner/wrapper"
)

// Transaction is one metering transaction: the usage of one organization,
// in one batch, sent with one [wrapper.Client.ApplyMetering] call.
type Transaction struct {
	Organization wrapper.ID
	Batch        string // "" when the file has no batch column
	Usage        []wrapper.UsageRecord
	File         string // the file it was read from, for messages
	Line         int    // the line of its first row in File
}

// ID names the transaction's content: the hex SHA-256 of its organization,
// batch and usage rows, in a canonical order, with each quantity in its
// shortest decimal form. Reordering the rows of a file or writing 1.50 for
// 1.5 keeps it; any other change makes another ID. It is what the CLI
// prints and [Options.MarkApplied] takes.
//
// Without a batch, the ID is the transaction's identity; with a batch, its
// identity is (organization, batch) and the ID only tells whether its rows
// changed: see [Key].
func (t Transaction) ID() string {
	rows := make([][3]string, len(t.Usage))
	for i, u := range t.Usage {
		rows[i] = [3]string{u.Product, u.Variable, canonicalQuantity(u.Quantity)}
	}
	slices.SortFunc(rows, func(a, b [3]string) int {
		return cmp.Or(cmp.Compare(a[0], b[0]), cmp.Compare(a[1], b[1]), cmp.Compare(a[2], b[2]))
	})
	canon, err := json.Marshal(struct {
		Version      int         `json:"v"`
		Organization string      `json:"organization"`
		Batch        string      `json:"batch"`
		Usage        [][3]string `json:"usage"`
	}{1, t.Organization.String(), t.Batch, rows})
	if err != nil { // strings only: cannot happen
		panic(err)
	}
	sum := sha256.Sum256(canon)
	return hex.EncodeToString(sum[:])
}

// canonicalQuantity is q in its shortest decimal form, with no negative zero.
func canonicalQuantity(q float64) string {
	if q == 0 {
		q = 0
	}
	return strconv.FormatFloat(q, 'f', -1, 64)
}
