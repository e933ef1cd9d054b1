package main

import (
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"
)

// dropSummaryInterval is how often, at most, a stream of drops for one reason is summed
// up in the log while it lasts.
const dropSummaryInterval = time.Minute

// hourlyLimiter lets through at most perHour events in any hour: a token bucket that
// holds perHour tokens and refills at perHour per hour, so a quiet hour's budget can be
// spent in one burst.
type hourlyLimiter struct {
	bucket  *rate.Limiter
	now     func() time.Time
	dropped *dropReporter
}

// newHourlyLimiter returns a full bucket of perHour tokens. now is the clock, injectable
// for tests; drops are counted in counter and reported to logger.
func newHourlyLimiter(perHour int, now func() time.Time, logger *slog.Logger,
	counter *atomic.Int64) *hourlyLimiter {
	every := rate.Limit(float64(perHour) / time.Hour.Seconds())
	return &hourlyLimiter{
		bucket: rate.NewLimiter(every, perHour),
		now:    now,
		dropped: newDropReporter(logger, counter, "rate_limit",
			slog.Int("rate_limit_per_hour", perHour)),
	}
}

// allow takes a token for one event of type t, or counts and reports the event as
// dropped when the bucket is empty.
func (l *hourlyLimiter) allow(t EventType) bool {
	now := l.now()
	if l.bucket.AllowN(now, 1) {
		l.dropped.resume(now)
		return true
	}
	l.dropped.drop(now, t)
	return false
}

// dropReporter counts events dropped for one reason and logs them without flooding: one
// warning when dropping starts, a summary at most every dropSummaryInterval while it goes
// on, and a closing line with the episode's total when it stops.
type dropReporter struct {
	logger *slog.Logger
	reason string
	attrs  []any
	total  *atomic.Int64

	dropping atomic.Bool // fast path: resume is lock-free while nothing was dropped

	mu         sync.Mutex
	episode    int64 // dropped since dropping started
	sinceLog   int64 // dropped since the last summary
	lastLogged time.Time
}

// newDropReporter returns a reporter that adds to total and logs with the given reason
// and extra attributes.
func newDropReporter(logger *slog.Logger, total *atomic.Int64, reason string,
	attrs ...any) *dropReporter {
	return &dropReporter{logger: logger, reason: reason, attrs: attrs, total: total}
}

// drop counts one dropped event of type t.
func (d *dropReporter) drop(now time.Time, t EventType) {
	d.total.Add(1)
	d.mu.Lock()
	defer d.mu.Unlock()
	d.episode++
	d.sinceLog++
	switch {
	case !d.dropping.Load():
		d.dropping.Store(true)
		d.lastLogged, d.sinceLog = now, 0
		d.logger.Warn("pagerduty: dropping events",
			append([]any{"reason", d.reason, "event_type", string(t)}, d.attrs...)...)
	case now.Sub(d.lastLogged) >= dropSummaryInterval:
		d.logger.Warn("pagerduty: still dropping events",
			append([]any{"reason", d.reason, "dropped_since_last_report", d.sinceLog,
				"dropped_in_episode", d.episode, "dropped_total", d.total.Load()},
				d.attrs...)...)
		d.lastLogged, d.sinceLog = now, 0
	}
}

// resume ends a dropping episode, if one is under way, with a line giving its total.
func (d *dropReporter) resume(now time.Time) {
	if !d.dropping.Load() {
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if !d.dropping.Load() {
		return
	}
	d.logger.Info("pagerduty: stopped dropping events",
		append([]any{"reason", d.reason, "dropped_in_episode", d.episode,
			"dropped_total", d.total.Load()}, d.attrs...)...)
	d.dropping.Store(false)
	d.episode, d.sinceLog = 0, 0
	d.lastLogged = now
}
