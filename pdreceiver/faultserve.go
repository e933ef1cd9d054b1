package pdreceiver

import (
	"net"
	"net/http"
	"strings"
)

// malformedBody is the truncated JSON a FaultMalformed answers.
const malformedBody = `{"status":"success","message":"Event proc`

// serveFault answers the request with f and logs it. It returns true only
// for a released stall, whose request must then be handled normally.
func (rc *Receiver) serveFault(w http.ResponseWriter, req *http.Request, entry *Request,
	f Fault) bool {
	if f.Kind == FaultStall {
		return rc.stall(w, req, entry, f)
	}
	entry.Fault, entry.Outcome = f.Kind, OutcomeFaulted
	switch f.Kind {
	case FaultStatus:
		entry.Status = f.Status
		rc.record(entry)
		writeStatus(w, f)
	case FaultHangUp:
		rc.hangUp(w, entry)
	case FaultMalformed:
		entry.Status = http.StatusAccepted
		rc.record(entry)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusAccepted)
		_, _ = w.Write([]byte(malformedBody))
	case FaultHugeBody:
		entry.Status = http.StatusAccepted
		rc.record(entry)
		streamHugeBody(w, req, f.Size)
	case FaultRedirect:
		entry.Status = http.StatusTemporaryRedirect
		rc.record(entry)
		w.Header().Set("Location", f.Location)
		w.WriteHeader(http.StatusTemporaryRedirect)
	}
	return false
}

// writeStatus answers a FaultStatus.
func writeStatus(w http.ResponseWriter, f Fault) {
	if f.RetryAfter != "" {
		w.Header().Set("Retry-After", f.RetryAfter)
	}
	if f.Body != "" {
		w.Header().Set("Content-Type", "application/json")
	}
	w.WriteHeader(f.Status)
	_, _ = w.Write([]byte(f.Body))
}

// stall holds the request until the fault is released, the client goes
// away or the receiver is closed. It returns true when released; otherwise
// it logs the request as unanswered and drops the connection.
func (rc *Receiver) stall(w http.ResponseWriter, req *http.Request, entry *Request,
	f Fault) bool {
	rc.addStalled(1)
	defer rc.addStalled(-1)
	select {
	case <-f.Release:
		entry.Fault = FaultStall
		return true
	case <-req.Context().Done():
	case <-rc.stop:
	}
	rc.unanswered(w, entry, f, true)
	return false
}

// addStalled changes the count of stalled requests by delta.
func (rc *Receiver) addStalled(delta int) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.st.stalled += delta
	rc.notifyLocked()
}

// hangUp closes the connection without answering, resetting it where the
// connection is TCP. A ResponseWriter that cannot be hijacked (such as
// httptest.ResponseRecorder) gets a 500 that says so instead.
func (rc *Receiver) hangUp(w http.ResponseWriter, entry *Request) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		entry.Status = http.StatusInternalServerError
		entry.Errors = []string{"pdreceiver: hang-up fault needs a hijackable connection: " +
			err.Error()}
		rc.record(entry)
		writeJSON(w, entry.Status, rejection(entry.Status, entry.Errors))
		return
	}
	rc.record(entry)
	reset(conn)
}

// reset closes conn, with a TCP reset where it is a TCP connection.
func reset(conn net.Conn) {
	if tcp, ok := conn.(*net.TCPConn); ok {
		_ = tcp.SetLinger(0)
	}
	_ = conn.Close()
}

// hugeChunk is the filler streamed by a FaultHugeBody, one write at a time.
var hugeChunk = strings.Repeat("x", 32<<10)

// streamHugeBody answers 202 with a JSON body of size bytes (at least the
// JSON frame) whose dedup_key is padded with filler, written in chunks
// until done, the client goes away or a write fails.
func streamHugeBody(w http.ResponseWriter, req *http.Request, size int64) {
	if size == 0 {
		size = DefaultHugeBodyBytes
	}
	const head = `{"status":"success","message":"Event processed","dedup_key":"`
	const tail = `"}`
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusAccepted)
	if _, err := w.Write([]byte(head)); err != nil {
		return
	}
	for left := size - int64(len(head)+len(tail)); left > 0; {
		n := min(left, int64(len(hugeChunk)))
		if req.Context().Err() != nil {
			return
		}
		if _, err := w.Write([]byte(hugeChunk[:n])); err != nil {
			return
		}
		left -= n
	}
	_, _ = w.Write([]byte(tail))
}
