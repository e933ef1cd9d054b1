package pdreceiver

// acceptedOutcomes are the outcomes of requests answered with a normal 202.
var acceptedOutcomes = map[Outcome]bool{
	OutcomeOpened:       true,
	OutcomeReopened:     true,
	OutcomeAbsorbed:     true,
	OutcomeAcknowledged: true,
	OutcomeResolved:     true,
	OutcomeDropped:      true,
}

// Requests returns a copy of the request log in arrival order of answers.
func (rc *Receiver) Requests() []Request {
	return rc.requestsWhere(func(Request) bool { return true })
}

// Rejected returns copies of the requests the receiver's own rules
// rejected (400, 404 or 405), not those a fault answered.
func (rc *Receiver) Rejected() []Request {
	return rc.requestsWhere(func(r Request) bool { return r.Outcome == OutcomeRejected })
}

// Accepted returns copies of the events answered with a normal 202, in the
// order they were applied, including dropped acknowledge and resolve
// events. Events answered by a fault are not included.
func (rc *Receiver) Accepted() []Event {
	return rc.eventsWhere(func(r Request) bool { return acceptedOutcomes[r.Outcome] })
}

// Dropped returns copies of the acknowledge and resolve events accepted
// for a dedup key that was unknown or already resolved.
func (rc *Receiver) Dropped() []Event {
	return rc.eventsWhere(func(r Request) bool { return r.Outcome == OutcomeDropped })
}

// Incidents returns copies of all incidents, sorted by first seen.
func (rc *Receiver) Incidents() []Incident {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return rc.st.book.list()
}

// Incident returns a copy of the incident filed under dedupKey, and false
// when there is none.
func (rc *Receiver) Incident(dedupKey string) (Incident, bool) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return rc.st.book.get(dedupKey)
}

// requestsWhere returns copies of the logged requests keep selects.
func (rc *Receiver) requestsWhere(keep func(Request) bool) []Request {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	var out []Request
	for _, r := range rc.st.log {
		if keep(r) {
			out = append(out, r.clone())
		}
	}
	return out
}

// eventsWhere returns copies of the events of the requests keep selects.
func (rc *Receiver) eventsWhere(keep func(Request) bool) []Event {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	var out []Event
	for _, r := range rc.st.log {
		if r.Event != nil && keep(r) {
			out = append(out, *r.Event.clone())
		}
	}
	return out
}
