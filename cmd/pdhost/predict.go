package main

import (
	"fmt"
	"math"
	"strings"

	"github.com/streamspace/streamspace-pagerduty/pdreceiver"
)

// modelConfig is what the prediction needs to know of a plugin configuration, with each
// key's default as README.md documents it.
type modelConfig struct {
	notify      map[string]bool   // per alerting event type
	severity    map[string]string // per alerting event type
	rateLimit   int               // events per hour, and the bucket's size
	autoResolve bool
	resolveOn   map[string]bool // per resolving event type: session.woken, session.deleted
	source      string          // payload.source, which also namespaces dedup keys
}

// defaultSource is the source that leaves dedup keys without a namespace.
const defaultSource = "StreamSpace"

// alertTypes are the event types that page, with the config key part that names each.
var alertTypes = []struct{ eventType, key string }{
	{typeSessionCreated, "SessionCreated"},
	{typeSessionHibernated, "SessionHibernated"},
	{typeUserCreated, "UserCreated"},
}

// resolveTypes are the event types that resolve a hibernation incident, with the config
// key part that names each.
var resolveTypes = []struct{ eventType, key string }{
	{typeSessionWoken, "SessionWoken"},
	{typeSessionDeleted, "SessionDeleted"},
}

// isResolveType reports whether events of type t resolve rather than page.
func isResolveType(t string) bool {
	return t == typeSessionWoken || t == typeSessionDeleted
}

// readModelConfig reads the keys the prediction depends on from a plugin configuration.
func readModelConfig(cfg map[string]any) (modelConfig, error) {
	m := modelConfig{
		notify: map[string]bool{typeSessionCreated: false, typeSessionHibernated: true,
			typeUserCreated: false},
		severity: map[string]string{typeSessionCreated: "info",
			typeSessionHibernated: "warning", typeUserCreated: "info"},
		rateLimit: 50,
		resolveOn: map[string]bool{typeSessionWoken: true, typeSessionDeleted: true},
		source:    defaultSource,
	}
	for _, t := range alertTypes {
		if err := readBool(cfg, "notifyOn"+t.key, m.notify, t.eventType); err != nil {
			return m, err
		}
		name := string(t.key[0]+'a'-'A') + t.key[1:] + "Severity"
		sev, err := stringKey(cfg, name)
		if err != nil {
			return m, err
		}
		if sev != "" {
			m.severity[t.eventType] = strings.ToLower(sev)
		}
	}
	source, err := stringKey(cfg, "source")
	if err != nil {
		return m, err
	}
	if source != "" {
		m.source = source
	}
	for _, t := range resolveTypes {
		if err := readBool(cfg, "resolveOn"+t.key, m.resolveOn, t.eventType); err != nil {
			return m, err
		}
	}
	if v, ok := cfg["autoResolve"]; ok && v != nil {
		b, ok := v.(bool)
		if !ok {
			return m, fmt.Errorf("config: autoResolve must be true or false")
		}
		m.autoResolve = b
	}
	if v, ok := cfg["rateLimit"]; ok && v != nil {
		f, ok := v.(float64)
		if !ok || f != math.Trunc(f) || f < 1 {
			return m, fmt.Errorf("config: rateLimit must be a whole number of events per "+
				"hour, got %v", v)
		}
		m.rateLimit = int(f)
	}
	return m, nil
}

// readBool stores the boolean config key name, when set, in dst[eventType].
func readBool(cfg map[string]any, name string, dst map[string]bool, eventType string) error {
	v, ok := cfg[name]
	if !ok || v == nil {
		return nil
	}
	b, ok := v.(bool)
	if !ok {
		return fmt.Errorf("config: %s must be true or false", name)
	}
	dst[eventType] = b
	return nil
}

// stringKey returns the string config key name, or "" when it is absent or null.
func stringKey(cfg map[string]any, name string) (string, error) {
	v, ok := cfg[name]
	if !ok || v == nil {
		return "", nil
	}
	s, ok := v.(string)
	if !ok {
		return "", fmt.Errorf("config: %s must be a string", name)
	}
	return strings.TrimSpace(s), nil
}

// expectedIncident is the state one dedup key's incident should end in.
type expectedIncident struct {
	key      string
	status   pdreceiver.Status
	events   int    // accepted events applied to it
	opened   int    // triggers that opened it
	triggers int    // accepted triggers, the ones that opened it included
	severity string // the latest trigger's
}

// prediction is what PagerDuty should receive for a sample under a configuration.
type prediction struct {
	fed         int // events fed to the plugin
	triggers    int // triggers PagerDuty accepts
	resolves    int // resolves PagerDuty accepts
	rateLimited int // events the hourly budget drops
	silent      int // events that send nothing: type off, or no incident of the plugin's
	noHook      int // events the plugin has no hook for
	incidents   []*expectedIncident
	byKey       map[string]*expectedIncident
	// tracked holds the hibernation incidents the plugin opened and will resolve.
	tracked map[string]bool
}

// counters returns the plugin counters the prediction implies.
func (p *prediction) counters() map[string]int64 {
	return map[string]int64{
		"sent":                  int64(p.triggers + p.resolves),
		"dropped_rate_limit":    int64(p.rateLimited),
		"dropped_queue_full":    0,
		"failed":                0,
		"queued":                0,
		"invalid_input":         0,
		"undelivered_at_unload": 0,
		"resolves_skipped":      0,
		"open_incidents":        int64(len(p.tracked)),
	}
}

// statusCount counts the expected incidents in status s.
func (p *prediction) statusCount(s pdreceiver.Status) int {
	n := 0
	for _, inc := range p.incidents {
		if inc.status == s {
			n++
		}
	}
	return n
}

// dedupKey is the key the plugin files an alert of event type t about id under, for
// the IDs of the demo sample, which are short enough to be used as they are.
func (m modelConfig) dedupKey(t, id string) string {
	if m.source != defaultSource {
		return "streamspace/" + m.source + "/" + t + "/" + id
	}
	return "streamspace/" + t + "/" + id
}

// predict plays sample through the plugin's documented rules. An event of a type that is
// switched on takes one token from a bucket of cfg.rateLimit tokens, or is dropped when
// none is left; its trigger opens its incident, joins it while open, or reopens it, and
// with autoResolve is resolved at once. Without autoResolve, a hibernation trigger is
// remembered while resolveOnSessionWoken or resolveOnSessionDeleted is on, and a woken or
// deleted session whose resolveOn key is on resolves a remembered incident, free of
// charge, and forgets it. The sample takes seconds, far less than the hour/rateLimit it
// takes the bucket to refill one token, so no refill is counted. hasHook tells whether
// the plugin handles an event type.
func predict(sample []sampleEvent, cfg modelConfig, hasHook func(string) bool) *prediction {
	p := &prediction{fed: len(sample), byKey: map[string]*expectedIncident{},
		tracked: map[string]bool{}}
	tracking := !cfg.autoResolve &&
		(cfg.resolveOn[typeSessionWoken] || cfg.resolveOn[typeSessionDeleted])
	tokens := cfg.rateLimit
	for _, e := range sample {
		switch {
		case !hasHook(e.Type):
			p.noHook++
		case isResolveType(e.Type):
			key := cfg.dedupKey(typeSessionHibernated, e.ID)
			if !cfg.resolveOn[e.Type] || !p.tracked[key] {
				p.silent++
				continue
			}
			delete(p.tracked, key)
			p.resolve(key)
		case !cfg.notify[e.Type]:
			p.silent++
		case tokens == 0:
			p.rateLimited++
		default:
			tokens--
			key := cfg.dedupKey(e.Type, e.ID)
			p.trigger(key, cfg.severity[e.Type])
			if cfg.autoResolve {
				p.resolve(key)
			} else if tracking && e.Type == typeSessionHibernated {
				p.tracked[key] = true
			}
		}
	}
	return p
}

// trigger applies an accepted trigger to the incident under key.
func (p *prediction) trigger(key, severity string) {
	p.triggers++
	inc, ok := p.byKey[key]
	if !ok {
		inc = &expectedIncident{key: key}
		p.byKey[key] = inc
		p.incidents = append(p.incidents, inc)
	}
	if inc.status != pdreceiver.StatusTriggered && inc.status != pdreceiver.StatusAcknowledged {
		inc.opened++
	}
	inc.status, inc.severity = pdreceiver.StatusTriggered, severity
	inc.events++
	inc.triggers++
}

// resolve applies an accepted resolve to the incident under key. PagerDuty accepts a
// resolve for an unknown or resolved key too, and it changes nothing.
func (p *prediction) resolve(key string) {
	p.resolves++
	if inc, ok := p.byKey[key]; ok && inc.status != pdreceiver.StatusResolved {
		inc.status = pdreceiver.StatusResolved
		inc.events++
	}
}
