package pdreceiver

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// EnqueuePath is the path of the Events API v2 alert endpoint.
const EnqueuePath = "/v2/enqueue"

// ServeHTTP handles one request: it reads the body (at most
// MaxBodyBytes+1 bytes), lets a scripted or standing fault answer if there
// is one, and otherwise validates and applies the event. Every request is
// logged before its answer is written, so a client that has seen the
// status line will find the request in the log.
func (rc *Receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	entry := rc.arrive(req)
	defer rc.leave()
	body, readErr := io.ReadAll(io.LimitReader(req.Body, MaxBodyBytes+1))
	entry.BodySize = len(body)
	entry.Body = bytes.Clone(body[:min(len(body), rc.logBodyLimit)])
	entry.Event = decodeEvent(body)
	fault, faulted, latency := rc.nextFault()
	if latency > 0 {
		if err := rc.sleep(req.Context(), latency); err != nil {
			rc.unanswered(w, entry, fault, faulted)
			return
		}
	}
	if faulted && !rc.serveFault(w, req, entry, fault) {
		return
	}
	rc.serveNormal(w, req, entry, body, readErr)
}

// arrive numbers a new request, counts it in flight and starts its entry.
func (rc *Receiver) arrive(req *http.Request) *Request {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.st.seq++
	rc.st.inFlight++
	rc.notifyLocked()
	return &Request{
		Seq:         rc.st.seq,
		Time:        rc.now(),
		Remote:      req.RemoteAddr,
		Method:      req.Method,
		Path:        req.URL.Path,
		ContentType: req.Header.Get("Content-Type"),
	}
}

// leave counts a finished request out of flight.
func (rc *Receiver) leave() {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.st.inFlight--
	rc.notifyLocked()
}

// nextFault takes the next scripted fault, or else the standing one, and
// reads the added latency.
func (rc *Receiver) nextFault() (Fault, bool, time.Duration) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	latency := rc.latency
	if len(rc.script) > 0 {
		f := rc.script[0]
		rc.script = rc.script[1:]
		rc.notifyLocked()
		return f, true, latency
	}
	if rc.always != nil {
		return *rc.always, true, latency
	}
	return Fault{}, false, latency
}

// decodeEvent decodes body as an event for the log, or returns nil when it
// is not a JSON object of the event's shape.
func decodeEvent(body []byte) *Event {
	if len(body) > MaxBodyBytes || !bytes.HasPrefix(bytes.TrimSpace(body), []byte("{")) {
		return nil
	}
	var ev Event
	if json.Unmarshal(body, &ev) != nil {
		return nil
	}
	return &ev
}

// serveNormal answers the request by the Events API v2 rules.
func (rc *Receiver) serveNormal(w http.ResponseWriter, req *http.Request, entry *Request,
	body []byte, readErr error) {
	status, errs := precheck(req, readErr)
	if status == 0 {
		status, errs = http.StatusBadRequest, validate(body)
	}
	if len(errs) > 0 {
		entry.Status, entry.Errors, entry.Outcome = status, errs, OutcomeRejected
		rc.record(entry)
		if status == http.StatusMethodNotAllowed {
			w.Header().Set("Allow", http.MethodPost)
		}
		writeJSON(w, status, rejection(status, errs))
		return
	}
	key := entry.Event.DedupKey
	if entry.Event.EventAction == ActionTrigger && strings.TrimSpace(key) == "" {
		key = newDedupKey()
	}
	rc.accept(entry, key)
	writeJSON(w, http.StatusAccepted, map[string]string{
		"status": "success", "message": "Event processed", "dedup_key": key,
	})
}

// precheck returns the status and errors for a request that is not a POST
// to EnqueuePath or whose body could not be read, or 0 and nil.
func precheck(req *http.Request, readErr error) (int, []string) {
	switch {
	case req.Method != http.MethodPost:
		return http.StatusMethodNotAllowed, []string{fmt.Sprintf(
			"Method %s is not allowed (should be POST)", req.Method)}
	case req.URL.Path != EnqueuePath:
		return http.StatusNotFound, []string{fmt.Sprintf(
			"Path %q is not an Events API v2 endpoint (should be %s)",
			req.URL.Path, EnqueuePath)}
	case readErr != nil:
		return http.StatusBadRequest, []string{
			"Request body could not be read: " + readErr.Error()}
	}
	return 0, nil
}

// rejection builds the error body PagerDuty answers for status.
func rejection(status int, errs []string) map[string]any {
	if status == http.StatusBadRequest {
		return map[string]any{
			"status": "invalid event", "message": "Event object is invalid", "errors": errs,
		}
	}
	return map[string]any{
		"status": "invalid request", "message": http.StatusText(status), "errors": errs,
	}
}

// accept applies a valid event filed under key and logs it as answered 202.
func (rc *Receiver) accept(entry *Request, key string) {
	rc.mu.Lock()
	entry.Status = http.StatusAccepted
	entry.DedupKey = key
	entry.Outcome = rc.st.book.apply(entry.Event, key, entry.Time)
	rc.recordLocked(entry)
	rc.mu.Unlock()
	rc.logger.Info("pdreceiver request", "request", *entry)
}

// newDedupKey returns a fresh random key of 32 hexadecimal characters.
func newDedupKey() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // crypto/rand.Read never fails.
	return hex.EncodeToString(b)
}

// writeJSON answers status with v as a JSON body.
func writeJSON(w http.ResponseWriter, status int, v any) {
	body, _ := json.Marshal(v) // maps of strings always marshal.
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", fmt.Sprint(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// record logs a finished request.
func (rc *Receiver) record(entry *Request) {
	rc.mu.Lock()
	rc.recordLocked(entry)
	rc.mu.Unlock()
	rc.logger.Info("pdreceiver request", "request", *entry)
}

// recordLocked adds a finished request to the log. rc.mu must be held.
func (rc *Receiver) recordLocked(entry *Request) {
	rc.st.log = append(rc.st.log, *entry)
	rc.st.counts[entry.Outcome]++
	if entry.Event != nil && entry.Event.RoutingKey != "" {
		rc.st.routingKeys[entry.Event.RoutingKey] = struct{}{}
	}
	rc.notifyLocked()
}

// unanswered logs a request that ended before any answer was written and
// drops its connection, so that the server does not answer an implicit 200
// in its place. A ResponseWriter that cannot be hijacked is left alone.
func (rc *Receiver) unanswered(w http.ResponseWriter, entry *Request, fault Fault,
	faulted bool) {
	if faulted {
		entry.Fault = fault.Kind
	}
	entry.Outcome = OutcomeUnanswered
	rc.record(entry)
	if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
		reset(conn)
	}
}
