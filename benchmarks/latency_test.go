package benchmarks

import (
	"bytes"
	"encoding/json"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/streamspace/streamspace-pagerduty/pdreceiver"
)

// BenchmarkEndToEnd measures, per event, the time from the hook call to the receiver
// accepting the event (its handler has validated it and answered 202) and to the plugin
// having read that 202 (its "event accepted" log line). Each op is one event; ns/op
// includes the waiting and means little. "sequential" sends each event alone; "burst-200"
// hooks a whole load's budget back to back, so later events wait in the queue for the
// four workers.
func BenchmarkEndToEnd(b *testing.B) {
	for _, mode := range []struct {
		name     string
		together int
	}{{"sequential", 1}, {"burst-200", maxRateLimit}} {
		b.Run(mode.name, func(b *testing.B) { benchEndToEnd(b, mode.together) })
	}
}

// benchEndToEnd sends b.N events in groups of together, loading the plugin afresh for
// every load's budget, and reports the percentiles of both latencies.
func benchEndToEnd(b *testing.B, together int) {
	pd := openPlugin(b)
	clock := newAcceptClock()
	srv := httptest.NewServer(clock)
	defer srv.Close()
	logger, waiter := newAcceptLog()
	cfg := pluginConfig(srv.URL+pdreceiver.EnqueuePath, maxRateLimit)

	var ids sessionIDs
	toReceiver := make([]time.Duration, 0, b.N)
	to202 := make([]time.Duration, 0, b.N)
	hooked := make(map[string]time.Time, maxRateLimit)
	for done := 0; done < b.N; {
		require.NoError(b, pd.OnLoad(cfg, logger))
		for inLoad := 0; inLoad < maxRateLimit && done < b.N; {
			n := min(together, maxRateLimit-inLoad, b.N-done)
			sessions := make([]map[string]any, n)
			for i := range sessions {
				sessions[i] = session(ids.next())
			}
			for _, s := range sessions {
				hooked[dedupKeyOf(s)] = time.Now()
				require.NoError(b, pd.OnSessionHibernated(s))
			}
			for range sessions {
				a := waiter.next(b)
				start, ok := hooked[a.dedupKey]
				require.True(b, ok, "accepted an event never hooked: %q", a.dedupKey)
				delete(hooked, a.dedupKey)
				to202 = append(to202, a.at.Sub(start))
				toReceiver = append(toReceiver, clock.acceptedAt(b, a.dedupKey).Sub(start))
			}
			inLoad += n
			done += n
		}
		require.NoError(b, pd.OnUnload())
	}
	reportPercentiles(b, "recv", toReceiver)
	reportPercentiles(b, "202", to202)
}

// dedupKeyOf is the dedup key the plugin gives a hibernated session with the default
// source.
func dedupKeyOf(s map[string]any) string {
	return "streamspace/session.hibernated/" + s["id"].(string)
}

// reportPercentiles reports the median, 99th percentile and maximum of ds in
// microseconds, as name-p50-us, name-p99-us and name-max-us.
func reportPercentiles(b *testing.B, name string, ds []time.Duration) {
	for _, p := range []struct {
		label string
		q     float64
	}{{"p50", 0.50}, {"p99", 0.99}, {"max", 1}} {
		b.ReportMetric(float64(percentile(ds, p.q))/float64(time.Microsecond),
			name+"-"+p.label+"-us")
	}
}

// percentile returns the nearest-rank q-quantile of ds (0 < q <= 1), or 0 for no values.
func percentile(ds []time.Duration, q float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	sorted := slices.Clone(ds)
	slices.Sort(sorted)
	rank := int(math.Ceil(q*float64(len(sorted)))) - 1
	return sorted[min(max(rank, 0), len(sorted)-1)]
}

// acceptClock serves the strict receiver and notes when it accepted each event: when its
// handler returned after answering 202.
type acceptClock struct {
	rc *pdreceiver.Receiver
	mu sync.Mutex
	at map[string]time.Time
}

// newAcceptClock returns an acceptClock around a new receiver.
func newAcceptClock() *acceptClock {
	return &acceptClock{rc: pdreceiver.New(pdreceiver.WithLogBodyLimit(0)),
		at: make(map[string]time.Time)}
}

// ServeHTTP hands the request to the receiver and notes the time of a 202 by dedup key.
func (c *acceptClock) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
	c.rc.ServeHTTP(rec, r)
	at := time.Now()
	var ev struct {
		DedupKey string `json:"dedup_key"`
	}
	if rec.status != http.StatusAccepted || json.Unmarshal(body, &ev) != nil {
		return
	}
	c.mu.Lock()
	c.at[ev.DedupKey] = at
	c.mu.Unlock()
}

// acceptedAt returns when the receiver accepted the event with dedupKey. The plugin logs
// its acceptance only after reading the answer, so the time is always there by then.
func (c *acceptClock) acceptedAt(tb testing.TB, dedupKey string) time.Time {
	tb.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	at, ok := c.at[dedupKey]
	require.True(tb, ok, "the receiver did not accept %q", dedupKey)
	delete(c.at, dedupKey)
	return at
}

// statusRecorder remembers the status a handler wrote.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

// WriteHeader remembers code and writes it.
func (s *statusRecorder) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}
