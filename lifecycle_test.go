package main

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/streamspace/streamspace-pagerduty/pdreceiver"
)

// actions lists the actions the receiver accepted for key, in order.
func actions(srv *pdreceiver.Server, key string) []string {
	var out []string
	for _, ev := range srv.Accepted() {
		if ev.DedupKey == key {
			out = append(out, ev.EventAction)
		}
	}
	return out
}

const hibernatedS1 = "streamspace/session.hibernated/s-1"

func TestWakeAndDeleteResolveTheHibernationIncident(t *testing.T) {
	for _, hook := range []string{"woken", "deleted"} {
		t.Run(hook, func(t *testing.T) {
			h := newHarness(t, nil)
			require.NoError(t, h.p.OnSessionHibernated(session("s-1")))
			h.waitAccepted(1)
			assert.EqualValues(t, 1, h.p.Stats()["open_incidents"])

			// The row struct shape, not the map: the key depends only on the ID.
			row := &apiSession{ID: "s-1", UserID: "john", State: "running"}
			if hook == "woken" {
				require.NoError(t, h.p.OnSessionWoken(row))
			} else {
				require.NoError(t, h.p.OnSessionDeleted(row))
			}
			h.waitAccepted(2)
			assert.Equal(t, []string{"trigger", "resolve"}, actions(h.srv, hibernatedS1))
			inc, _ := h.srv.Incident(hibernatedS1)
			assert.Equal(t, pdreceiver.StatusResolved, inc.Status)
			assert.Zero(t, h.p.Stats()["open_incidents"])

			// Waking again resolves nothing more.
			require.NoError(t, h.p.OnSessionWoken(row))
			require.NoError(t, h.p.OnUnload())
			assert.Equal(t, 2, h.srv.Snapshot().Requests)
		})
	}
}

func TestWakeWithoutOurTriggerSendsNothing(t *testing.T) {
	h := newHarness(t, nil, "notifyOnSessionHibernated", false)
	require.NoError(t, h.p.OnSessionHibernated(session("s-1")))
	require.NoError(t, h.p.OnSessionWoken(session("s-1")))
	require.NoError(t, h.p.OnSessionDeleted(session("never-seen")))
	require.NoError(t, h.p.OnUnload())
	assert.Zero(t, h.srv.Snapshot().Requests)
}

func TestResolveOnWakeSwitchedOff(t *testing.T) {
	h := newHarness(t, nil, "resolveOnSessionWoken", false)
	require.NoError(t, h.p.OnSessionHibernated(session("s-1")))
	h.waitAccepted(1)
	require.NoError(t, h.p.OnSessionWoken(session("s-1")))
	require.NoError(t, h.p.OnSessionDeleted(session("s-1")))
	h.waitAccepted(2)
	require.NoError(t, h.p.OnUnload())
	assert.Equal(t, []string{"trigger", "resolve"}, actions(h.srv, hibernatedS1),
		"the deletion resolved it; the wake did not")
}

func TestResolveWaitsBehindARetriedTrigger(t *testing.T) {
	h := newHarness(t, nil, "rateLimit", 1)
	require.NoError(t, h.srv.Script(pdreceiver.Respond(503, ""), pdreceiver.Throttle(""),
		pdreceiver.Respond(500, "")))
	require.NoError(t, h.p.OnSessionHibernated(session("s-1")))
	require.NoError(t, h.p.OnSessionWoken(session("s-1")))
	h.waitAccepted(2)
	assert.Equal(t, []string{"trigger", "resolve"}, actions(h.srv, hibernatedS1))
	st := h.p.Stats()
	assert.EqualValues(t, 3, st["retried"])
	assert.Zero(t, st["dropped_rate_limit"], "the resolve took no token")
}

func TestResolveSkippedWhenTriggerIsGivenUp(t *testing.T) {
	h := newHarness(t, nil)
	// The trigger is held until the wake's resolve is queued behind it; then the held
	// request is cut off, and its retry is rejected.
	require.NoError(t, h.srv.Script(pdreceiver.Stall(nil)))
	require.NoError(t, h.p.OnSessionHibernated(session("s-1")))
	h.waitFor("the stall", func(s pdreceiver.Snapshot) bool { return s.Stalled == 1 })
	require.NoError(t, h.p.OnSessionWoken(session("s-1")))
	require.NoError(t, h.srv.SetAlways(pdreceiver.Respond(400,
		`{"status":"invalid event","message":"Event object is invalid","errors":["no"]}`)))
	h.srv.Receiver.Close()
	h.waitStat("failed", 1)
	require.NoError(t, h.p.OnUnload())

	for _, r := range h.srv.Requests() {
		require.NotNil(t, r.Event)
		assert.Equal(t, "trigger", r.Event.EventAction, "a resolve went out for a "+
			"trigger PagerDuty never accepted")
	}
	assert.Len(t, h.logs.lines("resolve not sent; its trigger was not delivered"), 1)
	assert.EqualValues(t, 1, h.p.Stats()["resolves_skipped"])
	assert.Zero(t, h.p.Stats()["open_incidents"])
}

func TestFailedTriggerIsForgotten(t *testing.T) {
	h := newHarness(t, nil)
	require.NoError(t, h.srv.Script(pdreceiver.Respond(400, "")))
	require.NoError(t, h.p.OnSessionHibernated(session("s-1")))
	h.waitStat("failed", 1)
	require.NoError(t, h.p.OnSessionWoken(session("s-1")))
	require.NoError(t, h.p.OnUnload())
	assert.Equal(t, 1, h.srv.Snapshot().Requests, "no resolve for an incident never opened")
}

func TestAutoResolveIsNotResolvedAgainOnWake(t *testing.T) {
	h := newHarness(t, nil, "autoResolve", true)
	require.NoError(t, h.p.OnSessionHibernated(session("s-1")))
	h.waitAccepted(2)
	require.NoError(t, h.p.OnSessionWoken(session("s-1")))
	require.NoError(t, h.p.OnUnload())
	assert.Equal(t, []string{"trigger", "resolve"}, actions(h.srv, hibernatedS1))
}

func TestOpenIncidentsSurviveReload(t *testing.T) {
	h := newHarness(t, nil)
	require.NoError(t, h.p.OnSessionHibernated(session("s-1")))
	require.NoError(t, h.p.OnUnload())

	logger, _ := newTestLogger()
	o := defaultOptions()
	o.retry = fastRetry()
	require.NoError(t, h.p.load(withKey("eventsURL", h.srv.URL(), "rateLimit", 9), logger, o))
	require.NoError(t, h.p.OnSessionWoken(session("s-1")))
	require.NoError(t, h.p.OnUnload())
	assert.Equal(t, []string{"trigger", "resolve"}, actions(h.srv, hibernatedS1))
}

func TestHibernateWakeHibernateReopens(t *testing.T) {
	h := newHarness(t, nil)
	for i := 0; i < 2; i++ {
		require.NoError(t, h.p.OnSessionHibernated(session("s-1")))
		require.NoError(t, h.p.OnSessionWoken(session("s-1")))
	}
	require.NoError(t, h.p.OnUnload())
	assert.Equal(t, []string{"trigger", "resolve", "trigger", "resolve"},
		actions(h.srv, hibernatedS1))
	inc, _ := h.srv.Incident(hibernatedS1)
	assert.Equal(t, 2, inc.Opened)
	assert.Equal(t, pdreceiver.StatusResolved, inc.Status)
}

func TestLinksSourceAndRegionInEvents(t *testing.T) {
	h := newHarness(t, nil, "notifyOnUserCreated", true, "source", "prod-eu-1",
		"region", "eu", "streamspaceURL", "https://streamspace.example.com/")
	require.NoError(t, h.p.OnSessionHibernated(session("john firefox/1")))
	require.NoError(t, h.p.OnUserCreated(map[string]any{"id": "u-7", "username": "ann"}))
	h.waitAccepted(2)

	byClass := map[string]pdreceiver.Event{}
	for _, ev := range h.srv.Accepted() {
		byClass[ev.Payload.Class] = ev
	}
	s := byClass["session.hibernated"]
	assert.Equal(t, "prod-eu-1", s.Payload.Source)
	assert.Equal(t, "streamspace/prod-eu-1/session.hibernated/john firefox/1", s.DedupKey)
	assert.Equal(t, "StreamSpace", s.Client)
	assert.Equal(t, "https://streamspace.example.com/sessions/john%20firefox%2F1/viewer",
		s.ClientURL)
	require.Len(t, s.Links, 2)
	assert.Equal(t, s.ClientURL, s.Links[0].Href)
	assert.Equal(t, "https://streamspace.example.com/sessions", s.Links[1].Href)

	u := byClass["user.created"]
	assert.Equal(t, "https://streamspace.example.com/admin/users/u-7", u.ClientURL)

	// Without streamspaceURL no client fields are sent.
	h2 := newHarness(t, nil)
	require.NoError(t, h2.p.OnSessionHibernated(session("s-2")))
	h2.waitAccepted(1)
	ev := h2.srv.Accepted()[0]
	assert.Empty(t, ev.Client)
	assert.Empty(t, ev.ClientURL)
	assert.Empty(t, ev.Links)
}

func TestManySessionsWakeInAnyOrder(t *testing.T) {
	h := newHarness(t, nil, "rateLimit", 20)
	for i := 0; i < 20; i++ {
		require.NoError(t, h.p.OnSessionHibernated(session(fmt.Sprintf("s-%d", i))))
	}
	for i := 19; i >= 0; i-- {
		require.NoError(t, h.p.OnSessionDeleted(session(fmt.Sprintf("s-%d", i))))
	}
	require.NoError(t, h.p.OnUnload())
	snap := h.srv.Snapshot()
	assert.Equal(t, 40, snap.Accepted)
	for _, inc := range snap.Incidents {
		assert.Equal(t, pdreceiver.StatusResolved, inc.Status, inc.DedupKey)
	}
}
