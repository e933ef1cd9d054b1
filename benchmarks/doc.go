// Package benchmarks measures the streamspace-pagerduty plugin: the cost of its hooks
// when a host drives it through plugin.Open, the latency from a hook to PagerDuty's 202 on
// loopback, a burst of events over the rate limit, and a side-by-side comparison with
// github.com/PagerDuty/go-pagerduty and with a naive sender that posts inside the hook.
//
// It is a module of its own so that go-pagerduty and its requirements never enter the
// plugin's go.mod. BENCHMARKS.md at the repository root records the figures and the
// commands that produce them; `make bench` runs them all.
package benchmarks
