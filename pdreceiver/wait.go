package pdreceiver

import (
	"context"
	"fmt"
)

// Snapshot is a consistent copy of the receiver's counters and incidents.
type Snapshot struct {
	// Requests counts the logged requests.
	Requests int
	// Accepted counts requests answered with a normal 202, Dropped ones
	// included.
	Accepted int
	// Dropped counts accepted acknowledge and resolve events for unknown or
	// resolved dedup keys.
	Dropped int
	// Rejected counts requests rejected by the receiver's own rules.
	Rejected int
	// Faulted counts requests answered or hung up on by a fault.
	Faulted int
	// Unanswered counts requests that ended before an answer was written.
	Unanswered int
	// InFlight counts requests being handled now, stalled ones included.
	InFlight int
	// Stalled counts requests held by a stall fault now.
	Stalled int
	// Scripted counts the scripted faults not yet used.
	Scripted int
	// Incidents maps each dedup key to a copy of its incident.
	Incidents map[string]Incident
}

// Snapshot returns a consistent copy of the counters and incidents.
func (rc *Receiver) Snapshot() Snapshot {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return rc.snapshotLocked()
}

// snapshotLocked builds a Snapshot. rc.mu must be held.
func (rc *Receiver) snapshotLocked() Snapshot {
	s := Snapshot{
		Requests:   len(rc.st.log),
		Dropped:    rc.st.counts[OutcomeDropped],
		Rejected:   rc.st.counts[OutcomeRejected],
		Faulted:    rc.st.counts[OutcomeFaulted],
		Unanswered: rc.st.counts[OutcomeUnanswered],
		InFlight:   rc.st.inFlight,
		Stalled:    rc.st.stalled,
		Scripted:   len(rc.script),
		Incidents:  make(map[string]Incident, len(rc.st.book.byKey)),
	}
	for outcome := range acceptedOutcomes {
		s.Accepted += rc.st.counts[outcome]
	}
	for key, inc := range rc.st.book.byKey {
		s.Incidents[key] = *inc
	}
	return s
}

// Changed returns a channel that is closed at the next change of the
// receiver's state: a request arriving, being logged or finishing, a
// stall starting or ending, a fault being queued or used, or a Reset.
func (rc *Receiver) Changed() <-chan struct{} {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return rc.changed
}

// WaitFor blocks until cond holds for a snapshot of the receiver, checking
// now and after every change, and returns nil; or returns an error wrapping
// ctx's error when ctx ends first. cond runs without the receiver's lock.
func (rc *Receiver) WaitFor(ctx context.Context, cond func(Snapshot) bool) error {
	for {
		rc.mu.Lock()
		snap, changed := rc.snapshotLocked(), rc.changed
		rc.mu.Unlock()
		if cond(snap) {
			return nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return fmt.Errorf("pdreceiver: condition not met (requests=%d accepted=%d "+
				"rejected=%d faulted=%d unanswered=%d in_flight=%d): %w",
				snap.Requests, snap.Accepted, snap.Rejected, snap.Faulted,
				snap.Unanswered, snap.InFlight, ctx.Err())
		}
	}
}
