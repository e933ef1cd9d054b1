package main

import (
	"context"
	"encoding/json"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/streamspace/streamspace-pagerduty/pdreceiver"
)

// hangBound only catches hangs; no test expects to come near it.
const hangBound = 20 * time.Second

// fastRetry retries within milliseconds so that fault tests run quickly.
func fastRetry() retryPolicy {
	return retryPolicy{initial: time.Millisecond, max: 10 * time.Millisecond,
		maxAttempts: 6, maxElapsed: 10 * time.Second, jitter: func() float64 { return 0 }}
}

// harness is a loaded plugin wired to a strict receiver, with its log captured.
type harness struct {
	t    *testing.T
	p    *PagerDutyPlugin
	srv  *pdreceiver.Server
	logs *syncBuffer
}

// newHarness starts a receiver and loads a fresh plugin that sends to it. kv are extra
// config entries; tweak may change the options.
func newHarness(t *testing.T, tweak func(*options), kv ...any) *harness {
	t.Helper()
	srv, err := pdreceiver.Start("")
	require.NoError(t, err)
	t.Cleanup(func() { srv.Close() })

	o := defaultOptions()
	o.retry = fastRetry()
	o.unloadDeadline = 5 * time.Second
	if tweak != nil {
		tweak(&o)
	}
	logger, logs := newTestLogger()
	p := &PagerDutyPlugin{}
	cfg := withKey(append([]any{"eventsURL", srv.URL()}, kv...)...)
	require.NoError(t, p.load(cfg, logger, o))
	h := &harness{t: t, p: p, srv: srv, logs: logs}
	t.Cleanup(func() {
		_ = p.OnUnload()
		assert.NotContains(t, logs.String(), testKey, "the routing key leaked into the log")
	})
	return h
}

// waitFor waits until cond holds for the receiver's state.
func (h *harness) waitFor(what string, cond func(pdreceiver.Snapshot) bool) {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), hangBound)
	defer cancel()
	require.NoError(h.t, h.srv.WaitFor(ctx, cond), "waiting for %s", what)
}

// waitAccepted waits until the receiver accepted n events.
func (h *harness) waitAccepted(n int) {
	h.t.Helper()
	h.waitFor(fmt.Sprintf("%d accepted events", n),
		func(s pdreceiver.Snapshot) bool { return s.Accepted >= n })
}

// waitStat waits until the plugin's counter name reaches n.
func (h *harness) waitStat(name string, n int64) {
	h.t.Helper()
	deadline := time.Now().Add(hangBound)
	for h.p.Stats()[name] < n {
		require.True(h.t, time.Now().Before(deadline), "waiting for %s=%d: %v", name, n,
			h.p.Stats())
		ch := h.srv.Changed()
		select {
		case <-ch:
		case <-time.After(10 * time.Millisecond): // counters change after the answer
		}
	}
}

// session returns a StreamSpace-style session map.
func session(id string) map[string]any {
	return map[string]any{"id": id, "user": "john@example.com", "template": "firefox",
		"resources": map[string]any{"memory": "2Gi", "cpu": "1000m"}}
}

func TestHooksBeforeLoadAndAfterUnload(t *testing.T) {
	var p PagerDutyPlugin
	for _, err := range []error{p.OnSessionCreated(session("a")),
		p.OnSessionHibernated(session("a")), p.OnUserCreated(map[string]any{"id": "u"})} {
		require.ErrorIs(t, err, errNotLoaded)
	}
	require.NoError(t, p.OnUnload(), "unloading an unloaded plugin does nothing")

	h := newHarness(t, nil)
	require.NoError(t, h.p.OnSessionHibernated(session("a")))
	require.NoError(t, h.p.OnUnload())
	require.ErrorIs(t, h.p.OnSessionHibernated(session("a")), errNotLoaded)
	assert.EqualValues(t, 1, h.p.Stats()["sent"], "stats outlive the unload")
}

func TestSessionHibernatedAlert(t *testing.T) {
	h := newHarness(t, nil)
	before := time.Now().Add(-time.Second)
	require.NoError(t, h.p.OnSessionHibernated(session("john-firefox-abc123")))
	h.waitAccepted(1)

	ev := h.srv.Accepted()[0]
	assert.Equal(t, testKey, string(ev.RoutingKey))
	assert.Equal(t, "trigger", ev.EventAction)
	assert.Equal(t, "streamspace/session.hibernated/john-firefox-abc123", ev.DedupKey)
	pl := ev.Payload
	require.NotNil(t, pl)
	assert.Equal(t, "StreamSpace Session Hibernated: john-firefox-abc123 "+
		"(user john@example.com, template firefox)", pl.Summary)
	assert.Equal(t, "StreamSpace", pl.Source)
	assert.Equal(t, "warning", pl.Severity)
	assert.Equal(t, "sessions", pl.Component)
	assert.Equal(t, "firefox", pl.Group)
	assert.Equal(t, "session.hibernated", pl.Class)
	ts, err := time.Parse(time.RFC3339, pl.Timestamp)
	require.NoError(t, err)
	assert.True(t, ts.After(before), "timestamp %s", pl.Timestamp)

	var details map[string]string
	require.NoError(t, json.Unmarshal(pl.CustomDetails, &details))
	assert.Equal(t, map[string]string{"User": "john@example.com",
		"Session ID": "john-firefox-abc123", "Template": "firefox", "Memory": "2Gi",
		"CPU": "1000m", "Event": "session.hibernated"}, details)
}

func TestEventTypesSeveritiesAndSwitches(t *testing.T) {
	h := newHarness(t, nil,
		"notifyOnSessionCreated", true, "notifyOnUserCreated", true,
		"sessionCreatedSeverity", "error", "sessionHibernatedSeverity", "critical",
		"userCreatedSeverity", "warning")
	require.NoError(t, h.p.OnSessionCreated(session("s-1")))
	require.NoError(t, h.p.OnSessionHibernated(session("s-1")))
	require.NoError(t, h.p.OnUserCreated(map[string]any{"id": "u-7", "username": "ann",
		"email": "ann@example.com", "fullName": "Ann Lee", "tier": "enterprise"}))
	h.waitAccepted(3)

	byClass := map[string]pdreceiver.Event{}
	for _, ev := range h.srv.Accepted() {
		byClass[ev.Payload.Class] = ev
	}
	assert.Equal(t, "error", byClass["session.created"].Payload.Severity)
	assert.True(t, strings.HasPrefix(byClass["session.created"].Payload.Summary,
		"StreamSpace Session Created: s-1"))
	assert.Equal(t, "critical", byClass["session.hibernated"].Payload.Severity)

	user := byClass["user.created"]
	assert.Equal(t, "warning", user.Payload.Severity)
	assert.Equal(t, "StreamSpace User Created: ann (ann@example.com)", user.Payload.Summary)
	assert.Equal(t, "users", user.Payload.Component)
	assert.Equal(t, "enterprise", user.Payload.Group)
	assert.Equal(t, "streamspace/user.created/u-7", user.DedupKey)
	var details map[string]string
	require.NoError(t, json.Unmarshal(user.Payload.CustomDetails, &details))
	assert.Equal(t, map[string]string{"User ID": "u-7", "Username": "ann",
		"Email": "ann@example.com", "Full Name": "Ann Lee", "Tier": "enterprise",
		"Event": "user.created"}, details)
}

func TestDisabledEventsSendNothing(t *testing.T) {
	h := newHarness(t, nil, "notifyOnSessionHibernated", false)
	require.NoError(t, h.p.OnSessionCreated(session("s")))
	require.NoError(t, h.p.OnSessionHibernated(session("s")))
	require.NoError(t, h.p.OnUserCreated(map[string]any{"id": "u"}))
	// A marker event proves delivery works and that nothing went before it.
	require.NoError(t, h.p.OnUnload())
	assert.Zero(t, h.srv.Snapshot().Requests)
	assert.Zero(t, h.p.Stats()["dropped_rate_limit"], "disabled events cost no tokens")
}

func TestIncludeDetailsOff(t *testing.T) {
	h := newHarness(t, nil, "includeDetails", false)
	require.NoError(t, h.p.OnSessionHibernated(session("s")))
	h.waitAccepted(1)
	var details map[string]string
	require.NoError(t, json.Unmarshal(h.srv.Accepted()[0].Payload.CustomDetails, &details))
	assert.NotContains(t, details, "Memory")
	assert.NotContains(t, details, "CPU")
	assert.Equal(t, "john@example.com", details["User"])
}

func TestRepeatHibernationMergesIntoOneIncident(t *testing.T) {
	h := newHarness(t, nil)
	require.NoError(t, h.p.OnSessionHibernated(session("s-1")))
	require.NoError(t, h.p.OnSessionHibernated(&apiSession{ID: "s-1", UserID: "john"}))
	require.NoError(t, h.p.OnSessionHibernated(session("s-2")))
	h.waitAccepted(3)
	incidents := h.srv.Incidents()
	require.Len(t, incidents, 2)
	inc, ok := h.srv.Incident("streamspace/session.hibernated/s-1")
	require.True(t, ok)
	assert.Equal(t, 2, inc.Events)
	assert.Equal(t, pdreceiver.StatusTriggered, inc.Status)
}

func TestAutoResolveFollowsAcceptedTrigger(t *testing.T) {
	h := newHarness(t, nil, "autoResolve", true, "rateLimit", 1)
	require.NoError(t, h.srv.Script(pdreceiver.Respond(503, ""), pdreceiver.Respond(502, "")))
	require.NoError(t, h.p.OnSessionHibernated(session("s-1")))
	h.waitAccepted(2)

	acc := h.srv.Accepted()
	require.Len(t, acc, 2)
	assert.Equal(t, "trigger", acc[0].EventAction)
	assert.Equal(t, "resolve", acc[1].EventAction)
	assert.Equal(t, acc[0].DedupKey, acc[1].DedupKey)
	inc, _ := h.srv.Incident(acc[0].DedupKey)
	assert.Equal(t, pdreceiver.StatusResolved, inc.Status)

	// The resolve took no token: the one token went to the trigger, the next event is
	// dropped, and nothing else was.
	require.NoError(t, h.p.OnSessionHibernated(session("s-2")))
	st := h.p.Stats()
	assert.EqualValues(t, 1, st["dropped_rate_limit"])
	assert.EqualValues(t, 2, st["retried"])
}

func TestAutoResolveNotSentAfterRejectedTrigger(t *testing.T) {
	h := newHarness(t, nil, "autoResolve", true)
	require.NoError(t, h.srv.Script(pdreceiver.Respond(400,
		`{"status":"invalid event","message":"Event object is invalid","errors":["x"]}`)))
	require.NoError(t, h.p.OnSessionHibernated(session("s-1")))
	h.waitStat("failed", 1)
	require.NoError(t, h.p.OnUnload())
	assert.Equal(t, 1, h.srv.Snapshot().Requests, "no resolve after a rejected trigger")
}

func TestRateLimitDropsAndCounts(t *testing.T) {
	h := newHarness(t, nil, "rateLimit", 3)
	for i := 0; i < 10; i++ {
		require.NoError(t, h.p.OnSessionHibernated(session(fmt.Sprintf("s-%d", i))))
	}
	require.NoError(t, h.p.OnUnload())
	assert.Equal(t, 3, h.srv.Snapshot().Accepted)
	st := h.p.Stats()
	assert.EqualValues(t, 3, st["sent"])
	assert.EqualValues(t, 7, st["dropped_rate_limit"])
	assert.Len(t, h.logs.lines(`msg="pagerduty: dropping events"`), 1)
	assert.Len(t, h.logs.lines("event_type=session.hibernated"), 3+1,
		"three accepted lines and one drop warning")
}

func TestBadInputReturnsErrorAndSendsNothing(t *testing.T) {
	h := newHarness(t, nil, "notifyOnUserCreated", true)
	var nilSession *apiSession
	for _, in := range []any{nil, 42, "john-firefox", 3.14, []string{"x"}, nilSession} {
		err := h.p.OnSessionHibernated(in)
		require.Error(t, err, "%#v", in)
		assert.Contains(t, err.Error(), "session must be a map")
	}
	err := h.p.OnUserCreated(7)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "user must be a map")
	require.NoError(t, h.p.OnUnload())
	assert.Zero(t, h.srv.Snapshot().Requests)
	assert.EqualValues(t, 7, h.p.Stats()["invalid_input"])
}

func TestMissingIDFallsBackToRandomKey(t *testing.T) {
	h := newHarness(t, nil)
	require.NoError(t, h.p.OnSessionHibernated(map[string]any{"user": "ann"}))
	require.NoError(t, h.p.OnSessionHibernated(map[string]any{"user": "ann"}))
	h.waitAccepted(2)
	acc := h.srv.Accepted()
	assert.NotEqual(t, acc[0].DedupKey, acc[1].DedupKey)
	assert.True(t, strings.HasPrefix(acc[0].DedupKey, "streamspace/session.hibernated/"))
	assert.Len(t, h.logs.lines("event has no ID"), 2)
	assert.True(t, strings.HasPrefix(acc[0].Payload.Summary,
		"StreamSpace Session Hibernated: unknown session (user ann)"))
}

func TestHostileValuesStayWithinPagerDutyLimits(t *testing.T) {
	h := newHarness(t, nil, "notifyOnUserCreated", true)
	huge := strings.Repeat("ü\xff", 300_000)
	require.NoError(t, h.p.OnSessionHibernated(map[string]any{"id": huge, "user": huge,
		"template": huge, "resources": map[string]any{"memory": huge, "cpu": huge}}))
	require.NoError(t, h.p.OnUserCreated(map[string]any{"id": huge, "fullName": huge,
		"email": huge, "username": huge, "tier": huge}))
	h.waitAccepted(2)
	assert.Zero(t, h.srv.Snapshot().Rejected)
	for _, ev := range h.srv.Accepted() {
		assert.LessOrEqual(t, utf8.RuneCountInString(ev.Payload.Summary), maxSummaryRunes)
		assert.LessOrEqual(t, len(ev.DedupKey), maxDedupKeyLen)
	}
	for _, r := range h.srv.Requests() {
		assert.LessOrEqual(t, r.BodySize, maxEventBytes)
	}
}

func TestPermanentErrorIsNotRetried(t *testing.T) {
	h := newHarness(t, nil)
	body := `{"status":"invalid event","message":"Event object is invalid",` +
		`"errors":["Length of 'routing_key' is incorrect (should be 32 characters)",` +
		`"routing key ` + testKey + ` is unknown"]}`
	require.NoError(t, h.srv.Script(pdreceiver.Respond(400, body)))
	require.NoError(t, h.p.OnSessionHibernated(session("s-1")))
	h.waitStat("failed", 1)
	require.NoError(t, h.p.OnUnload())

	assert.Equal(t, 1, h.srv.Snapshot().Requests)
	assert.Zero(t, h.p.Stats()["retried"])
	lines := h.logs.lines("event rejected; not retrying")
	require.Len(t, lines, 1)
	assert.Contains(t, lines[0], "status=400")
	assert.Contains(t, lines[0], "Length of 'routing_key' is incorrect")
	assert.Contains(t, lines[0], "[routing key]", "an echoed key is scrubbed")
}

func TestTransientErrorsAreRetried(t *testing.T) {
	cases := []struct {
		name   string
		faults []pdreceiver.Fault
	}{
		{"5xx burst", []pdreceiver.Fault{pdreceiver.Respond(500, ""),
			pdreceiver.Respond(502, ""), pdreceiver.Respond(503, ""),
			pdreceiver.Respond(504, "")}},
		{"429 without Retry-After", []pdreceiver.Fault{pdreceiver.Throttle("")}},
		{"connection reset", []pdreceiver.Fault{pdreceiver.HangUp(), pdreceiver.HangUp()}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, nil)
			require.NoError(t, h.srv.Script(tc.faults...))
			require.NoError(t, h.p.OnSessionHibernated(session("s-1")))
			h.waitAccepted(1)
			h.waitStat("sent", 1)
			st := h.p.Stats()
			assert.EqualValues(t, len(tc.faults), st["retried"])
			assert.Zero(t, st["failed"])
			assert.Len(t, h.logs.lines("delivery failing; retrying"), 1)
			assert.Len(t, h.logs.lines("delivery recovered"), 1)
		})
	}
}

func TestRetryAfterIsHonoured(t *testing.T) {
	h := newHarness(t, nil)
	require.NoError(t, h.srv.Script(pdreceiver.Throttle("1")))
	require.NoError(t, h.p.OnSessionHibernated(session("s-1")))
	h.waitAccepted(1)
	reqs := h.srv.Requests()
	require.Len(t, reqs, 2)
	assert.GreaterOrEqual(t, reqs[1].Time.Sub(reqs[0].Time), 900*time.Millisecond,
		"the retry waited for Retry-After, not the 1 ms backoff")
}

func TestRetriesExhausted(t *testing.T) {
	h := newHarness(t, nil)
	require.NoError(t, h.srv.SetAlways(pdreceiver.Respond(503, "")))
	require.NoError(t, h.p.OnSessionHibernated(session("s-1")))
	h.waitStat("failed", 1)
	assert.Equal(t, fastRetry().maxAttempts, h.srv.Snapshot().Requests)
	lines := h.logs.lines("retries exhausted")
	require.Len(t, lines, 1)
	assert.Contains(t, lines[0], "dedup_key=streamspace/session.hibernated/s-1")
	assert.Contains(t, lines[0], "attempts=6")
	assert.Len(t, h.logs.lines("delivery failing"), 1, "one warning for the whole outage")
}

func TestRedirectIsNeverFollowed(t *testing.T) {
	elsewhere, err := pdreceiver.Start("")
	require.NoError(t, err)
	defer elsewhere.Close()

	h := newHarness(t, nil)
	require.NoError(t, h.srv.Script(pdreceiver.Redirect(elsewhere.URL())))
	require.NoError(t, h.p.OnSessionHibernated(session("s-1")))
	h.waitStat("failed", 1)
	require.NoError(t, h.p.OnUnload())
	assert.Zero(t, elsewhere.Snapshot().Requests, "the routing key went to another host")
	assert.Equal(t, 1, h.srv.Snapshot().Requests)
	lines := h.logs.lines("event rejected; not retrying")
	require.Len(t, lines, 1)
	assert.Contains(t, lines[0], "status=307")
	assert.Contains(t, lines[0], "redirect not followed")
}

func TestMalformedOrHugeAnswerStillCountsAsAccepted(t *testing.T) {
	h := newHarness(t, nil)
	require.NoError(t, h.srv.Script(pdreceiver.Malformed(), pdreceiver.HugeBody(0)))
	require.NoError(t, h.p.OnSessionHibernated(session("s-1")))
	require.NoError(t, h.p.OnSessionHibernated(session("s-2")))
	h.waitStat("sent", 2)
	assert.Zero(t, h.p.Stats()["retried"])
}

func TestOrderPerKeyAndNoHeadOfLineBlocking(t *testing.T) {
	h := newHarness(t, nil, "autoResolve", true)
	release := make(chan struct{})
	require.NoError(t, h.srv.Script(pdreceiver.Stall(release)))
	require.NoError(t, h.p.OnSessionHibernated(session("stuck")))
	h.waitFor("the stall", func(s pdreceiver.Snapshot) bool { return s.Stalled == 1 })

	// Other keys flow while "stuck" waits.
	for i := 0; i < 5; i++ {
		require.NoError(t, h.p.OnSessionHibernated(session(fmt.Sprintf("free-%d", i))))
	}
	h.waitAccepted(10)
	for _, ev := range h.srv.Accepted() {
		assert.NotContains(t, ev.DedupKey, "stuck")
	}
	close(release)
	h.waitAccepted(12)

	// Per key, every trigger precedes its resolve.
	seen := map[string]string{}
	for _, ev := range h.srv.Accepted() {
		if ev.EventAction == "resolve" {
			assert.Equal(t, "trigger", seen[ev.DedupKey], "resolve before trigger: %s",
				ev.DedupKey)
		}
		seen[ev.DedupKey] = ev.EventAction
	}
}

func TestHooksDoNotWaitOnTheNetwork(t *testing.T) {
	h := newHarness(t, func(o *options) { o.unloadDeadline = 100 * time.Millisecond },
		"rateLimit", 200)
	require.NoError(t, h.srv.SetAlways(pdreceiver.Stall(nil)))
	start := time.Now()
	for i := 0; i < 200; i++ {
		require.NoError(t, h.p.OnSessionHibernated(session(fmt.Sprintf("s-%d", i))))
	}
	assert.Less(t, time.Since(start), hangBound/2, "hooks blocked on a stalled PagerDuty")
	assert.EqualValues(t, 200, h.p.Stats()["queued"], "a burst within the limit is all queued")
	h.srv.Close()
}

func TestUnloadDeliversQueuedEvents(t *testing.T) {
	h := newHarness(t, nil, "rateLimit", 100)
	for i := 0; i < 100; i++ {
		require.NoError(t, h.p.OnSessionHibernated(session(fmt.Sprintf("s-%d", i))))
	}
	require.NoError(t, h.p.OnUnload())
	assert.Equal(t, 100, h.srv.Snapshot().Accepted)
	st := h.p.Stats()
	assert.EqualValues(t, 100, st["sent"])
	assert.Zero(t, st["queued"])
	unload := h.logs.lines("plugin unloaded")
	require.Len(t, unload, 1)
	assert.Contains(t, unload[0], "sent=100")
}

func TestUnloadDuringOutageReportsUndelivered(t *testing.T) {
	h := newHarness(t, func(o *options) {
		o.unloadDeadline = 300 * time.Millisecond
		o.retry.initial, o.retry.max, o.retry.maxElapsed = time.Minute, time.Minute, time.Hour
	})
	require.NoError(t, h.srv.SetAlways(pdreceiver.Respond(503, "")))
	for i := 0; i < 5; i++ {
		require.NoError(t, h.p.OnSessionHibernated(session(fmt.Sprintf("s-%d", i))))
	}
	h.waitStat("retried", 5)
	start := time.Now()
	err := h.p.OnUnload()
	require.Error(t, err)
	assert.Less(t, time.Since(start), hangBound/2)
	assert.Contains(t, err.Error(), "5 events not delivered")
	assert.EqualValues(t, 5, h.p.Stats()["undelivered_at_unload"])
	assert.Zero(t, h.p.Stats()["queued"])
	lines := h.logs.lines("events not delivered before unload")
	require.Len(t, lines, 1)
	assert.Contains(t, lines[0], "undelivered=5")
	assert.Contains(t, lines[0], "HTTP 503")
}

func TestUnloadCutsStalledRequestShort(t *testing.T) {
	h := newHarness(t, func(o *options) { o.unloadDeadline = 200 * time.Millisecond })
	require.NoError(t, h.srv.SetAlways(pdreceiver.Stall(nil)))
	require.NoError(t, h.p.OnSessionHibernated(session("s-1")))
	h.waitFor("the stall", func(s pdreceiver.Snapshot) bool { return s.Stalled == 1 })
	err := h.p.OnUnload()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "1 events not delivered")
}

func TestReloadAndFailedLoad(t *testing.T) {
	h := newHarness(t, nil)
	require.Error(t, h.p.OnLoad(withKey(), nil), "loading twice is refused")
	require.NoError(t, h.p.OnUnload())

	err := h.p.OnLoad(withKey("rateLimit", 500.0), nil)
	require.ErrorContains(t, err, "rateLimit")
	require.ErrorIs(t, h.p.OnSessionHibernated(session("x")), errNotLoaded)

	logger, _ := newTestLogger()
	o := defaultOptions()
	o.retry = fastRetry()
	require.NoError(t, h.p.load(withKey("eventsURL", h.srv.URL()), logger, o))
	require.NoError(t, h.p.OnSessionHibernated(session("after-reload")))
	require.NoError(t, h.p.OnUnload())
	assert.Equal(t, 1, h.srv.Snapshot().Accepted)
}

func TestUnknownConfigKeyIsWarned(t *testing.T) {
	h := newHarness(t, nil, "rateLimt", 10.0)
	lines := h.logs.lines("ignoring unknown config key")
	require.Len(t, lines, 1)
	assert.Contains(t, lines[0], "key=rateLimt")
	assert.Contains(t, lines[0], "did_you_mean=rateLimit")
}

func TestConcurrentHooksAcrossLoadAndUnload(t *testing.T) {
	srv, err := pdreceiver.Start("")
	require.NoError(t, err)
	defer srv.Close()
	var p PagerDutyPlugin
	logger, logs := newTestLogger()
	o := defaultOptions()
	o.retry = fastRetry()

	stop := make(chan struct{})
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				err := p.OnSessionHibernated(session(fmt.Sprintf("g%d-%d", g, i%20)))
				if err != nil && err != errNotLoaded {
					t.Errorf("hook: %v", err)
					return
				}
				_ = p.Stats()
			}
		}(g)
	}
	for cycle := 0; cycle < 5; cycle++ {
		require.NoError(t, p.load(withKey("eventsURL", srv.URL(), "rateLimit", 200), logger, o))
		require.NoError(t, p.OnUnload())
	}
	close(stop)
	wg.Wait()
	assert.NotContains(t, logs.String(), testKey)
}

func TestStalledRequestTimesOutAndIsRetried(t *testing.T) {
	h := newHarness(t, func(o *options) { o.requestTimeout = 200 * time.Millisecond })
	require.NoError(t, h.srv.Script(pdreceiver.Stall(nil)))
	require.NoError(t, h.p.OnSessionHibernated(session("s-1")))
	h.waitAccepted(1)
	h.waitStat("sent", 1)
	assert.EqualValues(t, 1, h.p.Stats()["retried"])
	lines := h.logs.lines("delivery failing; retrying")
	require.Len(t, lines, 1)
	assert.Contains(t, lines[0], "no answer within the 200ms request timeout")
}

func TestConnectionRefusedIsRetriedThenGivenUp(t *testing.T) {
	srv, err := pdreceiver.Start("")
	require.NoError(t, err)
	url := srv.URL()
	require.NoError(t, srv.Close()) // nothing listens there now

	logger, logs := newTestLogger()
	var p PagerDutyPlugin
	o := defaultOptions()
	o.retry = fastRetry()
	require.NoError(t, p.load(withKey("eventsURL", url), logger, o))
	require.NoError(t, p.OnSessionHibernated(session("s-1")))
	require.NoError(t, p.OnUnload())
	st := p.Stats()
	assert.EqualValues(t, 1, st["failed"])
	assert.EqualValues(t, fastRetry().maxAttempts-1, st["retried"])
	lines := logs.lines("retries exhausted")
	require.Len(t, lines, 1)
	assert.Contains(t, lines[0], "connection refused")
	assert.NotContains(t, logs.String(), testKey)
}

func TestUnloadLeavesNoGoroutinesBehind(t *testing.T) {
	srv, err := pdreceiver.Start("")
	require.NoError(t, err)
	defer srv.Close()
	before := runtime.NumGoroutine()
	var p PagerDutyPlugin
	logger, _ := newTestLogger()
	for i := 0; i < 5; i++ {
		require.NoError(t, p.load(withKey("eventsURL", srv.URL()), logger, defaultOptions()))
		for j := 0; j < 8; j++ {
			require.NoError(t, p.OnSessionHibernated(session(fmt.Sprintf("s-%d-%d", i, j))))
		}
		require.NoError(t, p.OnUnload())
	}
	// Server-side connection goroutines wind down asynchronously; allow them a moment,
	// but the plugin's own workers and idle client connections must be gone.
	deadline := time.Now().Add(hangBound)
	for runtime.NumGoroutine() > before+2 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	assert.LessOrEqual(t, runtime.NumGoroutine(), before+2)
}
