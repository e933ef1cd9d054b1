package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/streamspace/streamspace-pagerduty/pdreceiver"
)

// The fault suite drives a loaded plugin with a realistic stream of StreamSpace events
// while the PagerDuty stand-in misbehaves, then checks what PagerDuty ended up with and
// what the plugin reported against a model of the stream. Every check lives in
// checkFaultInvariants, so each case only arranges its fault and asserts what is
// particular to it.

// ---- log capture ----

// logRecord is one captured log line with its attributes rendered as text.
type logRecord struct {
	level slog.Level
	msg   string
	attrs map[string]string
}

// logCapture keeps every line a logger wrote, as records and as the text and JSON
// handlers render them.
type logCapture struct {
	mu   sync.Mutex
	recs []logRecord
	text syncBuffer
	json syncBuffer
}

// captureHandler is the slog.Handler behind a logCapture.
type captureHandler struct {
	c          *logCapture
	min        slog.Level
	attrs      []slog.Attr
	text, json slog.Handler
}

// newCaptureLogger returns a logger that records lines at min and above.
func newCaptureLogger(min slog.Level) (*slog.Logger, *logCapture) {
	c := &logCapture{}
	opts := &slog.HandlerOptions{Level: min}
	return slog.New(&captureHandler{c: c, min: min,
		text: slog.NewTextHandler(&c.text, opts),
		json: slog.NewJSONHandler(&c.json, opts)}), c
}

func (h *captureHandler) Enabled(_ context.Context, l slog.Level) bool { return l >= h.min }

func (h *captureHandler) Handle(ctx context.Context, r slog.Record) error {
	rec := logRecord{level: r.Level, msg: r.Message, attrs: map[string]string{}}
	for _, a := range h.attrs {
		rec.attrs[a.Key] = a.Value.Resolve().String()
	}
	r.Attrs(func(a slog.Attr) bool {
		rec.attrs[a.Key] = a.Value.Resolve().String()
		return true
	})
	h.c.mu.Lock()
	h.c.recs = append(h.c.recs, rec)
	h.c.mu.Unlock()
	return errorsJoin(h.text.Handle(ctx, r), h.json.Handle(ctx, r))
}

func (h *captureHandler) WithAttrs(as []slog.Attr) slog.Handler {
	cp := *h
	cp.attrs = append(append([]slog.Attr(nil), h.attrs...), as...)
	cp.text, cp.json = h.text.WithAttrs(as), h.json.WithAttrs(as)
	return &cp
}

func (h *captureHandler) WithGroup(name string) slog.Handler {
	cp := *h
	cp.text, cp.json = h.text.WithGroup(name), h.json.WithGroup(name)
	return &cp
}

// errorsJoin returns the first non-nil error.
func errorsJoin(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// withMsg returns the records whose message contains substr.
func (c *logCapture) withMsg(substr string) []logRecord {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []logRecord
	for _, r := range c.recs {
		if strings.Contains(r.msg, substr) {
			out = append(out, r)
		}
	}
	return out
}

// atLeast returns the records at level l or above.
func (c *logCapture) atLeast(l slog.Level) []logRecord {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []logRecord
	for _, r := range c.recs {
		if r.level >= l {
			out = append(out, r)
		}
	}
	return out
}

// all is every rendering of the log: text, then JSON.
func (c *logCapture) all() string { return c.text.String() + c.json.String() }

// ---- the event stream and its model ----

// step is one hook call of a stream. marker makes each trigger's body unique, so a
// request can be traced back to the hook call that caused it.
type step struct {
	hook   EventType
	id     string
	marker string
}

// arg builds the StreamSpace-shaped value the hook receives.
func (s step) arg() map[string]any {
	if s.hook == EventUserCreated {
		return map[string]any{"id": s.id, "username": s.id, "email": s.id + "@example.com",
			"tier": s.marker}
	}
	return map[string]any{"id": s.id, "user": "john@example.com", "template": "firefox",
		"state": s.marker, "resources": map[string]any{"memory": "2Gi", "cpu": "1000m"}}
}

// call runs the step's hook on p.
func (s step) call(p *PagerDutyPlugin) error {
	switch s.hook {
	case EventSessionCreated:
		return p.OnSessionCreated(s.arg())
	case EventSessionHibernated:
		return p.OnSessionHibernated(s.arg())
	case EventSessionWoken:
		return p.OnSessionWoken(s.arg())
	case EventSessionDeleted:
		return p.OnSessionDeleted(s.arg())
	}
	return p.OnUserCreated(s.arg())
}

// realisticStream returns n or a few more hook calls over eight sessions and five users:
// creations, hibernations (some repeated), wakes and deletions, some of which find no
// open incident.
func realisticStream(n int) []step {
	var out []step
	add := func(h EventType, id string) {
		out = append(out, step{h, id, fmt.Sprintf("m-%d", len(out))})
	}
	for i := 0; len(out) < n; i++ {
		id := fmt.Sprintf("s-%d", i%8)
		switch i % 6 {
		case 0:
			add(EventSessionCreated, id)
			add(EventSessionHibernated, id)
		case 1:
			add(EventSessionHibernated, id)
			add(EventSessionWoken, id)
		case 2:
			add(EventUserCreated, fmt.Sprintf("u-%d", i%5))
		case 3:
			add(EventSessionHibernated, id)
		case 4:
			add(EventSessionDeleted, id)
		case 5:
			add(EventSessionHibernated, id)
			add(EventSessionHibernated, id)
			add(EventSessionWoken, id)
		}
	}
	return out
}

// entryKind says where an expected event comes from.
type entryKind int

const (
	kindTrigger     entryKind = iota
	kindWakeResolve           // a wake's or deletion's resolve
	kindAutoResolve           // autoResolve's resolve, created once its trigger is accepted
)

// fate is what became of an expected event.
type fate int

const (
	fateOpen       fate = iota // no final answer yet: given up after retries or undelivered
	fateSent                   // the plugin saw PagerDuty accept it
	fateRejected               // a permanent answer; never retried
	fateNotCreated             // an auto-resolve whose trigger was never accepted
	fateSkipped                // a resolve for an incident that never opened
	fateExhausted              // given up after retries
)

// entry is one event the model expects for a dedup key.
type entry struct {
	kind     entryKind
	marker   string
	fate     fate
	attempts int // requests a receiver saw
	received int // times a receiver answered it 2xx
	status   int // the final answer's status
}

// streamModel predicts, hook call by hook call, which events the plugin owes PagerDuty.
type streamModel struct {
	autoResolve bool
	resolveOn   map[EventType]bool
	notify      map[EventType]bool
	tokens      int
	passed      int // triggers that took a token
	dropped     int // triggers over the rate limit
	keys        []string
	entries     map[string][]*entry
	open        map[string]bool // the plugin's open hibernation incidents
}

// newStreamModel mirrors cfg.
func newStreamModel(cfg Config) *streamModel {
	return &streamModel{autoResolve: cfg.AutoResolve, resolveOn: cfg.ResolveOn,
		notify: cfg.Notify, tokens: cfg.RateLimit, entries: map[string][]*entry{},
		open: map[string]bool{}}
}

// modelKey is the dedup key the README promises for the default source.
func modelKey(t EventType, id string) string { return "streamspace/" + string(t) + "/" + id }

// push appends an expected event for key.
func (m *streamModel) push(key string, e *entry) {
	if _, ok := m.entries[key]; !ok {
		m.keys = append(m.keys, key)
	}
	m.entries[key] = append(m.entries[key], e)
}

// apply records what the plugin should do for one hook call.
func (m *streamModel) apply(s step) {
	if s.hook == EventSessionWoken || s.hook == EventSessionDeleted {
		key := modelKey(EventSessionHibernated, s.id)
		if m.resolveOn[s.hook] && m.open[key] {
			m.open[key] = false
			m.push(key, &entry{kind: kindWakeResolve})
		}
		return
	}
	if !m.notify[s.hook] {
		return
	}
	if m.tokens == 0 {
		m.dropped++
		return
	}
	m.tokens--
	m.passed++
	key := modelKey(s.hook, s.id)
	m.push(key, &entry{kind: kindTrigger, marker: s.marker})
	switch {
	case m.autoResolve:
		m.push(key, &entry{kind: kindAutoResolve})
	case s.hook == EventSessionHibernated &&
		(m.resolveOn[EventSessionWoken] || m.resolveOn[EventSessionDeleted]):
		m.open[key] = true
	}
}

// ---- the environment a case runs in ----

// faultEnv is a plugin loaded against one or more PagerDuty stand-ins at one address,
// plus a trap that a redirect points to and that must never see a request.
type faultEnv struct {
	t      *testing.T
	key    string
	p      *PagerDutyPlugin
	cfg    Config
	logs   *logCapture
	addr   string
	url    string
	rcvs   []*pdreceiver.Receiver // every receiver that served addr, in order
	srv    *pdreceiver.Server     // the current one, when started with pdreceiver.Start
	trap   *pdreceiver.Server
	model  *streamModel
	lost   *lostAnswers
	errs   []error // from hooks and unload
	unload time.Duration
}

// serveMode says how a case's stand-in listens.
type serveMode int

const (
	serveNormal  serveMode = iota
	serveRefused           // nothing listens until the case restarts the stand-in
	serveLossy             // some answers are lost after the event was processed
)

// lostAnswers counts, by request body, the answers a lossy stand-in dropped after
// PagerDuty processed the event; the plugin saw those attempts fail.
type lostAnswers struct {
	mu     sync.Mutex
	left   int
	byBody map[string]int
}

// take reports whether a body seen answered 2xx was in fact an answer the plugin never
// got, and counts it off.
func (l *lostAnswers) take(body []byte) bool {
	if l == nil {
		return false
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.byBody[string(body)] == 0 {
		return false
	}
	l.byBody[string(body)]--
	return true
}

// lossyHandler lets rc process each request and, for the first l.left 2xx answers,
// resets the connection instead of answering.
func lossyHandler(rc *pdreceiver.Receiver, l *lostAnswers) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		req.Body = io.NopCloser(bytes.NewReader(body))
		rec := httptest.NewRecorder()
		rc.ServeHTTP(rec, req)
		l.mu.Lock()
		drop := l.left > 0 && rec.Code/100 == 2
		if drop {
			l.left--
			l.byBody[string(body)]++
		}
		l.mu.Unlock()
		if !drop {
			for k, v := range rec.Header() {
				w.Header()[k] = v
			}
			w.WriteHeader(rec.Code)
			_, _ = w.Write(rec.Body.Bytes())
			return
		}
		if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
			if tcp, ok := conn.(*net.TCPConn); ok {
				_ = tcp.SetLinger(0)
			}
			_ = conn.Close()
		}
	})
}

// fastFaultRetry retries within milliseconds, far inside its window, so that every case
// recovers unless it means not to.
func fastFaultRetry() retryPolicy {
	return retryPolicy{initial: 2 * time.Millisecond, max: 20 * time.Millisecond,
		maxAttempts: 200, maxElapsed: 8 * time.Second, jitter: func() float64 { return 0 }}
}

// newFaultEnv starts the stand-ins and loads a plugin with key and the case's config.
func newFaultEnv(t *testing.T, key string, mode serveMode, lostN int, tweak func(*options),
	kv ...any) *faultEnv {
	t.Helper()
	e := &faultEnv{t: t, key: key}
	var err error
	e.trap, err = pdreceiver.Start("")
	require.NoError(t, err)
	t.Cleanup(func() { e.trap.Close() })

	switch mode {
	case serveLossy:
		rc := pdreceiver.New()
		e.lost = &lostAnswers{left: lostN, byBody: map[string]int{}}
		hs := httptest.NewServer(lossyHandler(rc, e.lost))
		t.Cleanup(hs.Close)
		e.rcvs, e.url = []*pdreceiver.Receiver{rc}, hs.URL+pdreceiver.EnqueuePath
	default:
		e.startReceiver("")
		if mode == serveRefused {
			require.NoError(t, e.srv.Close())
		}
	}

	o := defaultOptions()
	o.retry = fastFaultRetry()
	o.unloadDeadline = 8 * time.Second
	if tweak != nil {
		tweak(&o)
	}
	logger, logs := newCaptureLogger(slog.LevelDebug)
	cfg := map[string]any{"routingKey": key, "eventsURL": e.url,
		"notifyOnSessionCreated": true, "notifyOnUserCreated": true, "rateLimit": 200}
	for i := 0; i < len(kv); i += 2 {
		cfg[kv[i].(string)] = kv[i+1]
	}
	e.cfg, _, err = ParseConfig(cfg)
	require.NoError(t, err)
	e.p, e.logs, e.model = &PagerDutyPlugin{}, logs, newStreamModel(e.cfg)
	require.NoError(t, e.p.load(cfg, logger, o))
	t.Cleanup(func() { _ = e.p.OnUnload() })
	return e
}

// startReceiver serves a new stand-in on addr ("" for any loopback port) and makes it
// the current one.
func (e *faultEnv) startReceiver(addr string) {
	srv, err := pdreceiver.Start(addr)
	require.NoError(e.t, err, "start the stand-in on %q", addr)
	e.t.Cleanup(func() { srv.Close() })
	e.srv, e.addr, e.url = srv, srv.Addr(), srv.URL()
	e.rcvs = append(e.rcvs, srv.Receiver)
}

// run sends the stream's hook calls one after another, keeping the model in step. after
// runs after each call.
func (e *faultEnv) run(steps []step, after func(i int)) {
	for i, s := range steps {
		if err := s.call(e.p); err != nil {
			e.errs = append(e.errs, err)
		}
		e.model.apply(s)
		if after != nil {
			after(i)
		}
	}
}

// finish unloads the plugin, timing the unload.
func (e *faultEnv) finish() error {
	start := time.Now()
	err := e.p.OnUnload()
	e.unload = time.Since(start)
	if err != nil {
		e.errs = append(e.errs, err)
	}
	return err
}

// h views the environment as the package's test harness, to share its waits.
func (e *faultEnv) h() *harness { return &harness{t: e.t, p: e.p, srv: e.srv} }

// sessionSteps returns one hibernation each of n sessions named prefix-0, prefix-1, ...
func sessionSteps(prefix string, n int) []step {
	out := make([]step, n)
	for i := range out {
		id := fmt.Sprintf("%s-%d", prefix, i)
		out[i] = step{EventSessionHibernated, id, "m-" + id}
	}
	return out
}

// ---- the invariants ----

// outcome is what the walk over the stand-ins' logs found.
type outcome struct {
	counts     map[fate]int
	transient  int // attempts answered with a retryable failure, lost answers included
	created    int // resolves the plugin created: wake resolves not skipped, auto-resolves
	skippedLog int // resolves the plugin logged as skipped
	stats      map[string]int64
}

// permanentStatus reports whether an answer must never be retried.
func permanentStatus(status int) bool {
	return status >= 300 && status < 500 && status != http.StatusTooManyRequests
}

// markerOf returns the marker a request's trigger carries in its custom details.
func markerOf(ev *pdreceiver.Event) string {
	if ev.Payload == nil {
		return ""
	}
	var d map[string]string
	_ = json.Unmarshal(ev.Payload.CustomDetails, &d)
	return d["State"] + d["Tier"]
}

// matches reports whether a request carries the expected event e.
func matches(e *entry, ev *pdreceiver.Event) bool {
	if e.kind == kindTrigger {
		return ev.EventAction == "trigger" && markerOf(ev) == e.marker
	}
	return ev.EventAction == "resolve"
}

// resolvable reports whether the incident a resolve at es[j] closes was opened: some
// trigger since the previous resolve was accepted.
func resolvable(es []*entry, j int) bool {
	for k := j - 1; k >= 0 && es[k].kind == kindTrigger; k-- {
		if es[k].fate == fateSent {
			return true
		}
	}
	return false
}

// checkFaultInvariants walks every request the stand-ins saw, assigns each to the
// expected event it carries, and checks what must hold whatever the fault:
//   - every request carries an event the model expects, under that event's dedup key,
//     so a retry or a duplicate never opens another incident;
//   - per key, events go out in order, and a resolve only after its trigger was accepted;
//   - an event with a permanent answer (3xx, 4xx but 429) is never sent again;
//   - no request reaches the host a redirect named;
//   - the counters add up: sent + failed + undelivered + dropped_queue_full equals the
//     triggers that passed the limiter plus the resolves created, and each of them
//     matches its own log lines;
//   - nothing is queued after unload, and open_incidents is what the model says.
func checkFaultInvariants(t *testing.T, e *faultEnv, attemptsUnseen bool) outcome {
	t.Helper()
	require.Zero(t, e.trap.Snapshot().Requests, "a redirect was followed")
	m := e.model
	cursor := map[string]int{}
	var transient, lostTaken int
	for _, rc := range e.rcvs {
		for _, r := range bySeq(rc.Requests()) {
			require.NotNil(t, r.Event, "request %d carries no event", r.Seq)
			key := r.Event.DedupKey
			es, ok := m.entries[key]
			require.True(t, ok, "request %d has a dedup key the model never produced: %q",
				r.Seq, key)
			j := cursor[key]
			for j < len(es) && !matches(es[j], r.Event) {
				j++
			}
			require.Less(t, j, len(es), "request %d (%s %s) matches no event still owed: "+
				"a retry after a final answer, or out of order", r.Seq,
				r.Event.EventAction, key)
			cur := es[j]
			if cur.kind != kindTrigger {
				require.True(t, resolvable(es, j), "request %d resolves %s before any "+
					"trigger of it was accepted", r.Seq, key)
			}
			cursor[key] = j
			cur.attempts++
			switch {
			case r.Status/100 == 2:
				cur.received++
				if e.lost.take(r.Body) {
					transient++
					lostTaken++
					continue
				}
				cur.fate, cur.status = fateSent, r.Status
				cursor[key] = j + 1
			case permanentStatus(r.Status):
				cur.fate, cur.status = fateRejected, r.Status
				cursor[key] = j + 1
			default:
				transient++
			}
		}
	}

	exhausted := map[string]int{}
	for _, r := range e.logs.withMsg("retries exhausted") {
		exhausted[r.attrs["dedup_key"]]++
	}
	out := outcome{counts: map[fate]int{}, transient: transient, stats: e.p.Stats()}
	duplicates := 0
	for _, key := range m.keys {
		es := m.entries[key]
		for j, en := range es {
			if en.fate != fateOpen {
				continue
			}
			switch {
			case en.kind == kindAutoResolve && es[j-1].fate != fateSent:
				en.fate = fateNotCreated
			case en.kind == kindTrigger && exhausted[key] > 0:
				exhausted[key]--
				en.fate = fateExhausted
			case en.kind == kindWakeResolve && !resolvable(es, j) && givenUp(es, j):
				en.fate = fateSkipped
			}
		}
		for _, en := range es {
			out.counts[en.fate]++
			duplicates += max(0, en.received-1)
			if en.kind != kindTrigger && en.fate != fateNotCreated && en.fate != fateSkipped {
				out.created++
			}
		}
	}
	assert.Equal(t, lostTaken, duplicates,
		"PagerDuty saw an event twice although it answered the first time")
	for key, n := range exhausted {
		assert.Zero(t, n, "a 'retries exhausted' line for %s matches no event", key)
	}
	for _, r := range e.logs.withMsg("resolve not sent") {
		var n int
		_, _ = fmt.Sscan(r.attrs["skipped"], &n)
		out.skippedLog += n
	}
	checkCounters(t, e, out, attemptsUnseen)
	return out
}

// bySeq orders requests by arrival: a timed-out request may be logged after its retry.
func bySeq(reqs []pdreceiver.Request) []pdreceiver.Request {
	sort.Slice(reqs, func(i, j int) bool { return reqs[i].Seq < reqs[j].Seq })
	return reqs
}

// givenUp reports whether every trigger since the resolve at es[j]'s previous resolve
// reached a final answer without being accepted.
func givenUp(es []*entry, j int) bool {
	for k := j - 1; k >= 0 && es[k].kind == kindTrigger; k-- {
		if es[k].fate != fateRejected && es[k].fate != fateExhausted {
			return false
		}
	}
	return true
}

// checkCounters compares the plugin's counters and log lines with the walk's outcome.
func checkCounters(t *testing.T, e *faultEnv, out outcome, attemptsUnseen bool) {
	t.Helper()
	st, c := out.stats, out.counts
	assert.EqualValues(t, e.model.dropped, st["dropped_rate_limit"], "dropped_rate_limit")
	assert.EqualValues(t, c[fateSent], st["sent"], "sent")
	assert.EqualValues(t, c[fateRejected]+c[fateExhausted], st["failed"], "failed")
	assert.EqualValues(t, c[fateOpen], st["undelivered_at_unload"], "undelivered_at_unload")
	assert.Zero(t, st["queued"], "queued after unload")
	assert.Zero(t, st["invalid_input"], "invalid_input")
	assert.LessOrEqual(t, out.skippedLog, c[fateSkipped], "resolves logged as skipped")
	lhs := st["sent"] + st["failed"] + st["undelivered_at_unload"] + st["dropped_queue_full"]
	assert.EqualValues(t, int64(e.model.passed+out.created), lhs,
		"sent+failed+undelivered+dropped_queue_full must equal the triggers that passed "+
			"the limiter plus the resolves created: %v", st)

	retries := int64(out.transient - c[fateExhausted])
	if attemptsUnseen {
		assert.GreaterOrEqual(t, st["retried"], retries, "retried")
	} else {
		assert.Equal(t, retries, st["retried"], "retried")
	}

	// Every event accounted for has its own log line.
	assert.Len(t, e.logs.withMsg("event accepted"), c[fateSent], "'event accepted' lines")
	rejected := e.logs.withMsg("event rejected; not retrying")
	assert.Len(t, rejected, c[fateRejected], "'event rejected' lines")
	wantRejected, gotRejected := map[string]int{}, map[string]int{}
	for _, key := range e.model.keys {
		for _, en := range e.model.entries[key] {
			if en.fate == fateRejected {
				wantRejected[fmt.Sprintf("%s %d", key, en.status)]++
			}
		}
	}
	for _, r := range rejected {
		gotRejected[r.attrs["dedup_key"]+" "+r.attrs["status"]]++
	}
	assert.Equal(t, wantRejected, gotRejected, "rejected events by dedup key and status")
	undelivered := e.logs.withMsg("events not delivered before unload")
	if c[fateOpen] > 0 {
		require.Len(t, undelivered, 1)
		assert.Equal(t, fmt.Sprint(c[fateOpen]), undelivered[0].attrs["undelivered"])
	} else {
		assert.Empty(t, undelivered)
	}
	if st["dropped_rate_limit"] > 0 {
		assert.NotEmpty(t, dropLines(e.logs, "rate_limit"), "rate-limit drops not logged")
	}
	if st["dropped_queue_full"] > 0 {
		assert.NotEmpty(t, dropLines(e.logs, "queue_full"), "queue-full drops not logged")
	}
	failing := len(e.logs.withMsg("delivery failing"))
	recovered := len(e.logs.withMsg("delivery recovered"))
	if out.transient > 0 {
		assert.GreaterOrEqual(t, failing, 1, "an outage without its warning")
	}
	assert.Contains(t, []int{recovered, recovered + 1}, failing,
		"every outage but the last closes with a recovery line")
	for _, r := range e.logs.atLeast(slog.LevelError) {
		assert.Contains(t, []string{"pagerduty: event rejected; not retrying",
			"pagerduty: event not delivered; retries exhausted",
			"pagerduty: events not delivered before unload"}, r.msg, "unexpected error line")
	}
	assert.EqualValues(t, expectedOpen(e.model), st["open_incidents"], "open_incidents")
}

// dropLines returns the warnings that a drop episode for reason started.
func dropLines(logs *logCapture, reason string) []logRecord {
	var out []logRecord
	for _, r := range logs.withMsg("dropping events") {
		if r.attrs["reason"] == reason {
			out = append(out, r)
		}
	}
	return out
}

// expectedOpen counts the hibernation incidents the plugin should still remember: open
// in the model, unless every trigger since their last resolve was given up.
func expectedOpen(m *streamModel) int {
	n := 0
	for key, open := range m.open {
		if !open {
			continue
		}
		es := m.entries[key]
		if !givenUp(es, len(es)) {
			n++
		}
	}
	return n
}

// requireAllDelivered asserts that PagerDuty recovered in time for everything: every
// expected event was accepted except those answered permanently, and their resolves.
func requireAllDelivered(t *testing.T, out outcome) {
	t.Helper()
	assert.Zero(t, out.counts[fateOpen], "events never delivered")
	assert.Zero(t, out.counts[fateExhausted], "events given up after retries")
	if out.counts[fateRejected] == 0 {
		assert.Zero(t, out.counts[fateSkipped]+out.counts[fateNotCreated],
			"resolves left out although every trigger was accepted")
	}
}

// ---- the cases ----

// faultCase is one way PagerDuty misbehaves while a stream of events goes out.
type faultCase struct {
	name   string
	mode   serveMode
	lostN  int
	tweak  func(*options)
	config []any
	// arrange scripts the fault before the stream starts.
	arrange func(e *faultEnv)
	// during runs after each hook call of the stream.
	during func(e *faultEnv, i int)
	// outage means PagerDuty never recovers: events are left for the unload to count.
	outage bool
	// attemptsUnseen means some attempts never reach a stand-in (connection refused).
	attemptsUnseen bool
	// check asserts what is particular to the case.
	check func(t *testing.T, e *faultEnv, out outcome)
}

// script queues faults on the current stand-in.
func script(faults ...pdreceiver.Fault) func(e *faultEnv) {
	return func(e *faultEnv) { require.NoError(e.t, e.srv.Script(faults...)) }
}

// repeat returns n copies of f.
func repeat(n int, f ...pdreceiver.Fault) []pdreceiver.Fault {
	var out []pdreceiver.Fault
	for i := 0; i < n; i++ {
		out = append(out, f...)
	}
	return out
}

// failingLineMentions asserts that the outage warning names the failure.
func failingLineMentions(want ...string) func(t *testing.T, e *faultEnv, out outcome) {
	return func(t *testing.T, e *faultEnv, out outcome) {
		lines := e.logs.withMsg("delivery failing")
		require.NotEmpty(t, lines)
		found := false
		for _, w := range want {
			found = found || strings.Contains(lines[0].attrs["error"], w)
		}
		assert.True(t, found, "the outage warning %q names none of %q",
			lines[0].attrs["error"], want)
	}
}

// pdRejection is the body PagerDuty answers a 400 with.
const pdRejection = `{"status":"invalid event","message":"Event object is invalid",` +
	`"errors":["'payload.summary' is missing or blank"]}`

// faultCases lists every fault the plugin must weather. The stream is the same for all.
func faultCases() []faultCase {
	return []faultCase{
		{name: "5xx burst", arrange: script(repeat(3, pdreceiver.Respond(500, ""),
			pdreceiver.Respond(502, ""), pdreceiver.Respond(503, ""),
			pdreceiver.Respond(504, ""))...),
			check: func(t *testing.T, e *faultEnv, out outcome) {
				assert.Equal(t, 12, out.transient)
				failingLineMentions("HTTP 50")(t, e, out)
			}},
		{name: "5xx burst with autoResolve", config: []any{"autoResolve", true},
			arrange: script(repeat(4, pdreceiver.Respond(503, `{"status":"unavailable"}`),
				pdreceiver.Respond(500, ""))...),
			check: func(t *testing.T, e *faultEnv, out outcome) {
				assert.Equal(t, 8, out.transient)
				assert.Positive(t, e.model.passed)
				assert.Equal(t, e.model.passed, out.created, "one resolve per trigger")
			}},
		{name: "429 without Retry-After",
			arrange: script(repeat(6, pdreceiver.Throttle(""))...),
			check:   failingLineMentions("HTTP 429")},
		{name: "429 with Retry-After", arrange: script(pdreceiver.Throttle("1")),
			check: checkRetryAfterWaited},
		{name: "connection refused, then back on the same port", mode: serveRefused,
			attemptsUnseen: true,
			during: func(e *faultEnv, i int) {
				if i == 20 {
					// Let the refused attempts pile up, then come back on the address.
					e.h().waitStat("retried", 20)
					e.startReceiver(e.addr)
				}
			},
			check: func(t *testing.T, e *faultEnv, out outcome) {
				failingLineMentions("connection refused")(t, e, out)
				// An attempt refused before the restart may finish after another's
				// success and open a short outage of its own.
				assert.NotEmpty(t, e.logs.withMsg("delivery recovered"))
			}},
		{name: "connection reset mid-request",
			arrange: script(repeat(6, pdreceiver.HangUp())...),
			check:   failingLineMentions("EOF", "connection reset")},
		{name: "stall past the client timeout",
			tweak:   func(o *options) { o.requestTimeout = 150 * time.Millisecond },
			arrange: script(repeat(4, pdreceiver.Stall(nil))...),
			check: func(t *testing.T, e *faultEnv, out outcome) {
				assert.Equal(t, 4, out.transient)
				failingLineMentions("request timeout")(t, e, out)
			}},
		{name: "202 with malformed or enormous body",
			arrange: script(pdreceiver.Malformed(), pdreceiver.HugeBody(0),
				pdreceiver.Malformed(), pdreceiver.HugeBody(0)),
			check: func(t *testing.T, e *faultEnv, out outcome) {
				assert.Zero(t, out.transient, "a 202 is success whatever its body")
				assert.Empty(t, e.logs.withMsg("delivery failing"))
			}},
		{name: "307 redirect to another host", config: []any{"autoResolve", true},
			arrange: func(e *faultEnv) {
				script(repeat(3, pdreceiver.Redirect(e.trap.URL()))...)(e)
			},
			check: func(t *testing.T, e *faultEnv, out outcome) {
				assert.Equal(t, 3, out.counts[fateRejected])
				for _, r := range e.logs.withMsg("event rejected") {
					assert.Equal(t, "307", r.attrs["status"])
					assert.Contains(t, r.attrs["error"], "redirect not followed")
				}
			}},
		{name: "400 for some events",
			arrange: script(pdreceiver.Respond(400, pdRejection),
				pdreceiver.Respond(503, ""), pdreceiver.Respond(400, pdRejection)),
			check: func(t *testing.T, e *faultEnv, out outcome) {
				assert.Equal(t, 2, out.counts[fateRejected])
				for _, r := range e.logs.withMsg("event rejected") {
					assert.Contains(t, r.attrs["errors"], "'payload.summary' is missing")
				}
			}},
		{name: "answer lost after PagerDuty accepted", mode: serveLossy, lostN: 5,
			check: func(t *testing.T, e *faultEnv, out outcome) {
				assert.Equal(t, 5, out.transient)
				dups := 0
				for _, key := range e.model.keys {
					for _, en := range e.model.entries[key] {
						dups += en.received - 1
					}
				}
				assert.Equal(t, 5, dups, "each lost answer means one duplicate, same key")
			}},
		{name: "rate limited during a 5xx burst", config: []any{"rateLimit", 15},
			arrange: script(repeat(5, pdreceiver.Respond(503, ""))...),
			check: func(t *testing.T, e *faultEnv, out outcome) {
				assert.Equal(t, 15, e.model.passed)
				assert.Positive(t, e.model.dropped)
			}},
		{name: "unload during an outage", outage: true,
			tweak: func(o *options) {
				o.unloadDeadline = 300 * time.Millisecond
				o.retry.initial, o.retry.max, o.retry.maxElapsed = time.Minute, time.Minute,
					time.Hour
			},
			arrange: func(e *faultEnv) {
				require.NoError(e.t, e.srv.SetAlways(pdreceiver.Respond(503, "")))
			},
			check: checkUnloadDuringOutage},
	}
}

// checkRetryAfterWaited asserts that the throttled event waited out Retry-After, far
// longer than the millisecond backoff could explain.
func checkRetryAfterWaited(t *testing.T, e *faultEnv, out outcome) {
	// The fault answers whichever request reaches it first, not always the first to
	// arrive.
	reqs := bySeq(e.srv.Requests())
	i := slices.IndexFunc(reqs, func(r pdreceiver.Request) bool {
		return r.Status == http.StatusTooManyRequests
	})
	require.GreaterOrEqual(t, i, 0, "nothing was throttled")
	for _, r := range reqs[i+1:] {
		if bytes.Equal(r.Body, reqs[i].Body) {
			assert.GreaterOrEqual(t, r.Time.Sub(reqs[i].Time), 900*time.Millisecond)
			return
		}
	}
	t.Fatal("the throttled event was never retried")
}

// checkUnloadDuringOutage asserts that unload gave up on time and said how much it left.
func checkUnloadDuringOutage(t *testing.T, e *faultEnv, out outcome) {
	assert.Less(t, e.unload, 300*time.Millisecond+hangBound/4,
		"unload overran its deadline")
	assert.Positive(t, out.counts[fateOpen])
	require.NotEmpty(t, e.errs)
	last := e.errs[len(e.errs)-1]
	assert.Contains(t, last.Error(), fmt.Sprintf("%d events not delivered",
		out.counts[fateOpen]))
	assert.Zero(t, out.stats["sent"])
}

// runFaultCase runs fc's stream against a fresh plugin with routing key key and returns
// the environment after unload, with every invariant checked.
func runFaultCase(t *testing.T, fc faultCase, key string) *faultEnv {
	e := newFaultEnv(t, key, fc.mode, fc.lostN, fc.tweak, fc.config...)
	if fc.arrange != nil {
		fc.arrange(e)
	}
	var during func(int)
	if fc.during != nil {
		during = func(i int) { fc.during(e, i) }
	}
	e.run(realisticStream(48), during)
	err := e.finish()
	if !fc.outage {
		require.NoError(t, err, "unload")
		require.Empty(t, e.errs, "hooks and unload returned errors")
	}
	out := checkFaultInvariants(t, e, fc.attemptsUnseen)
	if !fc.outage {
		requireAllDelivered(t, out)
	}
	if fc.check != nil {
		fc.check(t, e, out)
	}
	return e
}

func TestFaultsEveryEventArrivesOnceAndInOrder(t *testing.T) {
	for _, fc := range faultCases() {
		t.Run(fc.name, func(t *testing.T) {
			t.Parallel()
			e := runFaultCase(t, fc, testKey)
			assert.NotContains(t, e.logs.all(), testKey)
		})
	}
}

// ---- head-of-line blocking ----

func TestFaultsBackoffDoesNotHoldBackOtherKeys(t *testing.T) {
	e := newFaultEnv(t, testKey, serveNormal, 0, func(o *options) {
		o.retry.initial, o.retry.max, o.retry.maxElapsed = time.Minute, time.Minute, time.Hour
		o.unloadDeadline = 200 * time.Millisecond
	})
	require.NoError(t, e.srv.Script(pdreceiver.Respond(503, "")))
	e.run(sessionSteps("stuck", 1), nil)
	e.h().waitStat("retried", 1) // stuck-0 now waits a minute before its next attempt

	e.run(sessionSteps("free", 20), nil)
	e.h().waitFor("other keys, held back by one key in backoff",
		func(s pdreceiver.Snapshot) bool { return s.Accepted == 20 })

	require.Error(t, e.finish())
	out := checkFaultInvariants(t, e, false)
	assert.Equal(t, 20, out.counts[fateSent])
	assert.Equal(t, 1, out.counts[fateOpen], "only the key in backoff is left")
	lines := e.logs.withMsg("events not delivered before unload")
	require.Len(t, lines, 1)
	assert.Contains(t, lines[0].attrs["dedup_keys"], "streamspace/session.hibernated/stuck-0")
}

func TestFaultsBusyWorkersHoldAnotherKeyForOneAttemptAtMost(t *testing.T) {
	// Every worker is held by a stalled request. README: another key's event then waits
	// at most for one of them to finish its current attempt, which the request timeout
	// bounds. The stalled keys back off after their timeout, so the next request the
	// stand-in sees must be the waiting key's, ahead of any retry.
	e := newFaultEnv(t, testKey, serveNormal, 0, func(o *options) {
		o.requestTimeout = 300 * time.Millisecond
		o.retry.initial, o.retry.max = 500*time.Millisecond, 500*time.Millisecond
	})
	require.NoError(t, e.srv.Script(repeat(deliveryWorkers, pdreceiver.Stall(nil))...))
	e.run(sessionSteps("held", deliveryWorkers), nil)
	e.h().waitFor("every worker held", func(s pdreceiver.Snapshot) bool {
		return s.Stalled == deliveryWorkers
	})
	e.run(sessionSteps("waiting", 1), nil)
	require.NoError(t, e.finish())

	out := checkFaultInvariants(t, e, false)
	requireAllDelivered(t, out)
	var order []string
	for _, r := range bySeq(e.srv.Requests()) {
		order = append(order, fmt.Sprintf("%s/%d", strings.TrimPrefix(r.Event.DedupKey,
			"streamspace/session.hibernated/"), r.Status))
	}
	require.Len(t, order, 2*deliveryWorkers+1)
	assert.Equal(t, "waiting-0/202", order[deliveryWorkers],
		"the waiting key went out right after the first attempts timed out: %v", order)
}

// ---- a long outage with a full queue ----

// shiftClock is the real clock moved forward by a settable offset, so that a test can
// refill the hourly budget at once while retries keep their real pace.
type shiftClock struct{ offset atomic.Int64 }

// now is the clock's reading: the real time plus the offset.
func (c *shiftClock) now() time.Time {
	return time.Now().Add(time.Duration(c.offset.Load()))
}

// heapInUse returns the heap in use after a full collection.
func heapInUse() uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapInuse
}

func TestFaultsFullQueueDuringOutageStaysBounded(t *testing.T) {
	srv, err := pdreceiver.Start("", pdreceiver.WithLogBodyLimit(0))
	require.NoError(t, err)
	defer srv.Close()
	require.NoError(t, srv.SetAlways(pdreceiver.Respond(503, "")))
	require.NoError(t, srv.SetLatency(10*time.Millisecond))

	clock := &shiftClock{}
	o := defaultOptions()
	o.now = clock.now
	o.unloadDeadline = 300 * time.Millisecond
	// The retry window outlasts the test: PagerDuty stays down for all of it.
	o.retry = retryPolicy{initial: 20 * time.Millisecond, max: 100 * time.Millisecond,
		maxAttempts: 1 << 30, maxElapsed: 1000 * time.Hour, jitter: func() float64 { return 0 }}
	logger, logs := newCaptureLogger(slog.LevelInfo)
	p := &PagerDutyPlugin{}
	require.NoError(t, p.load(withKey("eventsURL", srv.URL(), "rateLimit", maxRateLimit),
		logger, o))
	defer p.OnUnload()

	base := heapInUse()
	const extra = 50
	// Each event carries 64 KB of text that the plugin must not keep: only the cut,
	// encoded event stays queued.
	filler := strings.Repeat("x", 64<<10)
	var refused int
	for i := 0; i < queueCapacity+extra; i++ {
		if i > 0 && i%maxRateLimit == 0 {
			clock.offset.Add(int64(time.Hour)) // a new hour's budget
		}
		err := p.OnSessionHibernated(map[string]any{"id": fmt.Sprintf("s-%d", i),
			"user": fmt.Sprintf("%06d", i) + filler, "template": "firefox"})
		if i < queueCapacity {
			require.NoError(t, err, "event %d of a queue with room", i)
		} else {
			require.ErrorIs(t, err, errQueueFull)
			refused++
		}
		require.LessOrEqual(t, p.Stats()["queued"], int64(queueCapacity))
	}
	st := p.Stats()
	assert.EqualValues(t, queueCapacity, st["queued"])
	assert.EqualValues(t, extra, st["dropped_queue_full"])
	assert.Zero(t, st["dropped_rate_limit"])
	full := heapInUse()

	// PagerDuty stays down while hundreds more attempts fail; memory must not grow.
	before := srv.Snapshot().Requests
	(&harness{t: t, srv: srv}).waitFor("200 more attempts", func(s pdreceiver.Snapshot) bool {
		return s.Requests >= before+200
	})
	later := heapInUse()
	require.LessOrEqual(t, p.Stats()["queued"], int64(queueCapacity))

	const mb = 1 << 20
	t.Logf("heap in use: %d MB loaded, %d MB with a full queue, %d MB after 200 more "+
		"failed attempts", base/mb, full/mb, later/mb)
	assert.Less(t, int64(full)-int64(base), int64(32*mb),
		"a full queue of events should take a few MB, not keep the 64 KB inputs")
	assert.Less(t, int64(later)-int64(full), int64(8*mb), "failed attempts leak memory")

	start := time.Now()
	err = p.OnUnload()
	assert.Less(t, time.Since(start), o.unloadDeadline+hangBound/4)
	require.Error(t, err)
	assert.Contains(t, err.Error(), fmt.Sprintf("%d events not delivered", queueCapacity))
	st = p.Stats()
	assert.EqualValues(t, queueCapacity, st["undelivered_at_unload"])
	assert.EqualValues(t, queueCapacity+extra,
		st["sent"]+st["failed"]+st["undelivered_at_unload"]+st["dropped_queue_full"])
	assert.Equal(t, extra, refused)
	assert.Len(t, dropLines(logs, "queue_full"), 1, "one warning for the drop episode")
	lines := logs.withMsg("events not delivered before unload")
	require.Len(t, lines, 1)
	assert.Equal(t, fmt.Sprint(queueCapacity), lines[0].attrs["undelivered"])
	assert.Contains(t, lines[0].attrs["last_error"], "HTTP 503")
	assert.NotContains(t, logs.all(), testKey)
}

// ---- a repeated hibernation whose second trigger is given up ----

func TestFaultsWakeResolvesIncidentOfAnEarlierAcceptedTrigger(t *testing.T) {
	// The session hibernates twice (the host repeats the event). PagerDuty accepts the
	// first trigger, so an incident is open, and refuses the second. The wake must still
	// resolve that incident, whether its resolve was queued behind the refused trigger or
	// arrived after it was given up.
	steps := []step{{EventSessionHibernated, "s-1", "m-0"},
		{EventSessionHibernated, "s-1", "m-1"}, {EventSessionWoken, "s-1", "m-2"}}
	cases := []struct {
		name string
		// refuse answers the second trigger; the wake is sent while it is held.
		refuse []pdreceiver.Fault
		held   bool
	}{
		{"wake after the trigger was refused", []pdreceiver.Fault{
			pdreceiver.Respond(400, pdRejection)}, false},
		{"wake queued behind the trigger", []pdreceiver.Fault{pdreceiver.Stall(nil),
			pdreceiver.Respond(400, pdRejection)}, true},
		{"wake after the trigger ran out of retries", repeat(5, pdreceiver.Respond(503, "")),
			false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newFaultEnv(t, testKey, serveNormal, 0, func(o *options) {
				o.requestTimeout, o.retry.maxAttempts = 200*time.Millisecond, 5
			})
			e.run(steps[:1], nil)
			e.h().waitFor("the first trigger", func(s pdreceiver.Snapshot) bool {
				return s.Accepted == 1
			})
			require.NoError(t, e.srv.Script(tc.refuse...))
			e.run(steps[1:2], nil)
			if tc.held {
				e.h().waitFor("the held trigger", func(s pdreceiver.Snapshot) bool {
					return s.Stalled == 1
				})
			} else {
				e.h().waitStat("failed", 1)
			}
			e.run(steps[2:], nil)
			require.NoError(t, e.finish())

			out := checkFaultInvariants(t, e, false)
			assert.Equal(t, 1, out.counts[fateRejected]+out.counts[fateExhausted])
			inc, ok := e.srv.Incident(modelKey(EventSessionHibernated, "s-1"))
			require.True(t, ok)
			assert.Equal(t, pdreceiver.StatusResolved, inc.Status,
				"the incident the first trigger opened was left open")
			assert.Zero(t, out.stats["open_incidents"])
		})
	}
}

// gateHandler holds the first record whose message contains msg until release is
// closed, closing entered when it starts to wait. The dispatcher logs a rejection under
// its lock, so holding that line holds the dispatcher just before it gives the event up.
type gateHandler struct {
	slog.Handler
	msg              string
	entered, release chan struct{}
	once             *sync.Once
}

func (h gateHandler) Handle(ctx context.Context, r slog.Record) error {
	if strings.Contains(r.Message, h.msg) {
		h.once.Do(func() {
			close(h.entered)
			<-h.release
		})
	}
	return h.Handler.Handle(ctx, r)
}

func (h gateHandler) WithAttrs(as []slog.Attr) slog.Handler {
	h.Handler = h.Handler.WithAttrs(as)
	return h
}

func (h gateHandler) WithGroup(name string) slog.Handler {
	h.Handler = h.Handler.WithGroup(name)
	return h
}

// waitBlockedIn waits until some goroutine is parked on a mutex inside fn.
func waitBlockedIn(t *testing.T, fn string) {
	t.Helper()
	deadline := time.Now().Add(hangBound)
	buf := make([]byte, 1<<20)
	for {
		stacks := string(buf[:runtime.Stack(buf, true)])
		for _, g := range strings.Split(stacks, "\n\n") {
			if strings.Contains(g, fn) && strings.Contains(g, "Mutex).Lock") {
				return
			}
		}
		require.True(t, time.Now().Before(deadline), "no goroutine blocked in %s", fn)
		runtime.Gosched()
	}
}

func TestFaultsHibernationRacingARefusedTriggerIsRemembered(t *testing.T) {
	// A session hibernates again just as PagerDuty refuses its previous trigger. The new
	// hibernation's hook is held on the dispatcher while the refusal is being handled;
	// its incident must still be remembered, and resolved when the session wakes.
	srv, err := pdreceiver.Start("")
	require.NoError(t, err)
	defer srv.Close()
	require.NoError(t, srv.Script(pdreceiver.Respond(400, pdRejection)))
	inner, logs := newCaptureLogger(slog.LevelDebug)
	gate := gateHandler{Handler: inner.Handler(), msg: "event rejected",
		entered: make(chan struct{}), release: make(chan struct{}), once: &sync.Once{}}
	o := defaultOptions()
	o.retry = fastFaultRetry()
	p := &PagerDutyPlugin{}
	require.NoError(t, p.load(withKey("eventsURL", srv.URL()), slog.New(gate), o))
	defer p.OnUnload()
	h := &harness{t: t, p: p, srv: srv}

	require.NoError(t, p.OnSessionHibernated(session("s-1")))
	select {
	case <-gate.entered:
	case <-time.After(hangBound):
		t.Fatal("the refusal was never logged")
	}
	again := make(chan error, 1)
	go func() { again <- p.OnSessionHibernated(session("s-1")) }()
	waitBlockedIn(t, "(*dispatcher).enqueue")
	close(gate.release)
	require.NoError(t, <-again)
	h.waitStat("sent", 1)
	assert.EqualValues(t, 1, p.Stats()["open_incidents"], "the new incident was forgotten")

	require.NoError(t, p.OnSessionWoken(session("s-1")))
	require.NoError(t, p.OnUnload())
	inc, ok := srv.Incident(modelKey(EventSessionHibernated, "s-1"))
	require.True(t, ok)
	assert.Equal(t, pdreceiver.StatusResolved, inc.Status)
	assert.Len(t, logs.withMsg("event rejected"), 1)
}
