package pdreceiver

import (
	"fmt"
	"log/slog"
	"slices"
	"time"
)

// DefaultLogBodyBytes is how many bytes of each request body the log keeps
// unless WithLogBodyLimit says otherwise.
const DefaultLogBodyBytes = 64 << 10

// Request is one entry of the receiver's log: a request as it arrived and
// what it was answered. Printing a Request with fmt or slog shows a
// one-line summary without the body and with the routing key redacted.
type Request struct {
	// Seq numbers requests from 1 in the order they arrived.
	Seq int
	// Time is when the request arrived, by the receiver's clock.
	Time time.Time
	// Remote is the client's address.
	Remote string
	// Method and Path are those of the request line.
	Method string
	Path   string
	// ContentType is the Content-Type header as sent.
	ContentType string
	// Body holds the first bytes of the body, at most the log body limit.
	// It is the raw body and so contains the routing key: never print it.
	Body []byte
	// BodySize is how many body bytes were read, at most MaxBodyBytes+1.
	BodySize int
	// Event is the body decoded as an event, or nil when it did not decode.
	Event *Event
	// Errors lists the validation errors answered, nil when it was valid.
	Errors []string
	// Status is the HTTP status answered, 0 when no answer was written.
	Status int
	// Fault is the kind of fault applied to the request, 0 for none. A
	// released stall is then handled normally and keeps FaultStall here.
	Fault FaultKind
	// Outcome says what the receiver did with the request.
	Outcome Outcome
	// DedupKey is the key the event was filed under: the one sent, or the
	// one generated for a trigger without a key. Empty when not accepted.
	DedupKey string
}

// String summarises the request on one line without its body.
func (r Request) String() string {
	action, key := "-", "-"
	if r.Event != nil {
		action = r.Event.EventAction
	}
	if r.DedupKey != "" {
		key = r.DedupKey
	}
	return fmt.Sprintf("#%d %s %s from %s: %d %s action=%s dedup_key=%s errors=%d",
		r.Seq, r.Method, r.Path, r.Remote, r.Status, r.Outcome, action, key, len(r.Errors))
}

// GoString is String, so that %#v cannot print the body either.
func (r Request) GoString() string { return r.String() }

// LogValue renders the request for slog without its body or routing key.
func (r Request) LogValue() slog.Value {
	attrs := []slog.Attr{
		slog.Int("seq", r.Seq),
		slog.String("remote", r.Remote),
		slog.String("method", r.Method),
		slog.String("path", r.Path),
		slog.Int("status", r.Status),
		slog.String("outcome", string(r.Outcome)),
		slog.Int("body_bytes", r.BodySize),
	}
	if r.Event != nil {
		attrs = append(attrs, slog.String("action", r.Event.EventAction))
	}
	if r.DedupKey != "" {
		attrs = append(attrs, slog.String("dedup_key", r.DedupKey))
	}
	if r.Fault != 0 {
		attrs = append(attrs, slog.String("fault", r.Fault.String()))
	}
	if len(r.Errors) > 0 {
		attrs = append(attrs, slog.Any("errors", r.Errors))
	}
	return slog.GroupValue(attrs...)
}

// clone returns a deep copy of the request.
func (r Request) clone() Request {
	r.Body = slices.Clone(r.Body)
	r.Errors = slices.Clone(r.Errors)
	r.Event = r.Event.clone()
	return r
}
