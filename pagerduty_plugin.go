// Command streamspace-pagerduty is a StreamSpace plugin, built with -buildmode=plugin, that
// pages PagerDuty through the Events API v2 when sessions are created or hibernated and
// when users are created.
//
// The shared object exports one symbol, Plugin. Its methods use only standard-library
// types, so any host built with the same toolchain can assert it against an interface of
// its own; see README.md for that interface and for a StreamSpace adapter.
package main

import (
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"sync"
	"time"

	"github.com/google/uuid"
)

// EventType names a StreamSpace event the plugin can alert on.
type EventType string

// The StreamSpace events the plugin handles.
const (
	EventSessionCreated    EventType = "session.created"
	EventSessionHibernated EventType = "session.hibernated"
	EventUserCreated       EventType = "user.created"
	EventSessionWoken      EventType = "session.woken"
	EventSessionDeleted    EventType = "session.deleted"
)

// eventTypes lists the event types that trigger alerts, in the order logs and docs show
// them. session.woken and session.deleted only resolve.
var eventTypes = []EventType{EventSessionCreated, EventSessionHibernated, EventUserCreated}

// configName is the type's part of its config keys: "SessionCreated" in
// notifyOnSessionCreated.
func (t EventType) configName() string {
	switch t {
	case EventSessionCreated:
		return "SessionCreated"
	case EventSessionHibernated:
		return "SessionHibernated"
	case EventUserCreated:
		return "UserCreated"
	case EventSessionWoken:
		return "SessionWoken"
	case EventSessionDeleted:
		return "SessionDeleted"
	}
	return string(t)
}

// summaryPrefix is the start of the type's alert summaries, which then name the session
// or user. It is a constant, so that a summary costs the hook a single allocation.
func (t EventType) summaryPrefix() string {
	switch t {
	case EventSessionCreated:
		return "StreamSpace Session Created: "
	case EventSessionHibernated:
		return "StreamSpace Session Hibernated: "
	case EventUserCreated:
		return "StreamSpace User Created: "
	}
	return "StreamSpace " + string(t) + ": "
}

// isUser reports whether the event is about a user rather than a session.
func (t EventType) isUser() bool { return t == EventUserCreated }

// manifest is the plugin's manifest.json, embedded so that the version it declares is the
// version the plugin reports.
//
//go:embed manifest.json
var manifest []byte

// pluginVersion returns the version declared in manifest.json.
var pluginVersion = sync.OnceValue(func() string {
	var m struct {
		Version string `json:"version"`
	}
	if json.Unmarshal(manifest, &m) != nil || m.Version == "" {
		return "unknown"
	}
	return m.Version
})

// PagerDutyPlugin is the type of the exported Plugin value. Its zero value is an unloaded
// plugin; every method is safe for concurrent use.
type PagerDutyPlugin struct {
	// shared, when set, holds the plugin's state on the heap. The exported Plugin uses it:
	// a .so's own global variables are invisible to the race detector
	// (golang.org/issue/24245), which then misreads the locks kept there, so nothing that
	// changes after loading lives in them. It never changes once set.
	shared *pluginState

	// own is the state of any other value, such as a zero value.
	own pluginState
}

// Plugin is the symbol the host looks up. plugin.Lookup("Plugin") returns a
// *PagerDutyPlugin.
var Plugin = PagerDutyPlugin{shared: new(pluginState)}

// state returns where p keeps its state.
func (p *PagerDutyPlugin) state() *pluginState {
	if p.shared != nil {
		return p.shared
	}
	return &p.own
}

// pluginState is everything a PagerDutyPlugin keeps between calls.
type pluginState struct {
	// lifecycle serialises OnLoad and OnUnload.
	lifecycle sync.Mutex

	// mu guards active. Hooks hold it for reading while they queue an event, so OnUnload,
	// which takes it for writing, knows no hook is still adding to the queue it drains.
	mu     sync.RWMutex
	active *instance

	// last keeps the counters of the most recent load for Stats after an unload.
	last *counters

	// open remembers the hibernation incidents this plugin opened, across reloads.
	open openIncidents
}

// instance is one loaded configuration with its delivery machinery.
type instance struct {
	cfg      Config
	logger   *slog.Logger
	now      func() time.Time
	limiter  *hourlyLimiter
	delivery *dispatcher
	stats    *counters
	deadline time.Duration // how long unload waits for the queue to drain
}

// errNotLoaded is returned by hooks called before OnLoad or after OnUnload.
var errNotLoaded = errors.New("pagerduty: plugin is not loaded; call OnLoad first")

// options are the parts of an instance that tests replace.
type options struct {
	now            func() time.Time
	retry          retryPolicy
	unloadDeadline time.Duration
	requestTimeout time.Duration
}

// defaultOptions are the production settings.
func defaultOptions() options {
	return options{now: time.Now, retry: defaultRetryPolicy(), unloadDeadline: unloadDeadline,
		requestTimeout: requestTimeout}
}

// OnLoad validates config and starts delivery. A nil logger means slog.Default(). An
// invalid config leaves the plugin unloaded, ready for another OnLoad; unknown keys are
// logged as warnings and do not fail the load.
func (p *PagerDutyPlugin) OnLoad(config map[string]any, logger *slog.Logger) error {
	return p.state().load(config, logger, defaultOptions())
}

// load is OnLoad with replaceable options.
func (p *PagerDutyPlugin) load(config map[string]any, logger *slog.Logger, o options) error {
	return p.state().load(config, logger, o)
}

// load validates config and starts an instance.
func (p *pluginState) load(config map[string]any, logger *slog.Logger, o options) error {
	if logger == nil {
		logger = slog.Default()
	}
	logger = logger.With("plugin", "streamspace-pagerduty")

	p.lifecycle.Lock()
	defer p.lifecycle.Unlock()
	p.mu.RLock()
	loaded := p.active != nil
	p.mu.RUnlock()
	if loaded {
		return errors.New("pagerduty: plugin is already loaded; call OnUnload before " +
			"loading a new configuration")
	}

	cfg, unknown, err := ParseConfig(config)
	if err != nil {
		return err
	}
	for _, k := range unknown {
		attrs := []any{"key", k}
		if s := suggestKey(k); s != "" {
			attrs = append(attrs, "did_you_mean", s)
		}
		logger.Warn("pagerduty: ignoring unknown config key", attrs...)
	}

	p.open.adopt(cfg)
	stats := &counters{}
	client := &eventsClient{
		url:     cfg.EventsURL,
		http:    newHTTPClient(deliveryWorkers, o.requestTimeout),
		timeout: o.requestTimeout,
		secret:  cfg.RoutingKey,
		now:     o.now,
	}
	inst := &instance{
		cfg:      cfg,
		logger:   logger,
		now:      o.now,
		limiter:  newHourlyLimiter(cfg.RateLimit, o.now, logger, &stats.droppedRateLimit),
		delivery: newDispatcher(client, o.retry, o.now, logger, stats, &p.open),
		stats:    stats,
		deadline: o.unloadDeadline,
	}

	p.mu.Lock()
	p.active, p.last = inst, stats
	p.mu.Unlock()
	logger.Info("pagerduty: plugin loaded", "version", pluginVersion(),
		"config", cfg.String())
	return nil
}

// OnUnload stops accepting events and delivers what is queued, waiting at most ten
// seconds. It returns an error counting the events it could not deliver; they are also
// logged. Unloading a plugin that is not loaded does nothing.
func (p *PagerDutyPlugin) OnUnload() error { return p.state().unload() }

// unload stops the active instance, if any.
func (p *pluginState) unload() error {
	p.lifecycle.Lock()
	defer p.lifecycle.Unlock()
	p.mu.Lock()
	inst := p.active
	p.active = nil
	p.mu.Unlock()
	if inst == nil {
		return nil
	}
	return inst.unload()
}

// unload drains the instance's queue and logs its counters.
func (inst *instance) unload() error {
	left := inst.delivery.close(inst.deadline)
	// Idle keep-alive connections hold a goroutine each until they time out; a host that
	// reloads the plugin should not collect them.
	inst.delivery.client.http.CloseIdleConnections()
	attrs := []any{}
	for _, kv := range sortedStats(inst.stats.snapshot()) {
		attrs = append(attrs, kv.name, kv.value)
	}
	inst.logger.Info("pagerduty: plugin unloaded", attrs...)
	if left > 0 {
		return fmt.Errorf("pagerduty: %d events not delivered within the %s unload deadline",
			left, inst.deadline)
	}
	return nil
}

// OnSessionCreated alerts on a new session, when notifyOnSessionCreated is set.
func (p *PagerDutyPlugin) OnSessionCreated(session any) error {
	return p.state().handle(EventSessionCreated, "session", session)
}

// OnSessionHibernated alerts on a hibernated session, when notifyOnSessionHibernated is
// set (the default).
func (p *PagerDutyPlugin) OnSessionHibernated(session any) error {
	return p.state().handle(EventSessionHibernated, "session", session)
}

// OnUserCreated alerts on a new user, when notifyOnUserCreated is set.
func (p *PagerDutyPlugin) OnUserCreated(user any) error {
	return p.state().handle(EventUserCreated, "user", user)
}

// OnSessionWoken resolves the incident the session's hibernation opened, when
// resolveOnSessionWoken is set (the default) and this plugin opened it.
func (p *PagerDutyPlugin) OnSessionWoken(session any) error {
	return p.state().handle(EventSessionWoken, "session", session)
}

// OnSessionDeleted resolves the incident the session's hibernation opened, when
// resolveOnSessionDeleted is set (the default) and this plugin opened it.
func (p *PagerDutyPlugin) OnSessionDeleted(session any) error {
	return p.state().handle(EventSessionDeleted, "session", session)
}

// Stats returns the counters of the current load, or of the last one after an unload,
// and how many hibernation incidents the plugin remembers as open.
func (p *PagerDutyPlugin) Stats() map[string]int64 { return p.state().stats() }

// stats is Stats.
func (p *pluginState) stats() map[string]int64 {
	p.mu.RLock()
	defer p.mu.RUnlock()
	c := p.last
	if c == nil {
		c = &counters{}
	}
	m := c.snapshot()
	m["open_incidents"] = int64(p.open.len())
	return m
}

// Version returns the plugin's version, as manifest.json declares it.
func (p *PagerDutyPlugin) Version() string { return pluginVersion() }

// handle runs a hook: read the argument, check the event is wanted and within the rate
// limit, build the event and queue it. It never waits on the network.
func (p *pluginState) handle(t EventType, arg string, v any) error {
	p.mu.RLock()
	defer p.mu.RUnlock()
	inst := p.active
	if inst == nil {
		return errNotLoaded
	}
	return inst.handle(t, arg, v)
}

// handle is the instance's half of a hook.
func (inst *instance) handle(t EventType, arg string, v any) error {
	rec, err := asRecord(arg, v)
	if err != nil {
		inst.stats.invalid.Add(1)
		return err
	}
	if t == EventSessionWoken || t == EventSessionDeleted {
		return inst.resolveHibernation(t, rec)
	}
	if !inst.cfg.Notify[t] {
		return nil
	}
	if !inst.limiter.allow(t) {
		return nil
	}
	j, err := inst.buildJob(t, rec)
	if err != nil {
		inst.stats.failed.Add(1)
		inst.logger.Error("pagerduty: could not build event", "event_type", string(t),
			"error", err)
		return err
	}
	// The dispatcher remembers the incident as it queues the trigger, so that a trigger
	// of the same session given up meanwhile cannot make it forget the new one.
	j.opens = t == EventSessionHibernated && inst.tracksHibernation()
	return inst.delivery.enqueue(j)
}

// tracksHibernation reports whether hibernation incidents are remembered so that a wake
// or deletion can resolve them. With autoResolve they are resolved at once instead.
func (inst *instance) tracksHibernation() bool {
	return !inst.cfg.AutoResolve &&
		(inst.cfg.ResolveOn[EventSessionWoken] || inst.cfg.ResolveOn[EventSessionDeleted])
}

// resolveHibernation queues a resolve for the hibernation incident of the session in rec,
// if this plugin opened one. A resolve costs no rate-limit token, and it goes out only
// after its trigger, even while the trigger is being retried.
func (inst *instance) resolveHibernation(t EventType, rec record) error {
	if !inst.cfg.ResolveOn[t] {
		return nil
	}
	id := readSession(rec).ID
	if id == "" {
		inst.logger.Warn("pagerduty: session has no ID; cannot find its incident",
			"event_type", string(t))
		return nil
	}
	key := inst.dedupKey(EventSessionHibernated, id)
	body, err := json.Marshal(&v2Event{RoutingKey: inst.cfg.RoutingKey,
		EventAction: actionResolve, DedupKey: key})
	if err != nil {
		return err
	}
	// The dispatcher takes the incident as it queues the resolve, and has it wait on the
	// trigger ahead unless PagerDuty accepted one for this key already.
	err = inst.delivery.enqueue(&job{eventType: t, action: actionResolve, dedupKey: key,
		body: body, resolves: true})
	if errors.Is(err, errNothingToResolve) {
		inst.logger.Debug("pagerduty: no open incident of this plugin to resolve",
			"event_type", string(t), "dedup_key", key)
		return nil
	}
	return err
}

// dedupKey is the package's dedupKey in this load's namespace.
func (inst *instance) dedupKey(t EventType, id string) string {
	return dedupKey(inst.cfg.Source, t, id)
}

// buildJob turns a StreamSpace event into an encoded trigger, plus its resolve when
// autoResolve is set.
func (inst *instance) buildJob(t EventType, rec record) (*job, error) {
	var id, summary string
	parts := &triggerParts{}
	details := &parts.details
	details.Event = string(t)
	component := "sessions"
	if t.isUser() {
		u := readUser(rec)
		id = firstNonEmpty(u.ID, u.Username, u.Email)
		summary = describeUser(t.summaryPrefix(), u)
		component = "users"
		details.UserID, details.Username, details.FullName = u.ID, u.Username, u.FullName
		details.Email, details.Tier = u.Email, u.Tier
	} else {
		s := readSession(rec)
		id = s.ID
		summary = describeSession(t.summaryPrefix(), s)
		details.SessionID, details.User, details.Template, details.State =
			s.ID, s.User, s.Template, s.State
		if inst.cfg.IncludeDetails {
			details.Memory, details.CPU = s.Memory, s.CPU
		}
	}
	if id == "" {
		id = uuid.NewString()
		inst.logger.Warn("pagerduty: event has no ID; using a random dedup key, so "+
			"repeats will not be merged", "event_type", string(t), "generated_id", id)
	}
	key := inst.dedupKey(t, id)

	parts.payload = v2Payload{
		Summary:       truncateRunes(summary, maxSummaryRunes),
		Source:        inst.cfg.Source,
		Severity:      inst.cfg.Severity[t],
		Timestamp:     inst.now().UTC().Format(timestampLayout),
		Component:     component,
		Group:         firstNonEmpty(details.Template, details.Tier, component),
		Class:         string(t),
		CustomDetails: details,
	}
	ev := &parts.event
	*ev = v2Event{
		RoutingKey:  inst.cfg.RoutingKey,
		EventAction: actionTrigger,
		DedupKey:    key,
		Payload:     &parts.payload,
	}
	if base := inst.cfg.StreamSpaceURL; base != "" {
		ev.Client = "StreamSpace"
		ev.ClientURL, ev.Links = streamspaceLinks(base, t, id)
	}
	body, err := encodeEvent(ev, maxEventBytes)
	if err != nil {
		return nil, err
	}
	j := &job{eventType: t, action: actionTrigger, dedupKey: key, body: body}
	if inst.cfg.AutoResolve {
		resolve := v2Event{RoutingKey: inst.cfg.RoutingKey, EventAction: actionResolve,
			DedupKey: key}
		if j.resolveAfter, err = json.Marshal(&resolve); err != nil {
			return nil, err
		}
	}
	return j, nil
}

// streamspaceLinks returns the StreamSpace UI page of the resource an alert is about, as
// the event's client_url, and the links shown on the incident.
func streamspaceLinks(base string, t EventType, id string) (string, []v2Link) {
	if t.isUser() {
		page := base + "/admin/users/" + url.PathEscape(id)
		return page, []v2Link{
			{Href: page, Text: "User in StreamSpace"},
			{Href: base + "/admin/users", Text: "All StreamSpace users"},
		}
	}
	page := base + "/sessions/" + url.PathEscape(id) + "/viewer"
	return page, []v2Link{
		{Href: page, Text: "Session in StreamSpace"},
		{Href: base + "/sessions", Text: "All StreamSpace sessions"},
	}
}

// timestampLayout is RFC 3339 with milliseconds, which PagerDuty shows as the alert's
// time.
const timestampLayout = "2006-01-02T15:04:05.000Z07:00"

// triggerParts holds the pieces of one trigger event, so that the hook allocates them
// together.
type triggerParts struct {
	event   v2Event
	payload v2Payload
	details customDetails
}

// describeSession returns prefix followed by what tells one session's alert from another's,
// built in one concatenation.
func describeSession(prefix string, s sessionInfo) string {
	id := firstNonEmpty(s.ID, "unknown session")
	switch {
	case s.User != "" && s.Template != "":
		return prefix + id + " (user " + s.User + ", template " + s.Template + ")"
	case s.User != "":
		return prefix + id + " (user " + s.User + ")"
	case s.Template != "":
		return prefix + id + " (template " + s.Template + ")"
	}
	return prefix + id
}

// describeUser returns prefix followed by the user's name, built in one concatenation.
func describeUser(prefix string, u userInfo) string {
	name := firstNonEmpty(u.Username, u.FullName, u.ID, "unknown user")
	if u.Email != "" && u.Email != name {
		return prefix + name + " (" + u.Email + ")"
	}
	return prefix + name
}

// firstNonEmpty returns the first of its arguments that is not "".
func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}

// main is never run: the package is built with -buildmode=plugin. It exists so that
// `go build ./...` and `go vet ./...` treat the package like any other.
func main() {}
