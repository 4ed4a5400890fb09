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
// A transaction's identity ([Transaction.ID]) is a hash of its content and
// batch. [Run] looks each one up in the [Journal] and:
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
// Because identity is content, the same rows with the same batch are the
// same transaction: give each billing run its own batch (an invoice number,
// a period) or its own journal.
package meterfile
