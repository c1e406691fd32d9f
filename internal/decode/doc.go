// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

// Package decode holds streaming decoders for every Qualys response the receiver reads: Host List
// Detection, Host List, Asset Management host assets, KnowledgeBase, SIMPLE_RETURN, classic
// posture info (XML) and the PCRS gateway APIs (JSON).
//
// Each decoder reads an io.Reader (an HTTP body) and returns one record at a time as the bytes
// arrive, so memory is bounded by the largest single record, never by the response. Decoders hold
// no logging, pdata, context or HTTP: they return plain Go structs.
//
// All decoders follow the encoding/csv contract:
//
//   - Read (or Next) returns a record, or io.EOF once the document ended cleanly.
//   - A malformed record that can be skipped comes back as a *RecordError; the caller may count it
//     and call Read again.
//   - A broken stream (an I/O error, a truncated document, mismatched tags, bad gzip, broken JSON
//     framing) is a sticky error: it is returned by that call and by every later call. A document
//     that ends before its root element (or JSON array) closes always yields an error wrapping
//     ErrTruncated, never io.EOF, so a cut-off page never looks complete.
//   - Options are exported fields, set before the first Read.
//   - Page metadata that can only be known at the end (Qualys WARNING with its next-page URL,
//     QPS hasMoreRecords/lastId) is valid after Read returned io.EOF.
//
// The XML decoders share a small hand-written tokenizer specialised for Qualys output: no
// namespaces, the five predefined entities and numeric character references only (no DTD is ever
// read, fetched or expanded), DOCTYPE skipped. It is several times faster than encoding/xml, which
// matters for Host List Detection pages of millions of detections.
//
// Text handling, for every string field: CDATA and entities are decoded; line ends are normalised
// as XML requires (CR LF and a lone CR become LF; this also applies to a CR written as &#13;);
// C0 control characters other than tab and LF are dropped; invalid UTF-8 is replaced with U+FFFD.
// Number, boolean and date fields with a malformed value make their record a *RecordError (the
// record is skipped, the stream goes on); an empty or absent value is the zero value. Page
// metadata (DATETIME, WARNING/CODE, QPS count/lastId) reads as zero when malformed instead, so a
// cosmetic problem never costs a page. Records without their ID are *RecordError (ErrMissingID).
//
// Limits: MaxElementBytes (default 1 MiB) bounds one tag or element text, element names are at
// most 1 KiB and nesting 256 levels; RESULTS, KnowledgeBase texts and posture evidence have their
// own caps and are cut on a UTF-8 boundary while the rest is skipped as it streams. PCRS records
// are bounded by MaxRecordBytes.
package decode // import "github.com/seed-d80aa3af/qualysreceiver/internal/decode"
