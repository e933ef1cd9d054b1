package benchmarks

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"plugin"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/streamspace/streamspace-pagerduty/internal/sobuild"
)

func TestMain(m *testing.M) { os.Exit(sobuild.Run(m)) }

// hangBound only catches hangs; nothing measured comes near it.
const hangBound = 30 * time.Second

// Plugin limits the benchmarks work around: the highest hourly budget a load accepts and
// the number of delivery workers.
const (
	maxRateLimit    = 200
	deliveryWorkers = 4
)

// routingKey is a valid 32-character key; the receivers never forward it anywhere.
const routingKey = "BENCHk3yZZZZZZZZZZZZZZZZZZZZZZ42"

// acceptedMessage is the line the plugin logs once PagerDuty has answered 202 and the
// client has read the answer.
const acceptedMessage = "pagerduty: event accepted"

// pagerDutyPlugin is what the benchmarks need of the .so, declared by the host side as
// README.md describes.
type pagerDutyPlugin interface {
	OnLoad(config map[string]any, logger *slog.Logger) error
	OnUnload() error
	OnSessionHibernated(session any) error
	Stats() map[string]int64
}

// openPlugin builds the real plugin from the parent module with this test binary's flags
// (once per binary) and opens it the way a host does.
func openPlugin(tb testing.TB) pagerDutyPlugin {
	tb.Helper()
	return openBuild(tb, sobuild.Options{Dir: ".."})
}

// openBuild builds the plugin as opts say and opens it the way a host does.
func openBuild(tb testing.TB, opts sobuild.Options) pagerDutyPlugin {
	tb.Helper()
	p, err := plugin.Open(sobuild.Build(tb, opts))
	require.NoError(tb, err)
	sym, err := p.Lookup("Plugin")
	require.NoError(tb, err)
	pd, ok := sym.(pagerDutyPlugin)
	require.True(tb, ok, "Plugin is a %T", sym)
	return pd
}

// pluginConfig is a configuration as JSON decoding hands it over, sending to url with the
// given hourly budget.
func pluginConfig(url string, rateLimit int) map[string]any {
	return map[string]any{"routingKey": routingKey, "eventsURL": url,
		"rateLimit": float64(rateLimit)}
}

// session returns a StreamSpace-style session map with the given ID.
func session(id string) map[string]any {
	return map[string]any{"id": id, "user": "john@example.com", "template": "firefox",
		"resources": map[string]any{"memory": "2Gi", "cpu": "1000m"}}
}

// apiSession mirrors the API server's session row, which the plugin reads by reflection.
type apiSession struct {
	ID           string `json:"id"`
	UserID       string `json:"user_id"`
	TemplateName string `json:"template_name"`
	Memory       string `json:"memory"`
	CPU          string `json:"cpu"`
	State        string `json:"state"`
}

// sessionShapes are the event shapes the hook benchmarks feed the plugin.
var sessionShapes = []struct {
	name string
	make func(id string) any
}{
	{"map", func(id string) any { return session(id) }},
	{"struct", func(id string) any {
		return &apiSession{ID: id, UserID: "john@example.com", TemplateName: "firefox",
			Memory: "2Gi", CPU: "1000m", State: "hibernated"}
	}},
}

// sessionIDs hands out session IDs that are unique within the test binary, so that every
// event opens an incident of its own, as distinct sessions do.
type sessionIDs struct{ n int }

// next returns the next ID.
func (s *sessionIDs) next() string {
	s.n++
	return fmt.Sprintf("bench-session-%08d", s.n)
}

// batch returns n fresh sessions of the given shape.
func (s *sessionIDs) batch(n int, mk func(id string) any) []any {
	out := make([]any, n)
	for i := range out {
		out[i] = mk(s.next())
	}
	return out
}

// discardLogger formats every line as JSON and throws it away: a host's handler without
// the I/O.
func discardLogger() *slog.Logger {
	return slog.New(slog.NewJSONHandler(io.Discard, nil))
}

// acceptance is one "event accepted" line: the event's dedup key and when it was logged.
type acceptance struct {
	dedupKey string
	at       time.Time
}

// acceptLog is a slog.Handler that formats every record as JSON into io.Discard and
// reports each "event accepted" line on accepted. The channel must be drained: a full
// channel holds up the plugin's delivery worker that logs.
type acceptLog struct {
	slog.Handler
	accepted chan acceptance
}

// newAcceptLog returns a logger whose handler reports acceptances, and the waiter that
// reads them. Up to a full load's budget of acceptances can wait to be read.
func newAcceptLog() (*slog.Logger, *acceptWaiter) {
	ch := make(chan acceptance, 2*maxRateLimit)
	h := &acceptLog{Handler: slog.NewJSONHandler(io.Discard, nil), accepted: ch}
	return slog.New(h), &acceptWaiter{accepted: ch, timer: time.NewTimer(hangBound)}
}

// Handle formats r and reports it when it is an acceptance.
func (h *acceptLog) Handle(ctx context.Context, r slog.Record) error {
	err := h.Handler.Handle(ctx, r)
	if r.Message == acceptedMessage {
		a := acceptance{at: time.Now()}
		r.Attrs(func(attr slog.Attr) bool {
			if attr.Key == "dedup_key" {
				a.dedupKey = attr.Value.String()
				return false
			}
			return true
		})
		h.accepted <- a
	}
	return err
}

// WithAttrs keeps the reporting on a logger with attributes.
func (h *acceptLog) WithAttrs(attrs []slog.Attr) slog.Handler {
	return &acceptLog{Handler: h.Handler.WithAttrs(attrs), accepted: h.accepted}
}

// WithGroup keeps the reporting on a logger with a group.
func (h *acceptLog) WithGroup(name string) slog.Handler {
	return &acceptLog{Handler: h.Handler.WithGroup(name), accepted: h.accepted}
}

// acceptWaiter reads acceptances. It reuses one timer, so that waiting allocates nothing
// that would be counted against the plugin.
type acceptWaiter struct {
	accepted <-chan acceptance
	timer    *time.Timer
}

// next waits for the next acceptance, failing on a hang.
func (w *acceptWaiter) next(tb testing.TB) acceptance {
	w.timer.Reset(hangBound)
	select {
	case a := <-w.accepted:
		return a
	case <-w.timer.C:
		tb.Fatalf("no %q line within %s", acceptedMessage, hangBound)
		return acceptance{}
	}
}

// startReceiverProcess runs cmd/benchreceiver, adding latency before every answer, and
// returns its enqueue URL. The process ends when the test does.
func startReceiverProcess(tb testing.TB, latency time.Duration) string {
	tb.Helper()
	exe := sobuild.Build(tb, sobuild.Options{Dir: ".", Package: "./cmd/benchreceiver",
		Mode: sobuild.Exe})
	cmd := exec.Command(exe, "-latency", latency.String())
	stdin, err := cmd.StdinPipe()
	require.NoError(tb, err)
	stdout, err := cmd.StdoutPipe()
	require.NoError(tb, err)
	cmd.Stderr = os.Stderr
	require.NoError(tb, cmd.Start())
	tb.Cleanup(func() {
		_ = stdin.Close()
		_ = cmd.Wait()
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	require.NoError(tb, err, "benchreceiver printed no URL")
	return strings.TrimSpace(line)
}
