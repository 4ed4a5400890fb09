// Package meterfile sends metering transactions read from a CSV file, each
// exactly once, recording what it does in a journal so that a rerun of the
// same file (after a crash, a kill -9 or a failure) neither loses a
// transaction nor bills one twice.
//
// The file has a header and the columns organization, product, variable and
// quantity (the API's wire names), plus an optional batch column. Rows are
// grouped into one [Transaction] per organization, or per (organization,
// batch) when the batch column is present. [ParseFile] validates the whole
// file before anything is sent. The file must be UTF-8 (a byte order mark is
// ignored): a field that is not, as in a file Excel saved as Windows-1252,
// is a bad line "FILE:LINE: column: not valid UTF-8 (…)" saying to save the
// file as "CSV UTF-8"; two different products would otherwise be sent, and
// hashed, alike.
//
// # Identity
//
// A transaction's identity is its [Key], which is what the [Journal] looks
// it up by:
//
//   - With a batch column, (organization, batch): a batch is billed once,
//     whatever rows are added to it later. Its content ([Transaction.ID], a
//     hash of its rows) is kept in the journal only to tell a change. A
//     rerun that brings other rows for a batch already applied, sent or of
//     unknown outcome is a bad line of the file ([LineError], column batch:
//     "INV-7 of ORG was already sent with other rows (applied
//     2026-12-01T10:00Z); put new rows in a new batch"), found before
//     anything is sent: [Run] then sends and journals nothing. A batch that
//     failed or was never sent was certainly not applied: its new rows
//     replace the old ones, and are sent.
//   - Without a batch column, the content: the same rows for the same
//     organization are the same transaction, so next month's identical
//     rows would be skipped as already applied. Give each billing run its
//     own batch (an invoice number, a period) or its own journal.
//
// # Runs
//
// [Run] looks each transaction up in the [Journal] and:
//
//   - skips it when it was applied;
//   - sends it when it never left (never journaled, pending, or failed with
//     an answer proving it was not applied);
//   - refuses to send it again when a request for it left without a known
//     outcome (state sent or unknown), unless [Options.ResendUnknown] is set:
//     such transactions must be reconciled against the organization's usage
//     first, because the API has no idempotency key and a repeat is billed
//     twice. Once reconciliation shows one applied, [Options.MarkApplied]
//     records it so, and it is never sent again.
//
// The journal is made durable before each request (state sent) and after it
// (applied, unknown or failed), so that at any instant of a crash the
// journal errs only on the safe side: a transaction is never recorded as
// not sent once its request may have left.
//
// # Journal integrity
//
// Entries follow one another as [CheckTransition] says (nothing after
// applied, nothing back to pending once sent), and a journal refuses to
// record, or to read back, any other sequence. The [FileJournal] numbers
// its records: a record moved, duplicated or missing, or a state going
// back, makes the file [ErrCorrupt], named by path:line, and it is not
// opened. A journal cut short after a complete record (a stale backup)
// cannot be told from the file alone: see [FileJournal].
package meterfile
