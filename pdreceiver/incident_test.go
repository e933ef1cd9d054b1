package pdreceiver_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/streamspace/streamspace-pagerduty/pdreceiver"
)

// step is one event sent in an incident scenario.
type step struct {
	action, key, summary, severity string
}

// body builds the event of a step.
func (s step) body(t *testing.T) []byte {
	if s.action != "trigger" {
		return mustJSON(t, followUp(s.action, s.key))
	}
	ev := withPayload(obj{"summary": s.summary, "severity": s.severity})
	return mustJSON(t, with(ev, obj{"dedup_key": s.key}))
}

func TestIncidentTransitions(t *testing.T) {
	trig := func(key, summary, severity string) step {
		return step{"trigger", key, summary, severity}
	}
	ack := func(key string) step { return step{action: "acknowledge", key: key} }
	resolve := func(key string) step { return step{action: "resolve", key: key} }
	cases := []struct {
		name     string
		steps    []step
		outcomes []pdreceiver.Outcome
		want     []pdreceiver.Incident
		dropped  int
	}{
		{"trigger opens an incident", []step{trig("a", "down", "critical")},
			[]pdreceiver.Outcome{pdreceiver.OutcomeOpened},
			[]pdreceiver.Incident{{DedupKey: "a", Status: pdreceiver.StatusTriggered, Events: 1,
				Opened: 1, FirstSummary: "down", LastSummary: "down", Severity: "critical",
				FirstSeen: at(1), LastSeen: at(1)}}, 0},
		{"repeat trigger is absorbed", []step{trig("a", "down", "critical"),
			trig("a", "still down", "warning")},
			[]pdreceiver.Outcome{pdreceiver.OutcomeOpened, pdreceiver.OutcomeAbsorbed},
			[]pdreceiver.Incident{{DedupKey: "a", Status: pdreceiver.StatusTriggered, Events: 2,
				Opened: 1, FirstSummary: "down", LastSummary: "still down", Severity: "warning",
				FirstSeen: at(1), LastSeen: at(2)}}, 0},
		{"acknowledge then trigger stays acknowledged", []step{trig("a", "down", "error"),
			ack("a"), ack("a"), trig("a", "again", "error")},
			[]pdreceiver.Outcome{pdreceiver.OutcomeOpened, pdreceiver.OutcomeAcknowledged,
				pdreceiver.OutcomeAbsorbed, pdreceiver.OutcomeAbsorbed},
			[]pdreceiver.Incident{{DedupKey: "a", Status: pdreceiver.StatusAcknowledged,
				Events: 4, Opened: 1, FirstSummary: "down", LastSummary: "again",
				Severity: "error", FirstSeen: at(1), LastSeen: at(4)}}, 0},
		{"resolve closes the incident", []step{trig("a", "down", "info"), ack("a"),
			resolve("a")},
			[]pdreceiver.Outcome{pdreceiver.OutcomeOpened, pdreceiver.OutcomeAcknowledged,
				pdreceiver.OutcomeResolved},
			[]pdreceiver.Incident{{DedupKey: "a", Status: pdreceiver.StatusResolved, Events: 3,
				Opened: 1, FirstSummary: "down", LastSummary: "down", Severity: "info",
				FirstSeen: at(1), LastSeen: at(3)}}, 0},
		{"trigger after resolve opens it again", []step{trig("a", "down", "info"),
			resolve("a"), trig("a", "down again", "critical")},
			[]pdreceiver.Outcome{pdreceiver.OutcomeOpened, pdreceiver.OutcomeResolved,
				pdreceiver.OutcomeReopened},
			[]pdreceiver.Incident{{DedupKey: "a", Status: pdreceiver.StatusTriggered, Events: 3,
				Opened: 2, FirstSummary: "down", LastSummary: "down again",
				Severity: "critical", FirstSeen: at(1), LastSeen: at(3)}}, 0},
		{"resolve and acknowledge for an unknown key are dropped",
			[]step{resolve("ghost"), ack("ghost")},
			[]pdreceiver.Outcome{pdreceiver.OutcomeDropped, pdreceiver.OutcomeDropped},
			[]pdreceiver.Incident{}, 2},
		{"acknowledge and resolve after resolve are dropped", []step{trig("a", "down", "info"),
			resolve("a"), ack("a"), resolve("a")},
			[]pdreceiver.Outcome{pdreceiver.OutcomeOpened, pdreceiver.OutcomeResolved,
				pdreceiver.OutcomeDropped, pdreceiver.OutcomeDropped},
			[]pdreceiver.Incident{{DedupKey: "a", Status: pdreceiver.StatusResolved, Events: 2,
				Opened: 1, Dropped: 2, FirstSummary: "down", LastSummary: "down",
				Severity: "info", FirstSeen: at(1), LastSeen: at(2)}}, 2},
		{"incidents are listed by first seen, not by key", []step{trig("c", "3", "info"),
			trig("a", "1", "info"), resolve("c"), trig("b", "2", "info")},
			[]pdreceiver.Outcome{pdreceiver.OutcomeOpened, pdreceiver.OutcomeOpened,
				pdreceiver.OutcomeResolved, pdreceiver.OutcomeOpened},
			[]pdreceiver.Incident{
				{DedupKey: "c", Status: pdreceiver.StatusResolved, Events: 2, Opened: 1,
					FirstSummary: "3", LastSummary: "3", Severity: "info", FirstSeen: at(1),
					LastSeen: at(3)},
				{DedupKey: "a", Status: pdreceiver.StatusTriggered, Events: 1, Opened: 1,
					FirstSummary: "1", LastSummary: "1", Severity: "info", FirstSeen: at(2),
					LastSeen: at(2)},
				{DedupKey: "b", Status: pdreceiver.StatusTriggered, Events: 1, Opened: 1,
					FirstSummary: "2", LastSummary: "2", Severity: "info", FirstSeen: at(4),
					LastSeen: at(4)},
			}, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rc := pdreceiver.New(pdreceiver.WithClock(newStepClock().Now))
			for _, s := range tc.steps {
				rec := enqueue(t, rc, s.body(t))
				require.Equal(t, http.StatusAccepted, rec.Code, rec.Body.String())
				assert.Equal(t, s.key, decodeAnswer(t, rec.Body.Bytes()).DedupKey)
			}
			var outcomes []pdreceiver.Outcome
			for _, r := range rc.Requests() {
				outcomes = append(outcomes, r.Outcome)
			}
			assert.Equal(t, tc.outcomes, outcomes)
			assert.Equal(t, tc.want, rc.Incidents())
			for _, inc := range tc.want {
				got, ok := rc.Incident(inc.DedupKey)
				require.True(t, ok)
				assert.Equal(t, inc, got)
			}
			assert.Len(t, rc.Dropped(), tc.dropped)
			snap := rc.Snapshot()
			assert.Equal(t, tc.dropped, snap.Dropped)
			assert.Equal(t, len(tc.steps), snap.Accepted)
			assert.Len(t, snap.Incidents, len(tc.want))
		})
	}
}

func TestIncidentsWithTheSameFirstSeenKeepTheirOrderOfCreation(t *testing.T) {
	fixed := at(1)
	rc := pdreceiver.New(pdreceiver.WithClock(func() time.Time { return fixed }))
	keys := []string{"m", "z", "a", "q"}
	for _, k := range keys {
		rec := enqueue(t, rc, mustJSON(t, triggerEvent(k, "s")))
		require.Equal(t, http.StatusAccepted, rec.Code)
	}
	var got []string
	for _, inc := range rc.Incidents() {
		got = append(got, inc.DedupKey)
	}
	assert.Equal(t, keys, got)
}

func TestUnknownIncidentIsNotFound(t *testing.T) {
	_, ok := pdreceiver.New().Incident("nope")
	assert.False(t, ok)
}

func TestResetForgetsRequestsAndIncidents(t *testing.T) {
	rc := pdreceiver.New()
	require.Equal(t, http.StatusAccepted, enqueue(t, rc, mustJSON(t, triggerEvent("a", "s"))).Code)
	rc.Reset()
	assert.Empty(t, rc.Requests())
	assert.Empty(t, rc.Incidents())
	assert.Equal(t, 0, rc.Snapshot().Accepted)
	require.Equal(t, http.StatusAccepted, enqueue(t, rc, mustJSON(t, triggerEvent("a", "s"))).Code)
	assert.Equal(t, 1, rc.Requests()[0].Seq, "sequence numbers restart")
}
