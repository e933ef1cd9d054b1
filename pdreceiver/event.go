package pdreceiver

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"unicode/utf8"
)

// Event actions accepted by the Events API v2.
const (
	ActionTrigger     = "trigger"
	ActionAcknowledge = "acknowledge"
	ActionResolve     = "resolve"
)

// Severities accepted in payload.severity.
const (
	SeverityCritical = "critical"
	SeverityError    = "error"
	SeverityWarning  = "warning"
	SeverityInfo     = "info"
)

// Event mirrors one Events API v2 alert event as it travels on the wire.
// Fields hold exactly what the sender wrote: a trigger sent without a dedup
// key keeps an empty DedupKey here (the key the receiver generated is in
// Request.DedupKey).
type Event struct {
	RoutingKey  RoutingKey `json:"routing_key"`
	EventAction string     `json:"event_action"`
	DedupKey    string     `json:"dedup_key,omitempty"`
	Payload     *Payload   `json:"payload,omitempty"`
	Client      string     `json:"client,omitempty"`
	ClientURL   string     `json:"client_url,omitempty"`
	Links       []Link     `json:"links,omitempty"`
	Images      []Image    `json:"images,omitempty"`
}

// Payload is the PagerDuty Common Event Format body of a trigger event.
type Payload struct {
	Summary       string          `json:"summary"`
	Source        string          `json:"source"`
	Severity      string          `json:"severity"`
	Timestamp     string          `json:"timestamp,omitempty"`
	Component     string          `json:"component,omitempty"`
	Group         string          `json:"group,omitempty"`
	Class         string          `json:"class,omitempty"`
	CustomDetails json.RawMessage `json:"custom_details,omitempty"`
}

// Link is one entry of the event's links list.
type Link struct {
	Href string `json:"href"`
	Text string `json:"text,omitempty"`
}

// Image is one entry of the event's images list.
type Image struct {
	Src  string `json:"src"`
	Href string `json:"href,omitempty"`
	Alt  string `json:"alt,omitempty"`
}

// RoutingKey is the secret integration key of an event. It marshals to JSON
// unchanged, but every fmt verb and slog render it redacted, so printing an
// Event never reveals it. Use string(k) to compare the real value.
type RoutingKey string

// Redacted returns the key's printable stand-in: no character of the key,
// only its length, for example "…(32 chars)".
func (k RoutingKey) Redacted() string {
	return fmt.Sprintf("…(%d chars)", utf8.RuneCountInString(string(k)))
}

// String returns the redacted form of the key.
func (k RoutingKey) String() string { return k.Redacted() }

// GoString returns the redacted form of the key for the %#v verb.
func (k RoutingKey) GoString() string { return k.Redacted() }

// Format renders the key redacted for every fmt verb, including %q and %x.
func (k RoutingKey) Format(f fmt.State, _ rune) {
	_, _ = f.Write([]byte(k.Redacted()))
}

// LogValue renders the key redacted in slog output, whatever the handler.
func (k RoutingKey) LogValue() slog.Value { return slog.StringValue(k.Redacted()) }

// LogValue renders the event for slog with its routing key redacted, since
// a JSON handler would otherwise marshal the key as it is.
func (e Event) LogValue() slog.Value {
	attrs := []slog.Attr{
		slog.String("routing_key", e.RoutingKey.Redacted()),
		slog.String("event_action", e.EventAction),
		slog.String("dedup_key", e.DedupKey),
	}
	if e.Payload != nil {
		attrs = append(attrs,
			slog.String("summary", e.Payload.Summary),
			slog.String("source", e.Payload.Source),
			slog.String("severity", e.Payload.Severity))
	}
	return slog.GroupValue(attrs...)
}

// clone returns a deep copy of the event, or nil for nil.
func (e *Event) clone() *Event {
	if e == nil {
		return nil
	}
	c := *e
	if e.Payload != nil {
		p := *e.Payload
		p.CustomDetails = slices.Clone(e.Payload.CustomDetails)
		c.Payload = &p
	}
	c.Links = slices.Clone(e.Links)
	c.Images = slices.Clone(e.Images)
	return &c
}

// summary returns the payload summary, or "" when the event has no payload.
func (e *Event) summary() string {
	if e == nil || e.Payload == nil {
		return ""
	}
	return e.Payload.Summary
}

// severity returns the payload severity, or "" when the event has no payload.
func (e *Event) severity() string {
	if e == nil || e.Payload == nil {
		return ""
	}
	return e.Payload.Severity
}
