package hostcompat

import (
	"fmt"
	"io"
	"strings"
)

// Severity tells whether a mismatch stops the plugin from loading.
type Severity int

const (
	// SeverityWarning marks a difference that may stop the plugin from loading.
	SeverityWarning Severity = iota
	// SeverityError marks a difference that stops the plugin from loading.
	SeverityError
)

// String renders the severity as ERROR or WARNING.
func (s Severity) String() string {
	if s == SeverityError {
		return "ERROR"
	}
	return "WARNING"
}

// Mismatch is one difference between host and plugin, with its fix.
type Mismatch struct {
	// Severity tells whether the difference stops the plugin from loading.
	Severity Severity
	// Subject names what differs, such as "Go release" or "module golang.org/x/time".
	Subject string
	// Host is the host's value.
	Host string
	// Plugin is the plugin's value, empty when only the host was checked.
	Plugin string
	// Why explains the consequence.
	Why string
	// Fix is the command, or the step, that removes the difference.
	Fix string
}

// String renders the mismatch as one line.
func (m Mismatch) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%-7s %s: host %s", m.Severity, m.Subject, orUnset(m.Host))
	if m.Plugin != "" {
		fmt.Fprintf(&b, ", plugin %s", m.Plugin)
	}
	fmt.Fprintf(&b, "; %s; fix: %s", m.Why, m.Fix)
	return b.String()
}

// Verdict is the overall outcome of a comparison.
type Verdict string

const (
	// VerdictOK means no mismatch stops the plugin (or any plugin) from loading.
	VerdictOK Verdict = "OK"
	// VerdictWillNotLoad means plugin.Open will refuse the plugin.
	VerdictWillNotLoad Verdict = "will not load"
)

// Report is the result of Compare.
type Report struct {
	// Host holds the host's facts.
	Host *Facts
	// Plugin holds the plugin's facts, nil when only the host was checked.
	Plugin *Facts
	// Mismatches lists every difference found, errors and warnings.
	Mismatches []Mismatch
}

// Errors counts the mismatches that stop the plugin from loading.
func (r Report) Errors() int {
	return r.count(SeverityError)
}

// Warnings counts the mismatches that may stop the plugin from loading.
func (r Report) Warnings() int {
	return r.count(SeverityWarning)
}

// count counts the mismatches of one severity.
func (r Report) count(s Severity) int {
	n := 0
	for _, m := range r.Mismatches {
		if m.Severity == s {
			n++
		}
	}
	return n
}

// OK reports whether nothing stops the plugin from loading.
func (r Report) OK() bool {
	return r.Errors() == 0
}

// Verdict returns VerdictOK when there is no error, VerdictWillNotLoad otherwise.
func (r Report) Verdict() Verdict {
	if r.OK() {
		return VerdictOK
	}
	return VerdictWillNotLoad
}

// Write renders the report: one line for each binary, one line for each mismatch
// and a closing verdict line.
func (r Report) Write(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "host:   %s\n", summary(r.Host))
	if r.Plugin != nil {
		fmt.Fprintf(&b, "plugin: %s\n", summary(r.Plugin))
	} else if r.Host != nil && r.OK() {
		fmt.Fprintf(&b, "plugin: none given; build one for this host with: %s\n",
			pluginBuildCommand(r.Host, "plugin.so"))
	}
	for _, m := range r.Mismatches {
		b.WriteString(m.String())
		b.WriteByte('\n')
	}
	fmt.Fprintf(&b, "verdict: %s (%s, %s)", r.Verdict(),
		plural(r.Errors(), "error"), plural(r.Warnings(), "warning"))
	if !r.OK() && r.Plugin != nil && r.Host != nil && r.Host.CGOEnabled != "0" {
		fmt.Fprintf(&b, "; %s aligns every plugin-side setting at once", alignCommand(r.Host))
	}
	b.WriteByte('\n')
	_, err := io.WriteString(w, b.String())
	if err != nil {
		return fmt.Errorf("hostcompat: writing report: %w", err)
	}
	return nil
}

// summary renders the facts that matter for loading on one line.
func summary(f *Facts) string {
	if f == nil {
		return "(no facts)"
	}
	return fmt.Sprintf("%s (%s, -buildmode=%s, CGO_ENABLED=%s, %s/%s, libc %s, "+
		"GOROOT %s, GOMODCACHE %s)", f.Path, f.GoVersion, orUnset(f.BuildMode),
		orUnset(f.CGOEnabled), f.GOOS, f.GOARCH, f.Libc, f.GOROOT, f.GOMODCACHE)
}

// plural renders a count with its noun.
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// orUnset renders an empty value as "(unset)".
func orUnset(s string) string {
	if s == "" {
		return "(unset)"
	}
	return s
}
