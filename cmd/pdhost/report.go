package main

import (
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/streamspace/streamspace-pagerduty/hostloader"
	"github.com/streamspace/streamspace-pagerduty/pdreceiver"
)

// counterOrder is the order README.md lists the plugin's counters in; others follow
// sorted by name.
var counterOrder = []string{"sent", "dropped_rate_limit", "dropped_queue_full", "failed",
	"retried", "queued", "invalid_input", "undelivered_at_unload", "resolves_skipped"}

// writeReceived prints what the stand-in received and the incidents that resulted.
func writeReceived(w io.Writer, rc *pdreceiver.Receiver) error {
	fmt.Fprintln(w, "\nWhat PagerDuty received:")
	if err := rc.WriteEvents(w); err != nil {
		return err
	}
	fmt.Fprintln(w, "\nIncidents:")
	return rc.WriteIncidents(w)
}

// writeStats prints the plugin's counters, or says it has none.
func writeStats(w io.Writer, p *hostloader.Loaded) {
	stats, ok := p.Stats()
	if !ok {
		fmt.Fprintln(w, "\nPlugin counters: none (the plugin has no Stats method)")
		return
	}
	fmt.Fprintln(w, "\nPlugin counters:")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	done := map[string]bool{}
	for _, name := range counterOrder {
		if v, ok := stats[name]; ok {
			fmt.Fprintf(tw, "  %s\t%d\n", name, v)
			done[name] = true
		}
	}
	for _, name := range sortedNames(stats) {
		if !done[name] {
			fmt.Fprintf(tw, "  %s\t%d\n", name, stats[name])
		}
	}
	_ = tw.Flush()
}
