package main

import (
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net"
	"net/url"
	"sort"
	"strings"
	"unicode/utf8"
)

// DefaultEventsURL is PagerDuty's Events API v2 endpoint for accounts in the US region.
const DefaultEventsURL = "https://events.pagerduty.com/v2/enqueue"

// regionURLs maps each PagerDuty service region to its Events API v2 endpoint.
var regionURLs = map[string]string{
	"us": DefaultEventsURL,
	"eu": "https://events.eu.pagerduty.com/v2/enqueue",
}

// defaultSource is payload.source unless the operator names the cluster.
const defaultSource = "StreamSpace"

// maxSourceRunes bounds the source an operator may set.
const maxSourceRunes = 255

// Limits on rateLimit, in events per hour.
const (
	minRateLimit     = 1
	maxRateLimit     = 200
	defaultRateLimit = 50
)

// routingKeyLength is the length PagerDuty requires of an integration (routing) key.
const routingKeyLength = 32

// severities lists the values PagerDuty accepts in payload.severity, from least to most
// urgent.
var severities = []string{"info", "warning", "error", "critical"}

// Config is the validated plugin configuration.
type Config struct {
	// RoutingKey is the Events API v2 integration key. It is a secret: Config's String and
	// LogValue never show it.
	RoutingKey string

	// Notify says, per event type, whether the plugin sends an alert for it.
	Notify map[EventType]bool

	// Severity gives, per event type, the PagerDuty severity of its alerts.
	Severity map[EventType]string

	// IncludeDetails adds CPU and memory to the custom details of session alerts.
	IncludeDetails bool

	// AutoResolve sends a resolve right after PagerDuty accepts each trigger.
	AutoResolve bool

	// RateLimit is the number of events per hour the plugin may send.
	RateLimit int

	// ResolveOn says, for session.woken and session.deleted, whether the event resolves
	// the incident the session's hibernation opened.
	ResolveOn map[EventType]bool

	// Region is the PagerDuty service region, "us" or "eu".
	Region string

	// EventsURL is where events are posted: the region's endpoint unless overridden.
	EventsURL string

	// Source is payload.source: "StreamSpace", or a cluster name.
	Source string

	// StreamSpaceURL, when set, is the base URL of the StreamSpace UI that alerts link to.
	StreamSpaceURL string
}

// String describes the configuration without the routing key.
func (c Config) String() string {
	var on []string
	for _, t := range eventTypes {
		if c.Notify[t] {
			on = append(on, fmt.Sprintf("%s(%s)", t, c.Severity[t]))
		}
	}
	for _, t := range []EventType{EventSessionWoken, EventSessionDeleted} {
		if c.ResolveOn[t] {
			on = append(on, fmt.Sprintf("%s(resolve)", t))
		}
	}
	return fmt.Sprintf("events=[%s] rateLimit=%d/h autoResolve=%t includeDetails=%t "+
		"source=%q region=%s url=%s streamspaceURL=%q", strings.Join(on, " "), c.RateLimit,
		c.AutoResolve, c.IncludeDetails, c.Source, c.Region, c.EventsURL, c.StreamSpaceURL)
}

// GoString describes the configuration for %#v, without the routing key.
func (c Config) GoString() string { return "Config{" + c.String() + "}" }

// LogValue describes the configuration to slog, without the routing key, whatever the
// handler.
func (c Config) LogValue() slog.Value { return slog.StringValue(c.String()) }

// configKey describes one key the plugin accepts: its name and how to store its value.
type configKey struct {
	name  string
	apply func(c *Config, v any) error
}

// configKeys lists every accepted key. The manifest's configSchema holds the same keys,
// and a test keeps the two in step.
var configKeys = []configKey{
	{"routingKey", func(c *Config, v any) error { return parseRoutingKey(v, &c.RoutingKey) }},
	{"notifyOnSessionCreated", notifyKey(EventSessionCreated)},
	{"notifyOnSessionHibernated", notifyKey(EventSessionHibernated)},
	{"notifyOnUserCreated", notifyKey(EventUserCreated)},
	{"sessionCreatedSeverity", severityKey(EventSessionCreated)},
	{"sessionHibernatedSeverity", severityKey(EventSessionHibernated)},
	{"userCreatedSeverity", severityKey(EventUserCreated)},
	{"includeDetails", func(c *Config, v any) error {
		return parseBool("includeDetails", v, &c.IncludeDetails)
	}},
	{"autoResolve", func(c *Config, v any) error {
		return parseBool("autoResolve", v, &c.AutoResolve)
	}},
	{"rateLimit", func(c *Config, v any) error { return parseRateLimit(v, &c.RateLimit) }},
	{"resolveOnSessionWoken", resolveKey(EventSessionWoken)},
	{"resolveOnSessionDeleted", resolveKey(EventSessionDeleted)},
	{"region", func(c *Config, v any) error { return parseRegion(v, &c.Region) }},
	{"eventsURL", func(c *Config, v any) error { return parseEventsURL(v, &c.EventsURL) }},
	{"source", func(c *Config, v any) error { return parseSource(v, &c.Source) }},
	{"streamspaceURL", func(c *Config, v any) error {
		return parseStreamSpaceURL(v, &c.StreamSpaceURL)
	}},
}

// defaultConfig returns the configuration used for every key the caller leaves out.
func defaultConfig() Config {
	return Config{
		Notify: map[EventType]bool{
			EventSessionCreated:    false,
			EventSessionHibernated: true,
			EventUserCreated:       false,
		},
		Severity: map[EventType]string{
			EventSessionCreated:    "info",
			EventSessionHibernated: "warning",
			EventUserCreated:       "info",
		},
		IncludeDetails: true,
		RateLimit:      defaultRateLimit,
		ResolveOn: map[EventType]bool{
			EventSessionWoken:   true,
			EventSessionDeleted: true,
		},
		Region:    "us",
		EventsURL: DefaultEventsURL,
		Source:    defaultSource,
	}
}

// ParseConfig validates the map StreamSpace hands to OnLoad. It returns the configuration,
// the keys it did not recognise (sorted), and an error naming the first bad key. A key
// whose value is JSON null or a blank string (what a form submits for an empty field)
// counts as absent. No error ever contains the routing key: another key whose value holds
// it is refused, and an unknown key named after it is listed redacted.
func ParseConfig(raw map[string]any) (Config, []string, error) {
	c := defaultConfig()
	known := make(map[string]bool, len(configKeys))
	set := make(map[string]bool, len(configKeys))
	for _, k := range configKeys {
		known[k.name] = true
		v, ok := raw[k.name]
		if !ok || v == nil || isBlank(v) && k.name != "routingKey" {
			continue
		}
		if s, isString := v.(string); isString && k.name != "routingKey" &&
			indexFold(s, c.RoutingKey) >= 0 {
			return Config{}, nil, fmt.Errorf("config: %s must not contain the routing key; "+
				"it belongs in routingKey only", k.name)
		}
		if err := k.apply(&c, v); err != nil {
			return Config{}, nil, err
		}
		set[k.name] = true
	}
	if c.RoutingKey == "" {
		return Config{}, nil, errors.New("config: routingKey is required: " +
			"the 32-character integration key of a PagerDuty Events API v2 integration")
	}
	if err := c.resolveEndpoint(set["region"], set["eventsURL"]); err != nil {
		return Config{}, nil, err
	}

	var unknown []string
	for k := range raw {
		if !known[k] {
			unknown = append(unknown, redactSecret(k, c.RoutingKey))
		}
	}
	sort.Strings(unknown)
	return c, unknown, nil
}

// isBlank reports whether v is a string of nothing but spaces.
func isBlank(v any) bool {
	s, ok := v.(string)
	return ok && strings.TrimSpace(s) == ""
}

// resolveEndpoint settles EventsURL from region and eventsURL: eventsURL wins when set,
// except that pointing an explicit region at the other region's PagerDuty endpoint is a
// conflict worth refusing.
func (c *Config) resolveEndpoint(regionSet, urlSet bool) error {
	if !urlSet {
		c.EventsURL = regionURLs[c.Region]
		return nil
	}
	if !regionSet {
		return nil
	}
	for region, u := range regionURLs {
		if region != c.Region && sameHost(u, c.EventsURL) {
			return fmt.Errorf("config: region %q conflicts with eventsURL, which is "+
				"PagerDuty's %s endpoint; set region to %q or leave one of them out",
				c.Region, strings.ToUpper(region), region)
		}
	}
	return nil
}

// sameHost reports whether two absolute URLs name the same host.
func sameHost(a, b string) bool {
	ua, errA := url.Parse(a)
	ub, errB := url.Parse(b)
	return errA == nil && errB == nil && strings.EqualFold(ua.Hostname(), ub.Hostname())
}

// suggestKey returns the accepted key closest to an unknown one, or "" when none is close
// enough to be a likely typo.
func suggestKey(unknown string) string {
	best, bestDist := "", 4
	for _, k := range configKeys {
		if d := editDistance(strings.ToLower(unknown), strings.ToLower(k.name)); d < bestDist {
			best, bestDist = k.name, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance between two strings, counted in bytes.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// notifyKey returns the parser of a notifyOn... key for event type t.
func notifyKey(t EventType) func(*Config, any) error {
	return switchKey("notifyOn", t, func(c *Config) map[EventType]bool { return c.Notify })
}

// resolveKey returns the parser of a resolveOn... key for event type t.
func resolveKey(t EventType) func(*Config, any) error {
	return switchKey("resolveOn", t, func(c *Config) map[EventType]bool { return c.ResolveOn })
}

// switchKey returns the parser of the boolean key prefix+t, which sets t in the map that
// field selects.
func switchKey(prefix string, t EventType,
	field func(*Config) map[EventType]bool) func(*Config, any) error {
	name := prefix + t.configName()
	return func(c *Config, v any) error {
		var b bool
		if err := parseBool(name, v, &b); err != nil {
			return err
		}
		field(c)[t] = b
		return nil
	}
}

// parseRegion accepts "us" or "eu", in any case.
func parseRegion(v any, dst *string) error {
	s, ok := v.(string)
	norm := strings.ToLower(strings.TrimSpace(s))
	if _, known := regionURLs[norm]; !ok || !known {
		return fmt.Errorf("config: region must be us or eu, got %s", describe(v))
	}
	*dst = norm
	return nil
}

// parseSource accepts a non-empty name of at most maxSourceRunes characters.
func parseSource(v any, dst *string) error {
	s, ok := v.(string)
	s = strings.TrimSpace(s)
	if !ok || s == "" || utf8.RuneCountInString(s) > maxSourceRunes || !utf8.ValidString(s) {
		return fmt.Errorf("config: source must be a name of 1 to %d characters, such as "+
			"the cluster's, got %s", maxSourceRunes, describe(v))
	}
	*dst = s
	return nil
}

// parseStreamSpaceURL accepts the https base URL of the StreamSpace UI.
func parseStreamSpaceURL(v any, dst *string) error {
	s, ok := v.(string)
	u, err := url.Parse(strings.TrimSpace(s))
	if !ok || err != nil || u.Scheme != "https" || u.Host == "" || u.User != nil ||
		u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("config: streamspaceURL must be the https address of the "+
			"StreamSpace UI, such as https://streamspace.example.com, got %s", describe(v))
	}
	*dst = strings.TrimRight(u.String(), "/")
	return nil
}

// severityKey returns the parser of a ...Severity key for event type t.
func severityKey(t EventType) func(*Config, any) error {
	name := lowerFirst(t.configName()) + "Severity"
	return func(c *Config, v any) error {
		s, ok := v.(string)
		norm := strings.ToLower(strings.TrimSpace(s))
		if !ok || !contains(severities, norm) {
			return fmt.Errorf("config: %s must be one of %s, got %s",
				name, strings.Join(severities, ", "), describe(v))
		}
		c.Severity[t] = norm
		return nil
	}
}

// parseRoutingKey checks that v is exactly 32 ASCII letters or digits. Its errors give the
// length or the position of a bad character, never the key itself.
func parseRoutingKey(v any, dst *string) error {
	s, ok := v.(string)
	if !ok {
		return fmt.Errorf("config: routingKey must be a string of %d letters or digits, got %s",
			routingKeyLength, typeName(v))
	}
	if n := len([]rune(s)); n != routingKeyLength {
		return fmt.Errorf("config: routingKey must be exactly %d letters or digits, "+
			"got %d characters", routingKeyLength, n)
	}
	for i := 0; i < len(s); i++ {
		ch := s[i]
		if !('a' <= ch && ch <= 'z' || 'A' <= ch && ch <= 'Z' || '0' <= ch && ch <= '9') {
			return fmt.Errorf("config: routingKey must contain only letters and digits; "+
				"character %d is not one", i+1)
		}
	}
	*dst = s
	return nil
}

// parseBool accepts only a JSON boolean.
func parseBool(name string, v any, dst *bool) error {
	b, ok := v.(bool)
	if !ok {
		return fmt.Errorf("config: %s must be true or false, got %s", name, describe(v))
	}
	*dst = b
	return nil
}

// parseRateLimit accepts a whole number from 1 to 200 as float64 (what JSON decoding
// gives), any Go integer type, or float32.
func parseRateLimit(v any, dst *int) error {
	n, ok := wholeNumber(v)
	if !ok || n < minRateLimit || n > maxRateLimit {
		return fmt.Errorf("config: rateLimit must be a whole number of events per hour "+
			"from %d to %d, got %s", minRateLimit, maxRateLimit, describe(v))
	}
	*dst = int(n)
	return nil
}

// wholeNumber converts a numeric value to int64 when it holds a whole number.
func wholeNumber(v any) (int64, bool) {
	switch n := v.(type) {
	case float64:
		if n != math.Trunc(n) || math.IsInf(n, 0) || math.Abs(n) > 1<<53 {
			return 0, false
		}
		return int64(n), true
	case float32:
		return wholeNumber(float64(n))
	case int:
		return int64(n), true
	case int8:
		return int64(n), true
	case int16:
		return int64(n), true
	case int32:
		return int64(n), true
	case int64:
		return n, true
	case uint:
		return int64(min(n, math.MaxInt32)), true
	case uint8:
		return int64(n), true
	case uint16:
		return int64(n), true
	case uint32:
		return int64(n), true
	case uint64:
		return int64(min(n, math.MaxInt32)), true
	}
	return 0, false
}

// parseEventsURL accepts an absolute https URL, or a plain http URL whose host is a
// loopback address, so that a local receiver can stand in for PagerDuty.
func parseEventsURL(v any, dst *string) error {
	const accepted = "an https URL, or http to a loopback host (127.0.0.0/8, ::1, localhost)"
	s, ok := v.(string)
	if !ok {
		return fmt.Errorf("config: eventsURL must be %s, got %s", accepted, typeName(v))
	}
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil || u.Host == "" || u.Opaque != "" {
		return fmt.Errorf("config: eventsURL must be %s, got %s", accepted, describe(v))
	}
	if u.User != nil {
		return errors.New("config: eventsURL must not contain a user name or password")
	}
	switch u.Scheme {
	case "https":
	case "http":
		if !isLoopbackHost(u.Hostname()) {
			return fmt.Errorf("config: eventsURL may use plain http only for a loopback "+
				"host (127.0.0.0/8, ::1, localhost); use https for %q", u.Hostname())
		}
	default:
		return fmt.Errorf("config: eventsURL must be %s, got scheme %q", accepted, u.Scheme)
	}
	*dst = u.String()
	return nil
}

// isLoopbackHost reports whether host is localhost or a loopback IP address.
func isLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// describe renders a rejected value for an error message: its type and, for short scalars,
// the value itself. It is never called on the routing key.
func describe(v any) string {
	switch x := v.(type) {
	case string:
		if len(x) > 40 {
			x = string([]rune(x)[:min(len([]rune(x)), 40)]) + "…"
		}
		return fmt.Sprintf("%q", x)
	case bool, float64, float32, int, int8, int16, int32, int64,
		uint, uint8, uint16, uint32, uint64:
		return fmt.Sprintf("%v", x)
	}
	return typeName(v)
}

// typeName names the JSON-ish type of v for error messages.
func typeName(v any) string {
	switch v.(type) {
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case float64, float32, int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64:
		return "a number"
	case []any:
		return "a list"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("a value of type %T", v)
}

// contains reports whether list holds s.
func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// lowerFirst lower-cases the first ASCII letter of s.
func lowerFirst(s string) string {
	if s == "" || s[0] < 'A' || s[0] > 'Z' {
		return s
	}
	return string(s[0]+'a'-'A') + s[1:]
}
