package pdreceiver

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"
)

// Limits of the Events API v2 fields, counted in characters (runes).
const (
	RoutingKeyLength = 32
	MaxDedupKeyChars = 255
	MaxSummaryChars  = 1024
)

// validActions and validSeverities list the accepted enum values in the
// order the error messages name them.
var (
	validActions    = []string{ActionTrigger, ActionAcknowledge, ActionResolve}
	validSeverities = []string{SeverityCritical, SeverityError, SeverityWarning, SeverityInfo}
)

// object is a decoded JSON object whose members are still raw.
type object map[string]json.RawMessage

// checker collects every validation error of one event.
type checker struct {
	errs []string
}

// addf records one error.
func (c *checker) addf(format string, args ...any) {
	c.errs = append(c.errs, fmt.Sprintf(format, args...))
}

// validate returns all validation errors of a request body, in a fixed
// order, or nil when the body is a valid alert event.
func validate(body []byte) []string {
	if len(body) > MaxBodyBytes {
		return []string{errBodyTooLarge}
	}
	if msg := checkEncoding(body); msg != "" {
		return []string{msg}
	}
	var top object
	if err := json.Unmarshal(body, &top); err != nil || top == nil {
		return []string{"Event object is invalid (should be a JSON object)"}
	}
	c := &checker{}
	c.routingKey(top)
	action := c.eventAction(top)
	c.dedupKey(top, action)
	c.payload(top, action == ActionTrigger)
	c.optionalString(top, "client", "client")
	c.optionalString(top, "client_url", "client_url")
	c.list(top, "links", "href", []string{"text"})
	c.list(top, "images", "src", []string{"href", "alt"})
	return c.errs
}

// routingKey checks that routing_key is a string of exactly 32 characters.
func (c *checker) routingKey(top object) {
	key, ok := c.requiredString(top, "routing_key", "routing_key")
	if ok && utf8.RuneCountInString(key) != RoutingKeyLength {
		c.addf("Length of 'routing_key' is incorrect (should be %d characters)",
			RoutingKeyLength)
	}
}

// eventAction checks event_action and returns it when it is valid.
func (c *checker) eventAction(top object) string {
	action, ok := c.requiredString(top, "event_action", "event_action")
	if !ok {
		return ""
	}
	if !slices.Contains(validActions, action) {
		c.addf("'event_action' is invalid (should be one of %s)",
			strings.Join(validActions, ", "))
		return ""
	}
	return action
}

// dedupKey checks the dedup_key length, and its presence for acknowledge
// and resolve events.
func (c *checker) dedupKey(top object, action string) {
	key, _ := c.optionalString(top, "dedup_key", "dedup_key")
	if utf8.RuneCountInString(key) > MaxDedupKeyChars {
		c.addf("Length of 'dedup_key' is too long (should be at most %d characters)",
			MaxDedupKeyChars)
	}
	needed := action == ActionAcknowledge || action == ActionResolve
	if needed && strings.TrimSpace(key) == "" && !isWrongType(top["dedup_key"]) {
		c.addf("'dedup_key' is missing or blank")
	}
}

// payload checks the payload. A trigger needs it with summary, source and
// severity; other actions may leave it out, but what they send must still
// have the right JSON types.
func (c *checker) payload(top object, trigger bool) {
	raw := top["payload"]
	if isAbsent(raw) {
		if trigger {
			c.addf("'payload' is missing or blank")
		}
		return
	}
	var p object
	if raw[0] != '{' || json.Unmarshal(raw, &p) != nil {
		c.addf("'payload' is invalid (should be an object)")
		return
	}
	if !trigger {
		for _, name := range payloadStrings {
			c.optionalString(p, name, "payload."+name)
		}
		return
	}
	c.triggerPayload(p)
}

// payloadStrings names the payload members that must be strings.
var payloadStrings = []string{
	"summary", "source", "severity", "timestamp", "component", "group", "class",
}

// triggerPayload checks the members of a trigger's payload object.
func (c *checker) triggerPayload(p object) {
	if summary, ok := c.requiredString(p, "summary", "payload.summary"); ok &&
		utf8.RuneCountInString(summary) > MaxSummaryChars {
		c.addf("Length of 'payload.summary' is too long (should be at most %d characters)",
			MaxSummaryChars)
	}
	c.requiredString(p, "source", "payload.source")
	if sev, ok := c.requiredString(p, "severity", "payload.severity"); ok &&
		!slices.Contains(validSeverities, sev) {
		c.addf("'payload.severity' is invalid (should be one of %s)",
			strings.Join(validSeverities, ", "))
	}
	if ts, ok := c.optionalString(p, "timestamp", "payload.timestamp"); ok && !validTimestamp(ts) {
		c.addf("'payload.timestamp' is invalid (should be an ISO 8601 timestamp)")
	}
	for _, name := range []string{"component", "group", "class"} {
		c.optionalString(p, name, "payload."+name)
	}
}

// list checks an optional array of objects: each element needs the string
// member required and may carry the string members in optional.
func (c *checker) list(top object, name, required string, optional []string) {
	raw := top[name]
	if isAbsent(raw) {
		return
	}
	var items []json.RawMessage
	if raw[0] != '[' || json.Unmarshal(raw, &items) != nil {
		c.addf("'%s' is invalid (should be an array of objects)", name)
		return
	}
	for i, item := range items {
		path := fmt.Sprintf("%s[%d]", name, i)
		var obj object
		if item[0] != '{' || json.Unmarshal(item, &obj) != nil {
			c.addf("'%s' is invalid (should be an object)", path)
			continue
		}
		c.requiredString(obj, required, path+"."+required)
		for _, member := range optional {
			c.optionalString(obj, member, path+"."+member)
		}
	}
}

// requiredString returns the non-blank string member name of obj, and
// records an error naming path when it is absent, blank or not a string.
func (c *checker) requiredString(obj object, name, path string) (string, bool) {
	s, present := c.optionalString(obj, name, path)
	if present && strings.TrimSpace(s) != "" {
		return s, true
	}
	if !isWrongType(obj[name]) {
		c.addf("'%s' is missing or blank", path)
	}
	return "", false
}

// optionalString returns the string member name of obj and whether it is
// present as a string. A member of another JSON type is recorded as an
// error naming path; null counts as absent.
func (c *checker) optionalString(obj object, name, path string) (string, bool) {
	raw := obj[name]
	if isAbsent(raw) {
		return "", false
	}
	var s string
	if raw[0] != '"' || json.Unmarshal(raw, &s) != nil {
		c.addf("'%s' is invalid (should be a string)", path)
		return "", false
	}
	return s, true
}

// isAbsent reports whether a member is missing or JSON null.
func isAbsent(raw json.RawMessage) bool {
	return len(raw) == 0 || string(raw) == "null"
}

// isWrongType reports whether a member is present with a non-string type,
// in which case optionalString has already recorded the error.
func isWrongType(raw json.RawMessage) bool {
	return !isAbsent(raw) && raw[0] != '"'
}
