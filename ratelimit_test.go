package main

import (
	"bytes"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeClock is a clock the test moves by hand.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{t: time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// syncBuffer is a bytes.Buffer safe for the concurrent writes of a logger.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// lines returns the log lines that contain substr.
func (b *syncBuffer) lines(substr string) []string {
	var out []string
	for _, l := range strings.Split(b.String(), "\n") {
		if strings.Contains(l, substr) {
			out = append(out, l)
		}
	}
	return out
}

// newTestLogger logs every level as text into a buffer.
func newTestLogger() (*slog.Logger, *syncBuffer) {
	buf := &syncBuffer{}
	return slog.New(slog.NewTextHandler(buf, &slog.HandlerOptions{Level: slog.LevelDebug})), buf
}

func TestHourlyLimiterBurstThenRefill(t *testing.T) {
	clock := newFakeClock()
	logger, logs := newTestLogger()
	var dropped atomic.Int64
	l := newHourlyLimiter(10, clock.Now, logger, &dropped)

	for i := 0; i < 10; i++ {
		require.True(t, l.allow(EventSessionHibernated), "event %d of a full bucket", i)
	}
	assert.False(t, l.allow(EventSessionHibernated))
	assert.EqualValues(t, 1, dropped.Load())

	// One token comes back every 6 minutes at 10 per hour.
	clock.Advance(5 * time.Minute)
	assert.False(t, l.allow(EventSessionHibernated))
	clock.Advance(time.Minute + time.Second)
	assert.True(t, l.allow(EventSessionHibernated))
	assert.False(t, l.allow(EventSessionHibernated))

	// An idle hour refills the whole bucket, and no more.
	clock.Advance(3 * time.Hour)
	n := 0
	for l.allow(EventSessionHibernated) {
		n++
	}
	assert.Equal(t, 10, n)
	assert.EqualValues(t, 4, dropped.Load())
	assert.Len(t, logs.lines("stopped dropping events"), 2)
}

func TestDropLogDoesNotFlood(t *testing.T) {
	clock := newFakeClock()
	logger, logs := newTestLogger()
	var dropped atomic.Int64
	l := newHourlyLimiter(1, clock.Now, logger, &dropped)
	require.True(t, l.allow(EventUserCreated))

	// 10,000 drops within ten minutes.
	for i := 0; i < 10_000; i++ {
		if i%1000 == 0 && i > 0 {
			clock.Advance(time.Minute)
		}
		require.False(t, l.allow(EventUserCreated))
	}
	assert.EqualValues(t, 10_000, dropped.Load())
	starts := logs.lines(`msg="pagerduty: dropping events"`)
	summaries := logs.lines("still dropping events")
	assert.Len(t, starts, 1)
	assert.Contains(t, starts[0], "reason=rate_limit")
	assert.Contains(t, starts[0], "rate_limit_per_hour=1")
	assert.Len(t, summaries, 9, "one summary a minute")
	assert.Contains(t, summaries[0], "dropped_since_last_report=1000")

	// The bucket refills; the episode closes with its total.
	clock.Advance(time.Hour)
	require.True(t, l.allow(EventUserCreated))
	end := logs.lines("stopped dropping events")
	require.Len(t, end, 1)
	assert.Contains(t, end[0], "dropped_in_episode=10000")
	assert.Less(t, len(strings.Split(logs.String(), "\n")), 15)
}

func TestHourlyLimiterConcurrent(t *testing.T) {
	clock := newFakeClock()
	logger, _ := newTestLogger()
	var dropped atomic.Int64
	l := newHourlyLimiter(50, clock.Now, logger, &dropped)
	var allowed atomic.Int64
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 100; i++ {
				if l.allow(EventSessionCreated) {
					allowed.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	assert.EqualValues(t, 50, allowed.Load())
	assert.EqualValues(t, 750, dropped.Load())
}
