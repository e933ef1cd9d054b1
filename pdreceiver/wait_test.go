package pdreceiver_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/streamspace/streamspace-pagerduty/pdreceiver"
)

func TestWaitForReturnsOnceTheConditionHolds(t *testing.T) {
	srv := startServer(t)
	done := make(chan error, 1)
	go func() {
		done <- srv.WaitFor(waitCtx(t), func(s pdreceiver.Snapshot) bool {
			return s.Accepted == 3 && s.Incidents["k"].Status == pdreceiver.StatusResolved
		})
	}()
	for _, ev := range []obj{triggerEvent("k", "s"), triggerEvent("k", "s"),
		followUp("resolve", "k")} {
		resp, _ := mustPost(t, srv.URL(), mustJSON(t, ev))
		require.Equal(t, http.StatusAccepted, resp.StatusCode)
	}
	require.NoError(t, <-done)
}

func TestWaitForChecksTheCurrentStateFirst(t *testing.T) {
	rc := pdreceiver.New()
	enqueue(t, rc, mustJSON(t, triggerEvent("k", "s")))
	require.NoError(t, rc.WaitFor(waitCtx(t), func(s pdreceiver.Snapshot) bool {
		return s.Accepted == 1
	}))
}

func TestWaitForGivesUpWhenTheContextEnds(t *testing.T) {
	rc := pdreceiver.New()
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	err := rc.WaitFor(ctx, func(s pdreceiver.Snapshot) bool { return s.Accepted == 1 })
	require.ErrorIs(t, err, context.Canceled)
	assert.EqualError(t, err, "pdreceiver: condition not met (requests=0 accepted=0 "+
		"rejected=0 faulted=0 unanswered=0 in_flight=0): context canceled")

	ctx, cancel = context.WithTimeout(t.Context(), time.Millisecond)
	defer cancel()
	require.ErrorIs(t, rc.WaitFor(ctx, func(pdreceiver.Snapshot) bool { return false }),
		context.DeadlineExceeded)
}

func TestChangedIsClosedByTheNextRequest(t *testing.T) {
	rc := pdreceiver.New()
	changed := rc.Changed()
	select {
	case <-changed:
		t.Fatal("nothing has changed yet")
	default:
	}
	enqueue(t, rc, mustJSON(t, triggerEvent("k", "s")))
	select {
	case <-changed:
	case <-waitCtx(t).Done():
		t.Fatal("Changed was not closed by a request")
	}
}

func TestSnapshotCountsEveryOutcome(t *testing.T) {
	rc := pdreceiver.New()
	require.NoError(t, rc.Script(pdreceiver.Respond(500, "")))
	enqueue(t, rc, mustJSON(t, triggerEvent("k", "s")))       // faulted
	enqueue(t, rc, mustJSON(t, triggerEvent("k", "s")))       // accepted
	enqueue(t, rc, mustJSON(t, followUp("resolve", "ghost"))) // accepted, dropped
	enqueue(t, rc, []byte(`{}`))                              // rejected
	assert.Equal(t, pdreceiver.Snapshot{
		Requests: 4, Accepted: 2, Dropped: 1, Rejected: 1, Faulted: 1,
		Incidents: map[string]pdreceiver.Incident{"k": rc.Incidents()[0]},
	}, rc.Snapshot())
}
