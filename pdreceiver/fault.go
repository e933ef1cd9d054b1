package pdreceiver

import (
	"fmt"
	"net/http"
	"net/url"
)

// FaultKind says how a scripted fault answers a request.
type FaultKind int

// Fault kinds.
const (
	// FaultStatus answers Fault.Status with an optional Retry-After
	// header and body.
	FaultStatus FaultKind = iota + 1
	// FaultStall holds the request until Fault.Release is closed, the
	// client gives up or the receiver is closed. After a release the
	// request is handled normally.
	FaultStall
	// FaultHangUp closes the connection without answering, with a TCP
	// reset where the platform allows it.
	FaultHangUp
	// FaultMalformed answers 202 with a truncated JSON body.
	FaultMalformed
	// FaultHugeBody answers 202 with a streamed JSON body of Fault.Size
	// bytes.
	FaultHugeBody
	// FaultRedirect answers 307 Temporary Redirect to Fault.Location.
	FaultRedirect
)

// faultNames are the printable names of the fault kinds.
var faultNames = map[FaultKind]string{
	FaultStatus:    "status",
	FaultStall:     "stall",
	FaultHangUp:    "hang-up",
	FaultMalformed: "malformed",
	FaultHugeBody:  "huge-body",
	FaultRedirect:  "redirect",
}

// String names the kind, for example "hang-up".
func (k FaultKind) String() string {
	if name, ok := faultNames[k]; ok {
		return name
	}
	return fmt.Sprintf("FaultKind(%d)", int(k))
}

// DefaultHugeBodyBytes is the body size of a FaultHugeBody with Size 0.
const DefaultHugeBodyBytes = 8 << 20

// Fault is a scripted answer that replaces normal handling of one request
// (when queued with Receiver.Script) or of every request (when set with
// Receiver.SetAlways). A faulted request is logged but never changes an
// incident, except a released stall, which is then handled normally.
// Build one with the constructors below or set the fields for its Kind.
type Fault struct {
	// Kind selects the behaviour.
	Kind FaultKind
	// Status is the HTTP status of a FaultStatus, 200 to 599.
	Status int
	// RetryAfter is the Retry-After header of a FaultStatus; "" sends none.
	RetryAfter string
	// Body is the body of a FaultStatus; "" sends none.
	Body string
	// Release ends a FaultStall when closed; nil stalls until the client
	// gives up or the receiver is closed.
	Release <-chan struct{}
	// Size is the body size of a FaultHugeBody; 0 means
	// DefaultHugeBodyBytes.
	Size int64
	// Location is the absolute http or https URL a FaultRedirect points to.
	Location string
}

// Respond returns a fault answering status with body ("" for none).
func Respond(status int, body string) Fault {
	return Fault{Kind: FaultStatus, Status: status, Body: body}
}

// Throttle returns a fault answering 429 Too Many Requests with the given
// Retry-After header ("" for none).
func Throttle(retryAfter string) Fault {
	return Fault{Kind: FaultStatus, Status: http.StatusTooManyRequests, RetryAfter: retryAfter}
}

// WithRetryAfter returns a copy of f that sends the Retry-After header v.
func (f Fault) WithRetryAfter(v string) Fault {
	f.RetryAfter = v
	return f
}

// Stall returns a fault that holds the request until release is closed.
func Stall(release <-chan struct{}) Fault {
	return Fault{Kind: FaultStall, Release: release}
}

// HangUp returns a fault that closes the connection without answering.
func HangUp() Fault { return Fault{Kind: FaultHangUp} }

// Malformed returns a fault answering 202 with a truncated JSON body.
func Malformed() Fault { return Fault{Kind: FaultMalformed} }

// HugeBody returns a fault answering 202 with a streamed body of size
// bytes (0 for DefaultHugeBodyBytes).
func HugeBody(size int64) Fault { return Fault{Kind: FaultHugeBody, Size: size} }

// Redirect returns a fault answering 307 Temporary Redirect to location.
func Redirect(location string) Fault {
	return Fault{Kind: FaultRedirect, Location: location}
}

// validate returns an error naming what is wrong with f, or nil.
func (f Fault) validate() error {
	switch f.Kind {
	case FaultStatus:
		if f.Status < 200 || f.Status > 599 {
			return fmt.Errorf("pdreceiver: fault status %d is invalid (should be 200 to 599)",
				f.Status)
		}
	case FaultHugeBody:
		if f.Size < 0 {
			return fmt.Errorf("pdreceiver: huge-body size %d is invalid "+
				"(should be 0 for the default or positive)", f.Size)
		}
	case FaultRedirect:
		u, err := url.Parse(f.Location)
		if err != nil || !u.IsAbs() || (u.Scheme != "http" && u.Scheme != "https") {
			return fmt.Errorf("pdreceiver: redirect location %q is invalid "+
				"(should be an absolute http or https URL)", f.Location)
		}
	case FaultStall, FaultHangUp, FaultMalformed:
	default:
		return fmt.Errorf("pdreceiver: fault kind %d is unknown (should be one of "+
			"status, stall, hang-up, malformed, huge-body, redirect)", int(f.Kind))
	}
	return nil
}
