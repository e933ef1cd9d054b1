package pdreceiver

import (
	"slices"
	"time"
)

// Status is the state of an incident.
type Status string

// Incident states, as PagerDuty names them.
const (
	StatusTriggered    Status = "triggered"
	StatusAcknowledged Status = "acknowledged"
	StatusResolved     Status = "resolved"
)

// Incident is what the receiver keeps for one dedup key, the way PagerDuty
// keeps an alert: it opens on a trigger, absorbs further triggers while
// open, and a trigger after it was resolved opens it again.
type Incident struct {
	// DedupKey is the key the incident is filed under.
	DedupKey string
	// Status is the current state.
	Status Status
	// Events counts the accepted events applied to this key over its whole
	// life: triggers, acknowledgements and resolutions, but not dropped ones.
	Events int
	// Opened counts how many times a trigger opened the incident: 1 for
	// the first trigger, plus 1 for each trigger after a resolution.
	Opened int
	// Dropped counts acknowledge and resolve events that arrived while the
	// incident was resolved and so changed nothing.
	Dropped int
	// FirstSummary is the summary of the trigger that first opened it.
	FirstSummary string
	// LastSummary is the summary of the latest trigger.
	LastSummary string
	// Severity is the severity of the latest trigger.
	Severity string
	// FirstSeen is when the first event for the key was accepted.
	FirstSeen time.Time
	// LastSeen is when the latest event for the key was applied.
	LastSeen time.Time
}

// Outcome says what the receiver did with a request.
type Outcome string

// Request outcomes. The first six are for events answered with a normal
// 202 (only Dropped leaves the incidents alone); the rest are for requests
// that changed no incident.
const (
	// OutcomeOpened means a trigger opened a new incident.
	OutcomeOpened Outcome = "opened"
	// OutcomeReopened means a trigger on a resolved key opened it again.
	OutcomeReopened Outcome = "reopened"
	// OutcomeAbsorbed means a trigger or acknowledgement joined an open
	// incident without changing its state.
	OutcomeAbsorbed Outcome = "absorbed"
	// OutcomeAcknowledged means an acknowledgement moved a triggered incident
	// to acknowledged.
	OutcomeAcknowledged Outcome = "acknowledged"
	// OutcomeResolved means a resolution closed an open incident.
	OutcomeResolved Outcome = "resolved"
	// OutcomeDropped means an acknowledge or resolve for an unknown or
	// already resolved key was accepted with 202 but applied to nothing.
	OutcomeDropped Outcome = "dropped"
	// OutcomeRejected means the receiver's own rules answered 400, 404
	// or 405.
	OutcomeRejected Outcome = "rejected"
	// OutcomeFaulted means a fault answered the request or hung up on it.
	OutcomeFaulted Outcome = "faulted"
	// OutcomeUnanswered means the client went away or the receiver shut down
	// before an answer was written.
	OutcomeUnanswered Outcome = "unanswered"
)

// incidentBook holds the incidents by dedup key. It is not safe for
// concurrent use; the Receiver guards it.
type incidentBook struct {
	byKey map[string]*Incident
	// created lists the keys in the order their incidents were created.
	created []string
}

// apply files a valid event under key at time now and says what happened.
func (b *incidentBook) apply(ev *Event, key string, now time.Time) Outcome {
	inc := b.byKey[key]
	if ev.EventAction == ActionTrigger {
		return b.trigger(inc, ev, key, now)
	}
	if inc == nil {
		return OutcomeDropped
	}
	if inc.Status == StatusResolved {
		inc.Dropped++
		return OutcomeDropped
	}
	inc.Events++
	inc.LastSeen = now
	switch {
	case ev.EventAction == ActionResolve:
		inc.Status = StatusResolved
		return OutcomeResolved
	case inc.Status == StatusTriggered:
		inc.Status = StatusAcknowledged
		return OutcomeAcknowledged
	}
	return OutcomeAbsorbed
}

// trigger applies a trigger event to inc, which is nil for a new key.
func (b *incidentBook) trigger(inc *Incident, ev *Event, key string, now time.Time) Outcome {
	outcome := OutcomeAbsorbed
	if inc == nil {
		if b.byKey == nil {
			b.byKey = make(map[string]*Incident)
		}
		inc = &Incident{DedupKey: key, FirstSummary: ev.summary(), FirstSeen: now}
		b.byKey[key] = inc
		b.created = append(b.created, key)
		outcome = OutcomeOpened
	}
	if inc.Status == StatusResolved {
		outcome = OutcomeReopened
	}
	if outcome != OutcomeAbsorbed {
		inc.Status = StatusTriggered
		inc.Opened++
	}
	inc.Events++
	inc.LastSummary = ev.summary()
	inc.Severity = ev.severity()
	inc.LastSeen = now
	return outcome
}

// list returns copies of all incidents, sorted by first seen, and by
// order of creation among those first seen at the same instant.
func (b *incidentBook) list() []Incident {
	out := make([]Incident, 0, len(b.created))
	for _, key := range b.created {
		out = append(out, *b.byKey[key])
	}
	slices.SortStableFunc(out, func(x, y Incident) int {
		return x.FirstSeen.Compare(y.FirstSeen)
	})
	return out
}

// get returns a copy of the incident for key.
func (b *incidentBook) get(key string) (Incident, bool) {
	inc, ok := b.byKey[key]
	if !ok {
		return Incident{}, false
	}
	return *inc, true
}
