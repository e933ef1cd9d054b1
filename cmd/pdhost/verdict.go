package main

import (
	"fmt"
	"io"
	"sort"
	"text/tabwriter"

	"github.com/streamspace/streamspace-pagerduty/pdreceiver"
)

// observed is what the demo saw: the stand-in's log and incidents, the plugin's counters
// and the errors its hooks and unload returned.
type observed struct {
	requests   []pdreceiver.Request
	incidents  []pdreceiver.Incident
	stats      map[string]int64 // nil when the plugin has no Stats method
	hookErrors []string
	unloadErr  error
}

// tally is the observed counterpart of a prediction's totals.
type tally struct {
	triggers, resolves, notAccepted int
}

// count sorts the logged requests into accepted triggers, accepted resolves and requests
// not answered with a normal 202.
func count(reqs []pdreceiver.Request) tally {
	var t tally
	for _, r := range reqs {
		switch r.Outcome {
		case pdreceiver.OutcomeOpened, pdreceiver.OutcomeReopened, pdreceiver.OutcomeAbsorbed:
			if r.Event != nil && r.Event.EventAction == pdreceiver.ActionTrigger {
				t.triggers++
			} else {
				t.notAccepted++ // an acknowledge: the plugin never sends one
			}
		case pdreceiver.OutcomeResolved, pdreceiver.OutcomeDropped:
			if r.Event != nil && r.Event.EventAction == pdreceiver.ActionResolve {
				t.resolves++
			} else {
				t.notAccepted++
			}
		default:
			t.notAccepted++
		}
	}
	return t
}

// check is one row of the verdict table.
type check struct {
	name          string
	expected, got int64
	known         bool // false when the plugin cannot report the value
}

// verdict compares what was observed with the prediction. It returns the rows of the
// summary table and every difference found, the rows' included.
func verdict(p *prediction, o observed) ([]check, []string) {
	t := count(o.requests)
	open := 0
	for _, inc := range o.incidents {
		if inc.Status != pdreceiver.StatusResolved {
			open++
		}
	}
	checks := []check{
		{"triggers accepted", int64(p.triggers), int64(t.triggers), true},
		{"resolves accepted", int64(p.resolves), int64(t.resolves), true},
		{"requests not accepted", 0, int64(t.notAccepted), true},
		{"incidents", int64(len(p.incidents)), int64(len(o.incidents)), true},
		{"open incidents", int64(len(p.incidents) - p.statusCount(pdreceiver.StatusResolved)),
			int64(open), true},
	}
	want := p.counters()
	for _, name := range sortedNames(want) {
		got, ok := o.stats[name]
		checks = append(checks, check{"counter " + name, want[name], got, ok})
	}
	var diffs []string
	for _, c := range checks {
		switch {
		case !c.known:
			diffs = append(diffs, fmt.Sprintf("%s: expected %d, the plugin does not report it",
				c.name, c.expected))
		case c.got != c.expected:
			diffs = append(diffs, fmt.Sprintf("%s: expected %d, got %d", c.name, c.expected,
				c.got))
		}
	}
	diffs = append(diffs, incidentDiffs(p, o.incidents)...)
	diffs = append(diffs, o.hookErrors...)
	if o.unloadErr != nil {
		diffs = append(diffs, "unload: "+o.unloadErr.Error())
	}
	return checks, diffs
}

// incidentDiffs compares each incident with the expected one under its dedup key.
func incidentDiffs(p *prediction, got []pdreceiver.Incident) []string {
	var diffs []string
	seen := map[string]bool{}
	for _, inc := range got {
		seen[inc.DedupKey] = true
		want, ok := p.byKey[inc.DedupKey]
		if !ok {
			diffs = append(diffs, fmt.Sprintf("incident %s: not expected (%s, %d events)",
				inc.DedupKey, inc.Status, inc.Events))
			continue
		}
		if inc.Status != want.status || inc.Events != want.events ||
			inc.Opened != want.opened || inc.Severity != want.severity {
			diffs = append(diffs, fmt.Sprintf("incident %s: expected %s, got %s",
				inc.DedupKey, describeIncident(want.status, want.events, want.opened,
					want.severity),
				describeIncident(inc.Status, inc.Events, inc.Opened, inc.Severity)))
		}
	}
	for _, want := range p.incidents {
		if !seen[want.key] {
			diffs = append(diffs, fmt.Sprintf("incident %s: expected %s, got none", want.key,
				describeIncident(want.status, want.events, want.opened, want.severity)))
		}
	}
	return diffs
}

// describeIncident renders an incident's state for a difference line.
func describeIncident(s pdreceiver.Status, events, opened int, severity string) string {
	return fmt.Sprintf("%s, %d events, opened %d times, severity %s", s, events, opened,
		severity)
}

// writeVerdict prints the verdict table and the differences; it returns true when there
// are none.
func writeVerdict(w io.Writer, checks []check, diffs []string) bool {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "CHECK\tEXPECTED\tGOT")
	for _, c := range checks {
		got := fmt.Sprint(c.got)
		if !c.known {
			got = "?"
		}
		if !c.known || c.got != c.expected {
			got += "  <- differs"
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\n", c.name, c.expected, got)
	}
	_ = tw.Flush()
	if len(diffs) == 0 {
		fmt.Fprintln(w, "\nverdict: OK, PagerDuty received what the config predicts")
		return true
	}
	fmt.Fprintf(w, "\nverdict: MISMATCH, %d differences from what the config predicts:\n",
		len(diffs))
	for _, d := range diffs {
		fmt.Fprintln(w, "  - "+d)
	}
	return false
}

// sortedNames returns the keys of m in order.
func sortedNames(m map[string]int64) []string {
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}
