package benchmarks

import (
	"syscall"
	"testing"
	"time"
)

// roundTrips are the receiver latencies the hook comparison runs at: loopback as it is,
// and a round trip like a real call to PagerDuty.
var roundTrips = []struct {
	name    string
	latency time.Duration
}{
	{"loopback", 0},
	{"rtt-100ms", 100 * time.Millisecond},
}

// BenchmarkHookBlocking measures how long the host's hook is blocked per event, for each
// contender, with the receiver in a process of its own answering at once or after 100 ms.
// The plugin's background delivery runs alongside, as it does in a host.
func BenchmarkHookBlocking(b *testing.B) {
	for _, rt := range roundTrips {
		b.Run(rt.name, func(b *testing.B) {
			url := startReceiverProcess(b, rt.latency)
			for _, c := range contenders() {
				b.Run(c.name, func(b *testing.B) {
					driveHooks(b, c.start(b, url), false)
				})
			}
		})
	}
}

// BenchmarkSequentialSends sends events one at a time through each contender, each
// waiting until the previous one was accepted, so one connection carries them all. It
// reports sends per second and the CPU time the client's process spent per send;
// allocs/op and cpu-us/send are the client's alone, since the receiver runs in a process
// of its own. go-pagerduty-worker measures the cost of handing each event to
// another goroutine, which the plugin's design pays and a call inside the hook does not.
func BenchmarkSequentialSends(b *testing.B) {
	url := startReceiverProcess(b, 0)
	for _, c := range sequentialContenders() {
		b.Run(c.name, func(b *testing.B) {
			cpu := driveHooks(b, c.start(b, url), true)
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "sends/s")
			b.ReportMetric(float64(cpu)/float64(time.Microsecond)/float64(b.N), "cpu-us/send")
		})
	}
}

// driveHooks calls s's hook b.N times with fresh sessions, timed; with settle set, each
// call is followed by waiting for its event's acceptance, also timed. Between chunks of at
// most one load's budget it prepares the next sessions and reloads, untimed. It returns the
// CPU time the process spent in the timed parts, in all its goroutines.
func driveHooks(b *testing.B, s *sender, settle bool) time.Duration {
	var cpu time.Duration
	var ids sessionIDs
	chunk := maxRateLimit
	if s.perLoad > 0 {
		chunk = s.perLoad
	}
	b.ReportAllocs()
	b.StopTimer()
	b.ResetTimer()
	for done := 0; done < b.N; {
		sessions := ids.batch(min(b.N-done, chunk), func(id string) any { return session(id) })
		if done > 0 {
			s.reload(b)
		}
		cpuBefore := processCPU(b)
		b.StartTimer()
		for _, ses := range sessions {
			if err := s.hook(ses); err != nil {
				b.Fatal(err)
			}
			if settle && s.settle != nil {
				s.settle(b)
			}
		}
		b.StopTimer()
		cpu += processCPU(b) - cpuBefore
		done += len(sessions)
	}
	s.stop(b)
	return cpu
}

// processCPU returns the user and system CPU time this process has used.
func processCPU(tb testing.TB) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		tb.Fatalf("getrusage: %v", err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
