package pdreceiver

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"unicode"
	"unicode/utf8"
)

// Display widths of the table columns that can be long.
const (
	enumColumnChars     = 12
	summaryColumnChars  = 48
	dedupKeyColumnChars = 40
)

// minScrubChars is the shortest routing key the tables scrub from their
// cells; shorter strings would match ordinary text.
const minScrubChars = 8

// WriteEvents writes every logged request as a table with the columns
// TIME, ACTION, SEVERITY, SUMMARY, DEDUP KEY and ANSWER (status and
// outcome). Any routing key the receiver has seen is replaced by its
// redacted form wherever it appears; long cells are then truncated.
func (rc *Receiver) WriteEvents(w io.Writer) error {
	reqs := rc.Requests()
	cell := rc.cellFormatter()
	tw := newTable(w, "TIME", "ACTION", "SEVERITY", "SUMMARY", "DEDUP KEY", "ANSWER")
	for _, r := range reqs {
		answer := fmt.Sprintf("%d %s", r.Status, r.Outcome)
		if r.Status == 0 {
			answer = "- " + string(r.Outcome)
		}
		key := r.DedupKey
		if key == "" && r.Event != nil {
			key = r.Event.DedupKey
		}
		tw.row(r.Time.Format("15:04:05.000"),
			cell(eventAction(r.Event), enumColumnChars),
			cell(r.Event.severity(), enumColumnChars),
			cell(r.Event.summary(), summaryColumnChars),
			cell(key, dedupKeyColumnChars),
			answer)
	}
	return tw.flush()
}

// WriteIncidents writes every incident, sorted by first seen, as a table
// with the columns DEDUP KEY, STATE, EVENTS, OPENED and SUMMARY (the
// latest trigger's), scrubbed and truncated as in WriteEvents.
func (rc *Receiver) WriteIncidents(w io.Writer) error {
	incidents := rc.Incidents()
	cell := rc.cellFormatter()
	tw := newTable(w, "DEDUP KEY", "STATE", "EVENTS", "OPENED", "SUMMARY")
	for _, inc := range incidents {
		tw.row(cell(inc.DedupKey, dedupKeyColumnChars),
			string(inc.Status),
			fmt.Sprint(inc.Events),
			fmt.Sprint(inc.Opened),
			cell(inc.LastSummary, summaryColumnChars))
	}
	return tw.flush()
}

// table writes tab-separated rows through a tabwriter, keeping the first
// write error.
type table struct {
	tw  *tabwriter.Writer
	err error
}

// newTable starts a table with the given header.
func newTable(w io.Writer, header ...string) *table {
	t := &table{tw: tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)}
	t.row(header...)
	return t
}

// row writes one row; cells must not hold tabs or newlines.
func (t *table) row(cells ...string) {
	if t.err == nil {
		_, t.err = fmt.Fprintln(t.tw, strings.Join(cells, "\t"))
	}
}

// flush ends the table and returns the first error met.
func (t *table) flush() error {
	if t.err != nil {
		return fmt.Errorf("pdreceiver: write table: %w", t.err)
	}
	if err := t.tw.Flush(); err != nil {
		return fmt.Errorf("pdreceiver: write table: %w", err)
	}
	return nil
}

// cellFormatter returns a function that makes a table cell of at most n
// characters from s: every routing key of at least minScrubChars
// characters the receiver has seen becomes its redacted form, control and
// line-separator characters become spaces, the rest is truncated with "…",
// and an empty cell becomes "-".
func (rc *Receiver) cellFormatter() func(s string, n int) string {
	rc.mu.Lock()
	var pairs []string
	for key := range rc.st.routingKeys {
		if utf8.RuneCountInString(string(key)) >= minScrubChars {
			pairs = append(pairs, string(key), key.Redacted())
		}
	}
	rc.mu.Unlock()
	scrub := strings.NewReplacer(pairs...)
	return func(s string, n int) string {
		s = strings.Map(printable, scrub.Replace(s))
		if s == "" {
			return "-"
		}
		if utf8.RuneCountInString(s) <= n {
			return s
		}
		return string([]rune(s)[:n-1]) + "…"
	}
}

// printable maps characters that would break a table row to a space.
func printable(r rune) rune {
	if unicode.IsControl(r) || unicode.In(r, unicode.Zl, unicode.Zp) {
		return ' '
	}
	return r
}

// eventAction returns the event's action, or "" for no event.
func eventAction(e *Event) string {
	if e == nil {
		return ""
	}
	return e.EventAction
}
