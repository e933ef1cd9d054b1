package benchmarks

import (
	"runtime"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/streamspace/streamspace-pagerduty/pdreceiver"
)

// burstSize is how many events one burst over the rate limit sends.
const burstSize = 10_000

// BenchmarkBurstOverLimit measures a burst of burstSize hibernations, each a distinct
// session, against a plugin whose hourly budget is already spent: each op is one whole
// burst. It reports the heap growth across the burst (HeapAlloc after minus before, the
// heap collected just before), what the plugin still holds after a collection (retained-B),
// and the bytes and objects allocated (B/op, allocs/op). The sessions are built before the
// measurement and kept alive through it, as a host's would be.
func BenchmarkBurstOverLimit(b *testing.B) {
	pd := openPlugin(b)
	srv, err := pdreceiver.Start("", pdreceiver.WithLogBodyLimit(0))
	require.NoError(b, err)
	defer srv.Close()
	require.NoError(b, pd.OnLoad(pluginConfig(srv.URL(), 1), discardLogger()))
	require.NoError(b, pd.OnSessionHibernated(session("bench-spends-the-budget")))

	var ids sessionIDs
	var growth, retained int64
	b.ReportAllocs()
	b.StopTimer()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		burst := ids.batch(burstSize, func(id string) any { return session(id) })
		var before, after, collected runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		b.StartTimer()
		for _, s := range burst {
			if err := pd.OnSessionHibernated(s); err != nil {
				b.Fatal(err)
			}
		}
		b.StopTimer()
		runtime.ReadMemStats(&after)
		runtime.GC()
		runtime.ReadMemStats(&collected)
		runtime.KeepAlive(burst) // the sessions are the host's: live throughout
		growth += int64(after.HeapAlloc) - int64(before.HeapAlloc)
		retained += int64(collected.HeapAlloc) - int64(before.HeapAlloc)
	}
	b.ReportMetric(float64(growth)/float64(b.N), "heap-growth-B")
	b.ReportMetric(float64(retained)/float64(b.N), "retained-B")

	require.NoError(b, pd.OnUnload())
	stats := pd.Stats()
	require.EqualValues(b, 1, stats["sent"])
	require.EqualValues(b, b.N*burstSize, stats["dropped_rate_limit"])
}
