package pdreceiver_test

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/streamspace/streamspace-pagerduty/pdreceiver"
)

// fields splits a table line on runs of two or more spaces.
func fields(line string) []string {
	var out []string
	for _, f := range strings.Split(line, "  ") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// tableLines returns the non-empty lines of a table as their cells.
func tableLines(out string) [][]string {
	var rows [][]string
	for _, line := range strings.Split(strings.TrimRight(out, "\n"), "\n") {
		rows = append(rows, fields(line))
	}
	return rows
}

func TestWriteEventsShowsEveryRequest(t *testing.T) {
	rc := pdreceiver.New(pdreceiver.WithClock(newStepClock().Now))
	long := "Session 42 of user alice failed to start because the node ran out of memory"
	require.Equal(t, 202, enqueue(t, rc, mustJSON(t, triggerEvent("sess-42", long))).Code)
	require.Equal(t, 202, enqueue(t, rc, mustJSON(t, followUp("resolve", "sess-42"))).Code)
	require.Equal(t, 400, enqueue(t, rc, []byte(`not json`)).Code)
	require.NoError(t, rc.Script(pdreceiver.Throttle("1")))
	require.Equal(t, 429, enqueue(t, rc,
		mustJSON(t, triggerEvent("multi\nline\tkey", "a\tb\nc"))).Code)

	var out bytes.Buffer
	require.NoError(t, rc.WriteEvents(&out))
	want := [][]string{
		{"TIME", "ACTION", "SEVERITY", "SUMMARY", "DEDUP KEY", "ANSWER"},
		{"12:00:01.000", "trigger", "critical",
			"Session 42 of user alice failed to start becaus…", "sess-42", "202 opened"},
		{"12:00:02.000", "resolve", "-", "-", "sess-42", "202 resolved"},
		{"12:00:03.000", "-", "-", "-", "-", "400 rejected"},
		{"12:00:04.000", "trigger", "critical", "a b c", "multi line key", "429 faulted"},
	}
	assert.Equal(t, want, tableLines(out.String()), out.String())
}

func TestWriteIncidentsShowsEveryIncident(t *testing.T) {
	rc := pdreceiver.New(pdreceiver.WithClock(newStepClock().Now))
	for _, ev := range []obj{
		triggerEvent("b-key", "first"), triggerEvent("a-key", "other"),
		triggerEvent("b-key", "second"), followUp("resolve", "b-key"),
		triggerEvent("b-key", "third"), followUp("acknowledge", "a-key"),
	} {
		require.Equal(t, 202, enqueue(t, rc, mustJSON(t, ev)).Code)
	}
	var out bytes.Buffer
	require.NoError(t, rc.WriteIncidents(&out))
	assert.Equal(t, [][]string{
		{"DEDUP KEY", "STATE", "EVENTS", "OPENED", "SUMMARY"},
		{"b-key", "triggered", "4", "2", "third"},
		{"a-key", "acknowledged", "2", "1", "other"},
	}, tableLines(out.String()), out.String())
}

func TestTablesNeverPrintTheRoutingKey(t *testing.T) {
	cases := []struct {
		name string
		ev   obj
	}{
		{"routing key only in its field", triggerEvent("k", "disk full")},
		{"routing key leaked into the summary",
			triggerEvent("k", "failed with key "+testKey+" while paging")},
		{"routing key leaked into the dedup key", triggerEvent("id-"+testKey, "s")},
		{"routing key at the end of a summary cut for display",
			triggerEvent("k", repeat("x", 40)+testKey)},
		{"routing key of a rejected event", with(triggerEvent("k", testKey),
			obj{"event_action": testKey})},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rc := pdreceiver.New()
			enqueue(t, rc, mustJSON(t, tc.ev))
			var out bytes.Buffer
			require.NoError(t, rc.WriteEvents(&out))
			require.NoError(t, rc.WriteIncidents(&out))
			assert.NotContains(t, out.String(), testKey)
			assert.NotContains(t, out.String(), testKey[:12], "not even cut short")
		})
	}
}

func TestTablesRedactTheRoutingKeyInPlace(t *testing.T) {
	rc := pdreceiver.New()
	enqueue(t, rc, mustJSON(t, triggerEvent("k", "bad key "+testKey)))
	var out bytes.Buffer
	require.NoError(t, rc.WriteEvents(&out))
	assert.Contains(t, out.String(), "bad key …(32 chars)")
}

func TestRoutingKeyPrintsRedacted(t *testing.T) {
	rc := pdreceiver.New()
	enqueue(t, rc, mustJSON(t, triggerEvent("k", "s")))
	ev := rc.Accepted()[0]
	req := rc.Requests()[0]
	var logs bytes.Buffer
	for _, h := range []slog.Handler{slog.NewJSONHandler(&logs, nil),
		slog.NewTextHandler(&logs, nil)} {
		slog.New(h).Info("x", "event", ev, "event_ptr", &ev, "request", req,
			"key", ev.RoutingKey)
	}
	cases := map[string]string{
		"%v event":    fmt.Sprintf("%v", ev),
		"%+v event":   fmt.Sprintf("%+v", ev),
		"%#v event":   fmt.Sprintf("%#v", ev),
		"%v pointer":  fmt.Sprintf("%v", &ev),
		"%s key":      fmt.Sprintf("%s", ev.RoutingKey),
		"%q key":      fmt.Sprintf("%q", ev.RoutingKey),
		"%x key":      fmt.Sprintf("%x", ev.RoutingKey),
		"%v request":  fmt.Sprintf("%v", req),
		"%+v request": fmt.Sprintf("%+v", req),
		"%#v request": fmt.Sprintf("%#v", req),
		"slog":        logs.String(),
	}
	for name, out := range cases {
		assert.NotContains(t, out, testKey, name)
		assert.NotContains(t, out, testKey[:8], name)
	}
	assert.Equal(t, "…(32 chars)", ev.RoutingKey.String())
	assert.Equal(t, "…(32 chars)", fmt.Sprintf("%v", ev.RoutingKey))
	assert.Contains(t, logs.String(), "…(32 chars)")
	assert.Contains(t, string(mustJSON(t, ev)), `"routing_key":"`+testKey+`"`,
		"JSON keeps the key, as the wire format needs it")
}

func TestReceiverLogLinesCarryNoRoutingKeyOrBody(t *testing.T) {
	var logs bytes.Buffer
	rc := pdreceiver.New(pdreceiver.WithLogger(slog.New(slog.NewJSONHandler(&logs, nil))))
	enqueue(t, rc, mustJSON(t, triggerEvent("k", "secret-free summary")))
	enqueue(t, rc, mustJSON(t, with(triggerEvent("k", "s"), obj{"routing_key": "short"})))
	lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
	require.Len(t, lines, 2, "one line per request")
	assert.Contains(t, lines[0], `"outcome":"opened"`)
	assert.Contains(t, lines[1], "Length of 'routing_key' is incorrect")
	assert.NotContains(t, logs.String(), testKey)
	assert.NotContains(t, logs.String(), "secret-free summary", "bodies are not logged")
}

// failingWriter fails every write.
type failingWriter struct{}

// Write fails.
func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk gone") }

func TestTableWriteErrorsAreReturned(t *testing.T) {
	rc := pdreceiver.New()
	enqueue(t, rc, mustJSON(t, triggerEvent("k", "s")))
	require.ErrorContains(t, rc.WriteEvents(failingWriter{}), "pdreceiver: write table: disk gone")
	require.ErrorContains(t, rc.WriteIncidents(failingWriter{}),
		"pdreceiver: write table: disk gone")
}

func TestRequestStringIsOneLineWithoutBody(t *testing.T) {
	rc := pdreceiver.New()
	enqueue(t, rc, mustJSON(t, triggerEvent("sess-1", "the summary")))
	got := rc.Requests()[0].String()
	assert.Equal(t, "#1 POST /v2/enqueue from 192.0.2.1:1234: 202 opened "+
		"action=trigger dedup_key=sess-1 errors=0", got)
	assert.NotContains(t, got, "the summary")
}
