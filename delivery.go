package main

import (
	"container/heap"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sort"
	"sync"
	"sync/atomic"
	"time"
)

// Delivery sizing. The queue holds far more than an hour's budget at the highest rate
// limit (200 events, each with a possible auto-resolve), so a burst within the limit is
// never refused, while memory stays bounded: events are at most a few KB each, because
// every extracted field is cut to maxFieldRunes characters.
const (
	queueCapacity   = 1000
	deliveryWorkers = 4
	unloadDeadline  = 10 * time.Second
)

// retryPolicy bounds how an event is retried after 429, 5xx or a network failure.
type retryPolicy struct {
	initial     time.Duration // wait after the first failure
	max         time.Duration // cap on one wait
	maxAttempts int           // attempts in all, the first included
	maxElapsed  time.Duration // time from the first attempt after which no retry starts
	jitter      func() float64
}

// defaultRetryPolicy starts near a second and doubles to a minute; ten attempts span
// about four minutes, so an event is given up within five minutes of its first try.
func defaultRetryPolicy() retryPolicy {
	return retryPolicy{
		initial:     time.Second,
		max:         time.Minute,
		maxAttempts: 10,
		maxElapsed:  5 * time.Minute,
		jitter:      rand.Float64,
	}
}

// delay is how long to wait before attempt number attempt+1, given that attempt (1-based)
// has just failed and the server asked for retryAfter (0 if it did not). The wait doubles
// from initial up to max, less up to 20% random jitter, so that many plugins failing
// together do not retry together. A longer Retry-After wins.
func (p retryPolicy) delay(attempt int, retryAfter time.Duration) time.Duration {
	d := p.initial
	for i := 1; i < attempt && d < p.max; i++ {
		d *= 2
	}
	d = min(d, p.max)
	d -= time.Duration(float64(d) * 0.2 * p.jitter())
	return max(d, retryAfter)
}

// job is one event waiting for delivery.
type job struct {
	eventType EventType
	action    string
	dedupKey  string
	body      []byte

	attempts int
	first    time.Time // of the first attempt
	lastErr  error

	// resolveAfter, on a trigger, holds the encoded resolve to queue once PagerDuty
	// accepted the trigger.
	resolveAfter []byte

	// afterTrigger marks a resolve that only makes sense if the trigger queued ahead of it
	// for the same key is accepted; it is skipped when that trigger is given up.
	afterTrigger bool

	// opens marks a hibernation trigger whose incident is remembered, so that the
	// session's wake can resolve it.
	opens bool

	// resolves marks a wake's resolve: it is queued only if its incident is remembered as
	// open, and then waits on the trigger ahead unless PagerDuty accepted one already.
	resolves bool
}

// keyQueue holds the jobs of one dedup key, in order. Only its head is ever in flight,
// so a resolve never overtakes its trigger.
type keyQueue struct {
	key       string
	jobs      []*job
	first     [1]*job   // backs jobs at first: a key usually has one job, so no extra allocation
	busy      bool      // the head is with a worker
	notBefore time.Time // earliest time the head may be tried again
	heapIndex int       // position in the waiting heap, or -1
}

// waitHeap orders the keys whose head is backing off by the time it may be retried.
type waitHeap []*keyQueue

func (h waitHeap) Len() int           { return len(h) }
func (h waitHeap) Less(i, j int) bool { return h[i].notBefore.Before(h[j].notBefore) }
func (h waitHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].heapIndex, h[j].heapIndex = i, j
}
func (h *waitHeap) Push(x any) {
	q := x.(*keyQueue)
	q.heapIndex = len(*h)
	*h = append(*h, q)
}
func (h *waitHeap) Pop() any {
	old := *h
	q := old[len(old)-1]
	old[len(old)-1] = nil
	q.heapIndex = -1
	*h = old[:len(old)-1]
	return q
}

// counters are the plugin's statistics. None of them holds anything secret.
type counters struct {
	sent             atomic.Int64 // events PagerDuty accepted
	droppedRateLimit atomic.Int64 // events not sent because the hourly budget was spent
	droppedQueueFull atomic.Int64 // events not queued because the queue was full
	failed           atomic.Int64 // events given up: rejected, or retries exhausted
	retried          atomic.Int64 // attempts after the first
	queued           atomic.Int64 // events waiting or in flight now
	invalid          atomic.Int64 // hook calls with an argument the plugin cannot read
	undelivered      atomic.Int64 // events still queued when unload gave up
	resolvesSkipped  atomic.Int64 // resolves not sent because their trigger was given up
}

// snapshot returns the counters by name, as Stats reports them.
func (c *counters) snapshot() map[string]int64 {
	return map[string]int64{
		"sent":                  c.sent.Load(),
		"dropped_rate_limit":    c.droppedRateLimit.Load(),
		"dropped_queue_full":    c.droppedQueueFull.Load(),
		"failed":                c.failed.Load(),
		"retried":               c.retried.Load(),
		"queued":                c.queued.Load(),
		"invalid_input":         c.invalid.Load(),
		"undelivered_at_unload": c.undelivered.Load(),
		"resolves_skipped":      c.resolvesSkipped.Load(),
	}
}

// stat is one named counter value.
type stat struct {
	name  string
	value int64
}

// sortedStats orders a counters snapshot by name, for stable log lines.
func sortedStats(m map[string]int64) []stat {
	out := make([]stat, 0, len(m))
	for k, v := range m {
		out = append(out, stat{k, v})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

// errQueueFull is returned by a hook whose event did not fit in the queue.
var errQueueFull = fmt.Errorf("pagerduty: delivery queue full (%d events); event dropped",
	queueCapacity)

// errNothingToResolve is returned for a resolve whose incident is not remembered as open.
var errNothingToResolve = errors.New("pagerduty: no open incident to resolve")

// errClosed is returned when an event arrives after delivery stopped.
var errClosed = errors.New("pagerduty: plugin is unloading; event not queued")

// dispatcher delivers queued jobs with a pool of workers. Jobs of one dedup key go out
// one at a time and in order; jobs of different keys go out in parallel, so an event in
// backoff never holds back another key.
type dispatcher struct {
	client  *eventsClient
	policy  retryPolicy
	now     func() time.Time
	logger  *slog.Logger
	stats   *counters
	full    *dropReporter
	workers sync.WaitGroup

	// open is the set of hibernation incidents the plugin opened. The dispatcher updates
	// it with d.mu held, so that the set and the queue always agree: a trigger that opens
	// an incident is added as it is queued, accepted when PagerDuty takes it, and lost
	// when it is given up with no other trigger behind it; a resolve takes its key as it
	// is queued.
	open *openIncidents

	// evictionLogged keeps the warning about forgotten incidents to one line per load.
	// It is guarded by mu.
	evictionLogged bool

	ctx    context.Context // cancelled when unload's deadline passes
	cancel context.CancelFunc

	wake chan struct{} // a job became ready, or the queue closed

	mu      sync.Mutex
	keys    map[string]*keyQueue
	ready   []*keyQueue // keys whose head may go now, oldest first
	waiting waitHeap
	pending int  // jobs queued or in flight
	closed  bool // no new jobs
	outage  outageLog
}

// outageLog keeps a PagerDuty outage to two log lines: one when attempts start failing
// and one when they succeed again. It is guarded by dispatcher.mu.
type outageLog struct {
	failing  bool
	failures int
	since    time.Time
}

// newDispatcher starts deliveryWorkers workers that keep open up to date.
func newDispatcher(client *eventsClient, policy retryPolicy, now func() time.Time,
	logger *slog.Logger, stats *counters, open *openIncidents) *dispatcher {
	ctx, cancel := context.WithCancel(context.Background())
	d := &dispatcher{
		client: client,
		policy: policy,
		now:    now,
		logger: logger,
		stats:  stats,
		full:   newDropReporter(logger, &stats.droppedQueueFull, "queue_full"),
		ctx:    ctx,
		cancel: cancel,
		wake:   make(chan struct{}, 1),
		keys:   make(map[string]*keyQueue),
		open:   open,
	}
	for i := 0; i < deliveryWorkers; i++ {
		d.workers.Add(1)
		go d.work()
	}
	return d
}

// enqueue adds a job behind any others of its dedup key. It never blocks on the network.
func (d *dispatcher) enqueue(j *job) error {
	d.mu.Lock()
	if d.closed {
		d.mu.Unlock()
		return errClosed
	}
	if d.pending >= queueCapacity {
		d.mu.Unlock()
		d.full.drop(d.now(), j.eventType)
		return errQueueFull
	}
	if j.resolves {
		open, accepted := d.open.takeOpened(j.dedupKey)
		if !open {
			d.mu.Unlock()
			return errNothingToResolve
		}
		j.afterTrigger = !accepted
	}
	if j.opens && d.open.add(j.dedupKey) && !d.evictionLogged {
		d.evictionLogged = true
		d.logger.Warn("pagerduty: forgetting the oldest open hibernation incident; "+
			"its session's wake will not resolve it", "limit", maxOpenIncidents)
	}
	d.add(j, false)
	d.mu.Unlock()
	d.full.resume(d.now())
	return nil
}

// add queues j at the back (or, for a follow-up of the job just delivered, the front) of
// its key's queue. d.mu must be held.
func (d *dispatcher) add(j *job, front bool) {
	d.pending++
	d.stats.queued.Add(1)
	q := d.keys[j.dedupKey]
	if q == nil {
		q = &keyQueue{key: j.dedupKey, heapIndex: -1}
		q.jobs = q.first[:0]
		d.keys[j.dedupKey] = q
	}
	if front {
		q.jobs = append([]*job{j}, q.jobs...)
	} else {
		q.jobs = append(q.jobs, j)
	}
	if len(q.jobs) == 1 && !q.busy && q.heapIndex < 0 {
		d.ready = append(d.ready, q)
		d.signal()
	}
}

// signal wakes one idle worker, if any is waiting.
func (d *dispatcher) signal() {
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// work is one worker's loop: take the next ready job, try it, record the outcome.
func (d *dispatcher) work() {
	defer d.workers.Done()
	for {
		q, j, ok := d.next()
		if !ok {
			return
		}
		err := d.client.send(d.ctx, j.body)
		d.finish(q, j, err)
		if err == nil {
			// Logged outside the lock, so a slow log handler holds up no other worker. The
			// job has left its queue: nothing else reads or writes it now.
			d.logger.Info("pagerduty: event accepted", "event_type", string(j.eventType),
				"action", j.action, "dedup_key", j.dedupKey, "attempts", j.attempts)
		}
	}
}

// next blocks until a job may be tried, and marks its key busy. It reports false once the
// queue is closed and empty, or unload's deadline has passed.
func (d *dispatcher) next() (*keyQueue, *job, bool) {
	var timer *time.Timer
	defer func() {
		if timer != nil {
			timer.Stop()
		}
	}()
	for {
		d.mu.Lock()
		now := d.now()
		for len(d.waiting) > 0 && !d.waiting[0].notBefore.After(now) {
			q := heap.Pop(&d.waiting).(*keyQueue)
			d.ready = append(d.ready, q)
		}
		if d.ctx.Err() != nil || (d.closed && d.pending == 0) {
			d.mu.Unlock()
			d.signal() // pass the news on to the next idle worker
			return nil, nil, false
		}
		if len(d.ready) > 0 {
			q := d.ready[0]
			d.ready[0] = nil
			d.ready = d.ready[1:]
			q.busy = true
			if len(d.ready) > 0 {
				d.signal()
			}
			j := q.jobs[0]
			d.mu.Unlock()
			return q, j, true
		}
		var wait <-chan time.Time
		if len(d.waiting) > 0 {
			if timer == nil {
				timer = time.NewTimer(d.waiting[0].notBefore.Sub(now))
			} else {
				timer.Reset(d.waiting[0].notBefore.Sub(now))
			}
			wait = timer.C
		}
		d.mu.Unlock()

		select {
		case <-d.wake:
		case <-wait:
		case <-d.ctx.Done():
		}
	}
}

// finish records the outcome of one attempt at j, the head of q.
func (d *dispatcher) finish(q *keyQueue, j *job, err error) {
	now := d.now()
	d.mu.Lock()
	defer d.mu.Unlock()
	q.busy = false
	j.attempts++
	if j.attempts == 1 {
		j.first = now
	}

	var se *sendError
	switch {
	case err == nil:
		d.delivered(j, now)
		d.pop(q)
		if j.action == actionTrigger {
			d.opened(q)
		}
		if j.resolveAfter != nil {
			d.add(&job{eventType: j.eventType, action: actionResolve, dedupKey: j.dedupKey,
				body: j.resolveAfter}, true)
		}
	case d.ctx.Err() != nil:
		// Unload's deadline cut the attempt short: leave the job to be counted as
		// undelivered.
		j.lastErr = err
	case errors.As(err, &se) && !se.Temporary():
		d.logger.Error("pagerduty: event rejected; not retrying",
			"event_type", string(j.eventType), "action", j.action, "dedup_key", j.dedupKey,
			"status", se.Status, "message", se.Message, "errors", se.Errors, "error", se.Err)
		d.giveUp(q, j)
	default:
		j.lastErr = err
		d.noteFailure(j, err, now)
		wait := d.policy.delay(j.attempts, retryAfterOf(err))
		if j.attempts >= d.policy.maxAttempts || now.Add(wait).Sub(j.first) > d.policy.maxElapsed {
			d.logger.Error("pagerduty: event not delivered; retries exhausted",
				"event_type", string(j.eventType), "action", j.action,
				"dedup_key", j.dedupKey, "attempts", j.attempts,
				"elapsed", now.Sub(j.first).Round(time.Millisecond), "last_error", err.Error())
			d.giveUp(q, j)
			d.requeue(q)
			return
		}
		d.stats.retried.Add(1)
		q.notBefore = now.Add(wait)
		heap.Push(&d.waiting, q)
		d.signal() // an idle worker must re-arm its timer for the new earliest retry
		return
	}
	d.requeue(q)
}

// requeue puts q back in line if jobs remain and it is not backing off. d.mu must be held.
func (d *dispatcher) requeue(q *keyQueue) {
	if len(q.jobs) > 0 && q.heapIndex < 0 {
		d.ready = append(d.ready, q)
		d.signal()
	}
}

// opened notes that PagerDuty accepted a trigger for q's key: the next resolve queued
// for the key now has an incident to close, whatever becomes of the triggers between.
// d.mu must be held.
func (d *dispatcher) opened(q *keyQueue) {
	d.open.accept(q.key)
	for _, later := range q.jobs {
		if later.action == actionResolve {
			later.afterTrigger = false
			return
		}
	}
}

// giveUp counts j, the head of q, as failed and removes it. A trigger given up takes
// the resolves that depended on it along, since they would close nothing. d.mu must be
// held.
func (d *dispatcher) giveUp(q *keyQueue, j *job) {
	d.stats.failed.Add(1)
	d.pop(q)
	if j.action != actionTrigger {
		return
	}
	skipped := 0
	for len(q.jobs) > 0 && q.jobs[0].afterTrigger {
		d.pop(q)
		skipped++
	}
	if skipped > 0 {
		d.stats.resolvesSkipped.Add(int64(skipped))
		d.logger.Warn("pagerduty: resolve not sent; its trigger was not delivered",
			"dedup_key", j.dedupKey, "skipped", skipped)
	}
	for _, later := range q.jobs {
		if later.action == actionTrigger {
			return
		}
	}
	d.open.lose(j.dedupKey)
}

// delivered counts an accepted job, closing an outage if one was under way.
// d.mu must be held.
func (d *dispatcher) delivered(j *job, now time.Time) {
	d.stats.sent.Add(1)
	if d.outage.failing {
		d.logger.Info("pagerduty: delivery recovered",
			"failed_attempts", d.outage.failures,
			"outage", now.Sub(d.outage.since).Round(time.Millisecond))
		d.outage = outageLog{}
	}
}

// noteFailure logs the first transient failure of an outage at warning level and later
// ones at debug level, so a long outage does not flood the log. d.mu must be held.
func (d *dispatcher) noteFailure(j *job, err error, now time.Time) {
	d.outage.failures++
	attrs := []any{"event_type", string(j.eventType), "action", j.action,
		"dedup_key", j.dedupKey, "attempt", j.attempts, "error", err.Error()}
	if !d.outage.failing {
		d.outage.failing, d.outage.since = true, now
		d.logger.Warn("pagerduty: delivery failing; retrying with backoff", attrs...)
		return
	}
	d.logger.Debug("pagerduty: delivery attempt failed", attrs...)
}

// retryAfterOf returns the Retry-After an error carries, if any.
func retryAfterOf(err error) time.Duration {
	var se *sendError
	if errors.As(err, &se) {
		return se.RetryAfter
	}
	return 0
}

// pop removes q's head job and forgets q once it is empty. d.mu must be held.
func (d *dispatcher) pop(q *keyQueue) {
	q.jobs[0] = nil
	q.jobs = q.jobs[1:]
	d.pending--
	d.stats.queued.Add(-1)
	if len(q.jobs) == 0 {
		delete(d.keys, q.key)
	}
	if d.closed && d.pending == 0 {
		d.signal()
	}
}

// maxListedKeys bounds the dedup keys named in the log line about undelivered events.
const maxListedKeys = 20

// close stops new jobs, waits until the queue drains or deadline passes, and then
// returns how many jobs were left undelivered, logging them in one line.
func (d *dispatcher) close(deadline time.Duration) int {
	d.mu.Lock()
	d.closed = true
	d.mu.Unlock()
	d.signal()

	done := make(chan struct{})
	go func() {
		d.workers.Wait()
		close(done)
	}()
	timer := time.NewTimer(deadline)
	defer timer.Stop()
	select {
	case <-done:
	case <-timer.C:
		d.cancel()
		<-done
	}
	d.cancel()

	d.mu.Lock()
	defer d.mu.Unlock()
	left := 0
	var keys []string
	var lastErr error
	for _, q := range d.keys {
		for _, j := range q.jobs {
			left++
			if len(keys) < maxListedKeys {
				keys = append(keys, j.dedupKey)
			}
			if j.lastErr != nil {
				lastErr = j.lastErr
			}
		}
	}
	if left > 0 {
		attrs := []any{"undelivered", left, "deadline", deadline, "dedup_keys", keys}
		if lastErr != nil {
			attrs = append(attrs, "last_error", lastErr.Error())
		}
		d.logger.Error("pagerduty: events not delivered before unload", attrs...)
	}
	d.stats.undelivered.Add(int64(left))
	d.stats.queued.Add(-int64(left))
	return left
}
