package pdreceiver

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"
)

// Receiver is a strict stand-in for the PagerDuty Events API v2 enqueue
// endpoint. It is an http.Handler answering POST /v2/enqueue; it validates
// events the way PagerDuty does, keeps incidents by dedup key, logs every
// request and can be scripted to misbehave. It is safe for concurrent use.
// Create one with New.
type Receiver struct {
	now          func() time.Time
	sleep        func(ctx context.Context, d time.Duration) error
	logger       *slog.Logger
	logBodyLimit int
	stop         chan struct{}
	stopOnce     sync.Once

	mu      sync.Mutex
	st      state
	script  []Fault
	always  *Fault
	latency time.Duration
	changed chan struct{}
}

// state is everything Reset clears.
type state struct {
	seq         int
	log         []Request
	book        incidentBook
	counts      map[Outcome]int
	inFlight    int
	stalled     int
	routingKeys map[RoutingKey]struct{}
}

// Option configures a Receiver.
type Option func(*Receiver)

// WithClock makes the receiver read the time from now instead of
// time.Now. A nil now keeps time.Now.
func WithClock(now func() time.Time) Option {
	return func(rc *Receiver) {
		if now != nil {
			rc.now = now
		}
	}
}

// WithSleeper makes the receiver wait out its added latency with sleep,
// which must return early with ctx's error when ctx ends. A nil sleep
// keeps the timer-based default.
func WithSleeper(sleep func(ctx context.Context, d time.Duration) error) Option {
	return func(rc *Receiver) {
		if sleep != nil {
			rc.sleep = sleep
		}
	}
}

// WithLogger makes the receiver log one line per request to l. The lines
// never hold the body or the routing key. A nil l keeps the default,
// which discards.
func WithLogger(l *slog.Logger) Option {
	return func(rc *Receiver) {
		if l != nil {
			rc.logger = l
		}
	}
}

// WithLogBodyLimit sets how many bytes of each body the request log keeps;
// 0 keeps none and a negative n keeps the default, DefaultLogBodyBytes.
func WithLogBodyLimit(n int) Option {
	return func(rc *Receiver) {
		if n >= 0 {
			rc.logBodyLimit = n
		}
	}
}

// New returns a Receiver with no incidents, no faults and no latency.
func New(opts ...Option) *Receiver {
	rc := &Receiver{
		now:          time.Now,
		sleep:        sleepContext,
		logger:       slog.New(slog.DiscardHandler),
		logBodyLimit: DefaultLogBodyBytes,
		stop:         make(chan struct{}),
		changed:      make(chan struct{}),
	}
	for _, opt := range opts {
		opt(rc)
	}
	rc.st = newState()
	return rc
}

// newState returns an empty state.
func newState() state {
	return state{
		counts:      make(map[Outcome]int),
		routingKeys: make(map[RoutingKey]struct{}),
	}
}

// sleepContext waits for d or until ctx ends, whichever is first.
func sleepContext(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Script queues faults to answer the next requests, one fault per request
// in order, ahead of any SetAlways fault. It queues nothing and returns an
// error naming the first invalid fault if any is invalid.
func (rc *Receiver) Script(faults ...Fault) error {
	for i, f := range faults {
		if err := f.validate(); err != nil {
			return fmt.Errorf("pdreceiver: script fault %d: %w", i, err)
		}
	}
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.script = append(rc.script, faults...)
	rc.notifyLocked()
	return nil
}

// SetAlways makes f answer every request that no scripted fault answers,
// until ClearFaults. It returns an error if f is invalid.
func (rc *Receiver) SetAlways(f Fault) error {
	if err := f.validate(); err != nil {
		return err
	}
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.always = &f
	return nil
}

// ClearFaults drops the scripted faults not yet used and the SetAlways
// fault, so that requests are handled normally again.
func (rc *Receiver) ClearFaults() {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.script = nil
	rc.always = nil
	rc.notifyLocked()
}

// SetLatency adds d before every answer, normal or faulted, for example
// 100ms to mimic a round trip to PagerDuty. 0 removes it; a negative d is
// an error.
func (rc *Receiver) SetLatency(d time.Duration) error {
	if d < 0 {
		return fmt.Errorf("pdreceiver: latency %s is invalid (should be 0 or more)", d)
	}
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.latency = d
	return nil
}

// Reset forgets all requests and incidents. Faults and latency stay.
func (rc *Receiver) Reset() {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	inFlight, stalled := rc.st.inFlight, rc.st.stalled
	rc.st = newState()
	rc.st.inFlight, rc.st.stalled = inFlight, stalled
	rc.notifyLocked()
}

// Close ends every stall in progress and makes later stalls end at once,
// without an answer, so that a server using the receiver can shut down.
// Other requests are still handled. Close is idempotent.
func (rc *Receiver) Close() {
	rc.stopOnce.Do(func() { close(rc.stop) })
}

// notifyLocked wakes everyone waiting on Changed. rc.mu must be held.
func (rc *Receiver) notifyLocked() {
	close(rc.changed)
	rc.changed = make(chan struct{})
}
