// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package simulator

import (
	"io"
	"net"
	"net/http"
	"time"
)

// faultWriter damages the body on its way to the wire: it counts bytes, and at the fault's
// offset truncates, stalls or resets; slow_body paces every chunk.
type faultWriter struct {
	w     io.Writer
	f     *Fault
	n     int64
	done  bool
	flush func()
	wait  func(time.Duration) bool
	stall func()
	reset func()
}

func (fw *faultWriter) Write(p []byte) (int, error) {
	if fw.done {
		return 0, errStopped
	}
	if fw.f.Kind == FaultSlowBody {
		return fw.writeSlowly(p)
	}
	at := fw.f.afterBytes()
	if fw.n+int64(len(p)) <= at {
		n, err := fw.w.Write(p)
		fw.n += int64(n)
		return n, err
	}
	k := int(at - fw.n)
	n, err := fw.w.Write(p[:k])
	fw.n += int64(n)
	if err != nil {
		return n, err
	}
	fw.strike()
	return n, errStopped
}

func (fw *faultWriter) writeSlowly(p []byte) (int, error) {
	chunk := fw.f.ChunkBytes
	if chunk <= 0 {
		chunk = defaultSlowChunkBytes
	}
	delay := fw.f.Delay
	if delay <= 0 {
		delay = defaultSlowDelay
	}
	written := 0
	for len(p) > 0 {
		k := min(len(p), chunk)
		n, err := fw.w.Write(p[:k])
		written += n
		if err != nil {
			return written, err
		}
		fw.flush()
		if !fw.wait(delay) {
			fw.done = true
			return written, errStopped
		}
		p = p[k:]
	}
	return written, nil
}

// strike performs the fault once the offset is reached.
func (fw *faultWriter) strike() {
	fw.done = true
	switch fw.f.Kind {
	case FaultStallBody:
		fw.flush()
		fw.stall()
	case FaultReset:
		fw.reset()
	}
}

// atEnd lets a stall or reset happen at the end of a body shorter than AfterBytes, so the client
// still sees an unfinished response; a short body is simply complete under truncate.
func (fw *faultWriter) atEnd() {
	if !fw.done && (fw.f.Kind == FaultStallBody || fw.f.Kind == FaultReset) {
		fw.strike()
	}
}

// pacer caps a response at rate bytes per second by sleeping between small writes.
type pacer struct {
	w     io.Writer
	rate  int64
	start time.Time
	sent  int64
	flush func()
	wait  func(time.Duration) bool
}

func (p *pacer) Write(b []byte) (int, error) {
	chunk := int(max(512, p.rate/20))
	written := 0
	for len(b) > 0 {
		k := min(len(b), chunk)
		n, err := p.w.Write(b[:k])
		written += n
		p.sent += int64(n)
		if err != nil {
			return written, err
		}
		due := p.start.Add(time.Duration(float64(p.sent) / float64(p.rate) * float64(time.Second)))
		if d := time.Until(due); d > 0 {
			p.flush()
			if !p.wait(d) {
				return written, errStopped
			}
		}
		b = b[k:]
	}
	return written, nil
}

// waiter returns a sleep that ends early (false) when the client leaves or the server closes.
func (s *Server) waiter(r *http.Request) func(time.Duration) bool {
	return func(d time.Duration) bool {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-t.C:
			return true
		case <-r.Context().Done():
		case <-s.closing:
		}
		return false
	}
}

// staller holds a stalled response until the client gives up, the server closes, or
// Options.StallTimeout passes.
func (s *Server) staller(r *http.Request) func() {
	return func() { s.waiter(r)(s.opts.StallTimeout) }
}

// resetConn flushes what was written, takes the connection over and closes it with SO_LINGER 0,
// which sends a TCP RST: the client sees "connection reset by peer" mid-body.
func (s *Server) resetConn(rc *http.ResponseController) {
	_ = rc.Flush()
	conn, _, err := rc.Hijack()
	if err != nil {
		return
	}
	if tcp, ok := conn.(*net.TCPConn); ok {
		_ = tcp.SetLinger(0)
	}
	_ = conn.Close()
}
