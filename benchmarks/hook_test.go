package benchmarks

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/streamspace/streamspace-pagerduty/pdreceiver"
)

// BenchmarkPluginHook measures OnSessionHibernated called through plugin.Open: the
// accepted path, where the event is built, encoded and queued, and the path that drops it
// over the hourly rate limit.
func BenchmarkPluginHook(b *testing.B) {
	pd := openPlugin(b)
	for _, shape := range sessionShapes {
		b.Run("accepted/"+shape.name, func(b *testing.B) {
			benchAcceptedParked(b, pd, shape.make)
		})
	}
	for _, shape := range sessionShapes {
		b.Run("dropped/"+shape.name, func(b *testing.B) { benchDropped(b, pd, shape.make) })
	}
}

// benchAcceptedParked times hook calls whose events reach the queue. A load allows at most
// maxRateLimit events, so the plugin is loaded afresh for every batch. Before the timer
// starts, one event per delivery worker holds that worker in a request the receiver
// stalls, so that no delivery runs, and allocates, alongside the timed calls, and the queue
// has room for the whole batch. After each batch the receiver is released and OnUnload
// delivers everything, untimed.
func benchAcceptedParked(b *testing.B, pd pagerDutyPlugin, mk func(string) any) {
	srv, err := pdreceiver.Start("", pdreceiver.WithLogBodyLimit(0))
	require.NoError(b, err)
	defer srv.Close()
	cfg := pluginConfig(srv.URL(), maxRateLimit)
	var ids sessionIDs
	var cpu time.Duration
	const batchSize = maxRateLimit - deliveryWorkers

	b.ReportAllocs()
	b.StopTimer()
	b.ResetTimer()
	for done := 0; done < b.N; {
		batch := ids.batch(min(b.N-done, batchSize), mk)
		release := make(chan struct{})
		require.NoError(b, srv.SetAlways(pdreceiver.Stall(release)))
		require.NoError(b, pd.OnLoad(cfg, discardLogger()))
		for _, s := range ids.batch(deliveryWorkers, mk) {
			require.NoError(b, pd.OnSessionHibernated(s))
		}
		waitReceiver(b, srv, func(s pdreceiver.Snapshot) bool {
			return s.Stalled == deliveryWorkers
		})

		cpuBefore := processCPU(b)
		b.StartTimer()
		for _, s := range batch {
			if err := pd.OnSessionHibernated(s); err != nil {
				b.Fatal(err)
			}
		}
		b.StopTimer()
		cpu += processCPU(b) - cpuBefore

		srv.ClearFaults()
		close(release)
		require.NoError(b, pd.OnUnload())
		stats := pd.Stats()
		require.EqualValues(b, len(batch)+deliveryWorkers, stats["sent"], "stats: %v", stats)
		require.Zero(b, srv.Snapshot().Rejected)
		srv.Reset()
		done += len(batch)
	}
	reportCPU(b, cpu)
}

// benchDropped times hook calls over the rate limit: a one-event budget is spent and the
// first drop logged before the timer starts, so every timed call is counted and dropped.
func benchDropped(b *testing.B, pd pagerDutyPlugin, mk func(string) any) {
	srv, err := pdreceiver.Start("", pdreceiver.WithLogBodyLimit(0))
	require.NoError(b, err)
	defer srv.Close()
	require.NoError(b, pd.OnLoad(pluginConfig(srv.URL(), 1), discardLogger()))
	s := mk("bench-session-dropped")
	require.NoError(b, pd.OnSessionHibernated(s))
	require.NoError(b, pd.OnSessionHibernated(s))

	b.ReportAllocs()
	cpuBefore := processCPU(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := pd.OnSessionHibernated(s); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	reportCPU(b, processCPU(b)-cpuBefore)

	require.NoError(b, pd.OnUnload())
	stats := pd.Stats()
	require.EqualValues(b, 1, stats["sent"])
	require.EqualValues(b, b.N+1, stats["dropped_rate_limit"])
}

// reportCPU reports the process's CPU time per op: unlike ns/op, it does not grow when
// other processes hold the machine's cores. With the workers parked, the hook is all that
// runs.
func reportCPU(b *testing.B, cpu time.Duration) {
	b.ReportMetric(float64(cpu)/float64(b.N), "cpu-ns/op")
}

// waitReceiver waits until cond holds for the receiver's state, failing on a hang.
func waitReceiver(tb testing.TB, srv *pdreceiver.Server, cond func(pdreceiver.Snapshot) bool) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), hangBound)
	defer cancel()
	require.NoError(tb, srv.WaitFor(ctx, cond))
}
