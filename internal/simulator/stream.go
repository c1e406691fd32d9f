// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package simulator

import (
	"bufio"
	"compress/gzip"
	"errors"
	"io"
	"net/http"
	"strconv"
	"time"
)

// flushEvery is how many records go out between explicit flushes, so a slow consumer sees data
// arrive steadily even when records are small.
const flushEvery = 64

// errStopped ends generation: the client went away, the server is closing, or a fault cut the body.
var errStopped = errors.New("simulator: response stopped")

// out is one streamed response body. Generators write XML or JSON into a bufio.Writer that drains
// through the writer chain (content compression, fault injection, bandwidth pacing) into the
// ResponseWriter, so no response is ever built in memory: a 2 GB body costs 32 KiB of buffer.
type out struct {
	bw      *bufio.Writer // where generators write
	base    *bufio.Writer // over the writer chain; bw itself unless the body is gzipped
	gz      *gzip.Writer
	fw      *faultWriter
	rc      *http.ResponseController
	fault   *Fault // content fault of this request, nil if none
	records int    // records started (HOST, VULN, INFO, HostAsset, posture object)
	items   int    // items within records that bad_chars counts (HLD detections)
	hijack  bool   // the connection was taken over (reset): nothing may be flushed any more
	now     time.Time
	scratch []byte

	pretty    bool // Options.PrettyXML
	leafLevel int  // the level of the element leafTag opened last
}

// startBody sends the status line and headers and returns the body writer.
func (s *Server) startBody(w http.ResponseWriter, r *http.Request, rc *reqCtx, status int, contentType string) *out {
	if contentType != "" {
		w.Header().Set("Content-Type", contentType)
	}
	w.WriteHeader(status)
	o := &out{rc: http.NewResponseController(w), now: s.now(), scratch: make([]byte, 0, 256), pretty: s.opts.PrettyXML}
	var wr io.Writer = w
	if s.opts.BandwidthBytesPerSec > 0 {
		wr = &pacer{w: wr, rate: s.opts.BandwidthBytesPerSec, start: time.Now(), flush: o.httpFlush,
			wait: s.waiter(r)}
	}
	if f := rc.fault; f != nil && f.Kind.writerLevel() {
		o.fw = &faultWriter{w: wr, f: f, flush: o.httpFlush, wait: s.waiter(r), stall: s.staller(r),
			reset: func() { o.hijack = true; s.resetConn(o.rc) }}
		wr = o.fw
	} else if f != nil {
		o.fault = f
	}
	o.base = bufio.NewWriterSize(&stickyWriter{w: wr}, 32<<10)
	o.bw = o.base
	return o
}

// gzipBody compresses everything written after it (PCRS compressionRequired=1). Faults still
// apply to the compressed bytes, as a network failure would.
func (o *out) gzipBody() {
	o.gz = gzip.NewWriter(o.base)
	o.bw = bufio.NewWriterSize(o.gz, 32<<10)
}

// stickyWriter turns the first error anywhere below (client gone, fault fired) into errStopped
// for every later write, which is how generators learn to stop.
type stickyWriter struct {
	w   io.Writer
	err error
}

func (s *stickyWriter) Write(p []byte) (int, error) {
	if s.err != nil {
		return 0, s.err
	}
	n, err := s.w.Write(p)
	if err != nil {
		s.err = errStopped
	}
	return n, err
}

// stopped reports whether generation should end.
func (o *out) stopped() bool {
	_, err := o.bw.Write(nil)
	return err != nil || o.fw != nil && o.fw.done
}

func (o *out) httpFlush() {
	if !o.hijack {
		_ = o.rc.Flush()
	}
}

func (o *out) flush() {
	if o.bw.Flush() != nil {
		return
	}
	if o.gz != nil {
		_ = o.gz.Flush()
		_ = o.base.Flush()
	}
	o.httpFlush()
}

// finish ends the body: it drains the buffers, closes the gzip stream, and lets a stall or reset
// fault that the body was too short to reach happen at the end.
func (o *out) finish() {
	_ = o.bw.Flush()
	if o.gz != nil {
		_ = o.gz.Close()
		_ = o.base.Flush()
	}
	if o.fw != nil {
		o.fw.atEnd()
	}
	o.httpFlush()
}

// record marks the start of a record (a HOST, VULN, INFO, HostAsset or posture object): it is
// where a malformed fault breaks the document and where the stream is flushed periodically.
func (o *out) record(jsonRecord bool) {
	o.records++
	if f := o.fault; f != nil && f.Kind == FaultMalformed && o.records == f.record() {
		if jsonRecord {
			o.raw(`{"id":,"broken":`)
		} else {
			o.raw("<BROKEN_TAG <\n")
		}
	}
	if o.records%flushEvery == 0 {
		o.flush()
	}
}

// badCharsItem reports whether the current item must carry invalid UTF-8 and control characters.
func (o *out) badCharsItem() bool {
	return o.fault != nil && o.fault.Kind == FaultBadChars && o.items == o.fault.record()
}

// badValue reports whether item number n (a detection, a host asset) must carry text where a
// number or date is due.
func (o *out) badValue(n int) bool {
	return o.fault != nil && o.fault.Kind == FaultBadValue && n == o.fault.record()
}

func (o *out) raw(s string)      { _, _ = o.bw.WriteString(s) }
func (o *out) rawBytes(b []byte) { _, _ = o.bw.Write(b) }

func (o *out) uintText(v uint64) {
	o.scratch = strconv.AppendUint(o.scratch[:0], v, 10)
	o.rawBytes(o.scratch)
}

func (o *out) intText(v int) {
	o.scratch = strconv.AppendInt(o.scratch[:0], int64(v), 10)
	o.rawBytes(o.scratch)
}

// dateText writes a Qualys timestamp, YYYY-MM-DDTHH:MM:SSZ in UTC.
func (o *out) dateText(t time.Time) {
	o.scratch = t.UTC().AppendFormat(o.scratch[:0], "2006-01-02T15:04:05Z")
	o.rawBytes(o.scratch)
}

func formatUint(v uint64) string { return strconv.FormatUint(v, 10) }

func qualysTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }
