package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	flag "github.com/spf13/pflag"

	"github.com/exopartner/exopartner/internal/safetext"
	"github.com/exopartner/exopartner/wrapper/meterfile"
	"github.com/exopartner/exopartner/wrapper/meterfile/pgjournal"
)

// meteringFile holds the flags of metering-transaction --file.
type meteringFile struct {
	path, journal string
	resendUnknown bool
	markApplied   stringsFlag
	concurrency   int
}

func fileFlags(fs *flag.FlagSet) *meteringFile {
	m := &meteringFile{}
	fs.StringVar(&m.path, "file", "", "CSV file of usage: header organization,product,variable,quantity[,batch]")
	fs.StringVar(&m.journal, "journal", "", "journal recording each transaction's state (required with --file): a file (created if missing), "+
		"or a PostgreSQL database shared by every machine, postgres://USER:PASSWORD@HOST/DB (tables created on first use)")
	fs.IntVar(&m.concurrency, "concurrency", meterfile.DefaultConcurrency, "transactions in flight at once")
	fs.BoolVar(&m.resendUnknown, "resend-unknown", false,
		"send again the transactions an earlier run sent without learning the outcome (only once you know they were not applied)")
	fs.Var(&m.markApplied, "mark-applied", "`TRANSACTION` id that reconciliation showed applied: record it so, never send it (repeatable)")
	return m
}

// run sends the file's transactions: the whole file is validated first,
// then looked up in the journal (a bad line, a batch already sent with
// other rows: exit 2, nothing sent), then each transaction is sent at most
// once across runs sharing the journal. Without a batch column it warns
// once that identical rows later are skipped. Exit 1 when any transaction
// needs reconciliation.
func (m *meteringFile) run(ctx context.Context, e *env) error {
	const name = "metering-transaction"
	switch {
	case m.path == "":
		return usagef(name, "--journal goes with --file")
	case m.journal == "":
		return usagef(name, "--file needs --journal PATH (or postgres://…): the journal is what makes a rerun safe")
	case m.concurrency < 1:
		return usagef(name, "--concurrency %d: want at least 1", m.concurrency)
	}
	txs, err := meterfile.ParseFile(m.path)
	if err != nil {
		if errors.As(err, new(meterfile.LineErrors)) {
			return err // FILE:LINE: column: reason, one per line; exit 2
		}
		return &configError{err}
	}
	if contentIdentity(txs) {
		fmt.Fprintf(e.stderr, "exopartner: %s: warning: %s has no batch column: a transaction is known by its rows, "+
			"so identical rows in a later run will be skipped as already applied; give each billing run a batch column (an invoice number)\n",
			name, m.path)
	}
	c, err := e.client()
	if err != nil {
		return err
	}
	j, err := openJournal(ctx, m.journal, m.concurrency)
	if err != nil {
		return &configError{err} // nothing sent: exit 2
	}
	defer j.Close()
	opts := meterfile.Options{
		ResendUnknown: m.resendUnknown,
		MarkApplied:   m.markApplied,
		Concurrency:   m.concurrency,
		Progress:      func(r meterfile.Result) { e.printResult(r) },
	}
	rep, err := meterfile.Run(ctx, c, j, txs, opts)
	switch {
	case errors.As(err, new(meterfile.LineErrors)):
		return err // a batch already sent, with other rows: FILE:LINE: batch: reason; exit 2, nothing sent
	case errors.Is(err, meterfile.ErrCannotMark):
		return &configError{err}
	}
	rc := rep.Reconcile()
	if err != nil {
		if len(rc) > 0 {
			fmt.Fprint(e.stderr, reconcileText(rc))
		}
		return fmt.Errorf("exopartner: %s: %w; the transactions not reached are sent by a rerun", name, err)
	}
	if len(rc) > 0 {
		return errors.New(strings.TrimSuffix(reconcileText(rc), "\n"))
	}
	return nil
}

// contentIdentity reports whether the file's transactions are known by
// their rows (the file has no batch column) rather than by their batch.
func contentIdentity(txs []meterfile.Transaction) bool {
	return len(txs) > 0 && txs[0].Batch == ""
}

// journalFile is what the command needs of a journal.
type journalFile interface {
	meterfile.Journal
	Close() error
}

// openJournal opens the journal: a PostgreSQL database when spec is a
// postgres:// or postgresql:// URL (sized for concurrency transactions in
// flight), else the file at path spec. Tests replace it to make the
// journal fail at a chosen write.
var openJournal = func(ctx context.Context, spec string, concurrency int) (journalFile, error) {
	if pgjournal.IsDSN(spec) {
		return pgjournal.Open(ctx, spec, pgjournal.WithConcurrency(concurrency))
	}
	return meterfile.OpenFile(spec)
}

// printResult prints one transaction's outcome as it is decided: a line
// for people, or a JSON object per line with --output json.
func (e *env) printResult(r meterfile.Result) {
	t := r.Transaction
	if e.output == "json" {
		v := struct {
			Outcome      string `json:"outcome"`
			File         string `json:"file"`
			Line         int    `json:"line"`
			Organization string `json:"organization"`
			Batch        string `json:"batch,omitempty"`
			Rows         int    `json:"rows"`
			Transaction  string `json:"transaction"`
			Error        string `json:"error,omitempty"`
		}{string(r.Outcome), t.File, t.Line, t.Organization.String(), t.Batch, len(t.Usage), r.ID, errText(r.Err)}
		writeJSONLine(e.stdout, v)
		return
	}
	fmt.Fprintf(e.stdout, "%-14s  %s:%d  organization %s%s  %d row(s)  transaction %s\n",
		r.Outcome, t.File, t.Line, t.Organization, batchText(t.Batch), len(t.Usage), r.ID)
}

// reconcileText lists the transactions a person must look at, and what to
// do about them.
func reconcileText(rc []meterfile.Result) string {
	var b strings.Builder
	fmt.Fprintf(&b, "exopartner: metering-transaction: %d transaction(s) need reconciliation:\n", len(rc))
	for _, r := range rc {
		t := r.Transaction
		fmt.Fprintf(&b, "  %s:%d  organization %s%s  transaction %s: %s: %s\n",
			t.File, t.Line, t.Organization, batchText(t.Batch), r.ID, r.Outcome, safetext.Message(errText(r.Err)))
	}
	b.WriteString("Failed ones were certainly not applied: a rerun sends them again.\n" +
		"For unknown and refused ones, check the organization's usage (list-distributor-organization-usage ID),\n" +
		"then rerun with --mark-applied TRANSACTION for each one that was applied and --resend-unknown\n" +
		"to send the others. Resending one that was applied bills it twice.\n")
	return b.String()
}

func batchText(b string) string {
	if b == "" {
		return ""
	}
	return fmt.Sprintf("  batch %q", b)
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// writeJSONLine writes v as one line of JSON, without HTML escaping (& stays &).
func writeJSONLine(w io.Writer, v any) {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v) // one Write: the line and its newline
}

// stringsFlag collects the values of a repeatable flag.
type stringsFlag []string

func (s *stringsFlag) String() string { return strings.Join(*s, ",") }

func (s *stringsFlag) Type() string { return "string" }

func (s *stringsFlag) Set(v string) error {
	*s = append(*s, v)
	return nil
}
