package benchmarks

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/streamspace/streamspace-pagerduty/internal/sobuild"
	"github.com/streamspace/streamspace-pagerduty/pdreceiver"
)

func TestPercentileIsNearestRank(t *testing.T) {
	ms := func(ns ...int) []time.Duration {
		out := make([]time.Duration, len(ns))
		for i, n := range ns {
			out[i] = time.Duration(n) * time.Millisecond
		}
		return out
	}
	hundred := make([]int, 100)
	for i := range hundred {
		hundred[i] = 100 - i
	}
	for _, tc := range []struct {
		name string
		ds   []time.Duration
		q    float64
		want time.Duration
	}{
		{"no values", nil, 0.5, 0},
		{"one value", ms(7), 0.99, 7 * time.Millisecond},
		{"median of unsorted odd count", ms(5, 1, 3), 0.5, 3 * time.Millisecond},
		{"median of even count is the lower middle", ms(4, 1, 3, 2), 0.5, 2 * time.Millisecond},
		{"p99 of 1..100", ms(hundred...), 0.99, 99 * time.Millisecond},
		{"max", ms(hundred...), 1, 100 * time.Millisecond},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, percentile(tc.ds, tc.q))
		})
	}
}

// TestContendersSendTheSameAlert proves that every contender delivers a valid event that
// the strict receiver accepts, with the same dedup key, summary and custom details, so
// the comparison weighs equal work.
func TestContendersSendTheSameAlert(t *testing.T) {
	srv, err := pdreceiver.Start("")
	require.NoError(t, err)
	defer srv.Close()
	for _, c := range sequentialContenders() {
		t.Run(c.name, func(t *testing.T) {
			srv.Reset()
			s := c.start(t, srv.URL())
			require.NoError(t, s.hook(session("same-alert")))
			if s.settle != nil {
				s.settle(t)
			}
			s.stop(t)

			snap := srv.Snapshot()
			require.Equal(t, 1, snap.Accepted, "rejected: %v", srv.Rejected())
			ev := srv.Accepted()[0]
			assert.Equal(t, "streamspace/session.hibernated/same-alert", ev.DedupKey)
			assert.Equal(t, "StreamSpace Session Hibernated: same-alert "+
				"(user john@example.com, template firefox)", ev.Payload.Summary)
			var details map[string]string
			require.NoError(t, json.Unmarshal(ev.Payload.CustomDetails, &details))
			assert.Equal(t, map[string]string{"Event": "session.hibernated",
				"Session ID": "same-alert", "User": "john@example.com", "Template": "firefox",
				"Memory": "2Gi", "CPU": "1000m"}, details)
		})
	}
}

// TestReceiverProcessServesTheStrictReceiver proves that the receiver process answers
// like pdreceiver: 202 for a valid event, and 400 for one without a routing key.
func TestReceiverProcessServesTheStrictReceiver(t *testing.T) {
	url := startReceiverProcess(t, 0)
	naive := startNaive(t, url)
	require.NoError(t, naive.hook(session("process-ok")))

	bad := newSimpleEvent(session("process-bad"))
	bad.RoutingKey = ""
	require.ErrorContains(t, postJSON(url, bad), "HTTP 400")
}

// TestStrippedPluginLoadsAndDelivers proves that the plugin linked with -s -w, whose size
// BENCHMARKS.md records, still opens through plugin.Open and delivers.
func TestStrippedPluginLoadsAndDelivers(t *testing.T) {
	pd := openBuild(t, sobuild.Options{Dir: "..", LDFlags: "-s -w",
		PluginPath: "github.com/streamspace/streamspace-pagerduty/stripped"})

	srv, err := pdreceiver.Start("")
	require.NoError(t, err)
	defer srv.Close()
	require.NoError(t, pd.OnLoad(pluginConfig(srv.URL(), 10), discardLogger()))
	require.NoError(t, pd.OnSessionHibernated(session("stripped")))
	ctx, cancel := context.WithTimeout(context.Background(), hangBound)
	defer cancel()
	require.NoError(t, srv.WaitFor(ctx, func(s pdreceiver.Snapshot) bool {
		return s.Accepted == 1
	}))
	require.NoError(t, pd.OnUnload())
	assert.EqualValues(t, 1, pd.Stats()["sent"])
}
