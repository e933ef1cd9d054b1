package main

import (
	"bytes"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/streamspace/streamspace-pagerduty/hostloader"
	"github.com/streamspace/streamspace-pagerduty/pdreceiver"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestReplayReportsBadLinesByNumberAndRunsTheRest(t *testing.T) {
	so := buildPlugin(t)
	r := runCmd(t, "replay", "--plugin", so, "--config", "testdata/config.json",
		"--events", "testdata/bad-lines.jsonl")
	assert.Equal(t, exitFail, r.code)
	for _, want := range []string{
		"line 2: invalid JSON: unexpected EOF",
		`line 3: unknown "type" "session.paused"; accepted: session.created, ` +
			"session.hibernated, session.woken, session.deleted, user.created",
		`line 5: missing "data"`,
		`line 6: "data" must be a JSON object with the session or user, got a string`,
		`line 7: unknown field "severity"; accepted: "type", "data"`,
		`line 8: missing "type"`,
		"6 bad lines in testdata/bad-lines.jsonl: 2, 3, 5, 6, 7, 8",
	} {
		assert.Contains(t, r.stderr, want)
	}
	assert.NotContains(t, r.stderr, "line 4:", "a blank line is not an event")
	assert.Regexp(t, `streamspace/session.hibernated/good-1\s+triggered`, r.stdout,
		"the line before the bad ones must run")
	assert.Regexp(t, `streamspace/session.hibernated/good-6\s+triggered`, r.stdout,
		"the line after the bad ones must run")
	assert.Regexp(t, `sent\s+2\n`, r.stdout)
	assert.Contains(t, r.stdout, "replayed 2 events from testdata/bad-lines.jsonl")
}

func TestReplayRunsTheExamplesCleanly(t *testing.T) {
	so := buildPlugin(t)
	r := runCmd(t, "replay", "--plugin", so, "--config", "../../examples/config.json",
		"--events", "../../examples/events.jsonl")
	require.Equal(t, exitOK, r.code, "stderr:\n%s", r.stderr)
	assert.NotContains(t, r.stderr, "line ")
	assert.Regexp(t, `streamspace/user.created/u-dana\s+triggered\s+1\s+1`, r.stdout)
	assert.Regexp(t, `streamspace/session.hibernated/dana-fir…\s+resolved\s+3\s+1`, r.stdout,
		"the repeated hibernation joins one incident, which the deletion resolves")
	assert.Regexp(t, `streamspace/session.hibernated/erik-vsc…\s+resolved\s+2\s+1`, r.stdout,
		"the wake resolves the incident")
	assert.Regexp(t, `sent\s+6\n`, r.stdout)
}

func TestReplaySendsToEventsURL(t *testing.T) {
	so := buildPlugin(t)
	srv, err := pdreceiver.Start("")
	require.NoError(t, err)
	defer srv.Close()
	r := runCmd(t, "replay", "--plugin", so, "--config", "../../examples/config.json",
		"--events", "../../examples/events.jsonl", "--events-url", srv.URL())
	require.Equal(t, exitOK, r.code, "stderr:\n%s", r.stderr)
	assert.Len(t, srv.Accepted(), 6, "every alert must reach the given URL")
	for _, e := range srv.Accepted() {
		assert.Equal(t, exampleRoutingKey, string(e.RoutingKey),
			"the routing key comes from the config file")
	}
	assert.Contains(t, r.stdout, "alerts to "+srv.URL())
	assert.NotContains(t, r.stdout, "What PagerDuty received",
		"tables are only printed for the stand-in")
	assert.Regexp(t, `sent\s+6\n`, r.stdout)
}

func TestReplayRejectsABadConfigBeforeLoading(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(text), 0o600))
		return p
	}
	events := write("events.jsonl", `{"type":"session.hibernated","data":{"id":"a"}}`+"\n")
	tests := []struct {
		name, config, want string
	}{
		{"missing file", filepath.Join(dir, "nope.json"), "--config: open"},
		{"not JSON", write("list.json", `["a"]`), "must hold one JSON object"},
		{"null", write("null.json", `null`), "must hold a JSON object, not null"},
		{"trailing data", write("two.json", `{} {}`), "nothing after it"},
		{"plugin refuses it", write("short.json", `{"routingKey":"abc"}`),
			"config: routingKey must be exactly 32 letters or digits, got 3 characters"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runCmd(t, "replay", "--plugin", buildPlugin(t), "--config", tt.config,
				"--events", events)
			assert.Equal(t, exitFail, r.code)
			assert.Contains(t, r.stderr, tt.want)
		})
	}
}

// fakePlugin is a stand-in plugin without OnSessionWoken or OnSessionDeleted whose
// hooks fail for the session ID "boom".
type fakePlugin struct{ calls []string }

// OnLoad accepts any configuration.
func (f *fakePlugin) OnLoad(map[string]any, *slog.Logger) error { return nil }

// OnUnload does nothing.
func (f *fakePlugin) OnUnload() error { return nil }

// OnSessionCreated records the call.
func (f *fakePlugin) OnSessionCreated(s any) error { return f.call("created", s) }

// OnSessionHibernated records the call.
func (f *fakePlugin) OnSessionHibernated(s any) error { return f.call("hibernated", s) }

// OnUserCreated records the call.
func (f *fakePlugin) OnUserCreated(u any) error { return f.call("user", u) }

// call records a hook call and fails for the ID "boom".
func (f *fakePlugin) call(hook string, v any) error {
	id, _ := v.(map[string]any)["id"].(string)
	f.calls = append(f.calls, hook+":"+id)
	if id == "boom" {
		return errors.New("queue full")
	}
	return nil
}

func TestReplayLinesReportsHookErrorsAndMissingHooks(t *testing.T) {
	fake := &fakePlugin{}
	p := &hostloader.Loaded{Path: "fake.so", Handler: fake}
	input := strings.Join([]string{
		`{"type":"session.created","data":{"id":"a"}}`,
		`{"type":"session.hibernated","data":{"id":"boom"}}`,
		`{"type":"session.woken","data":{"id":"a"}}`,
		`{"type":"user.created","data":{"id":"u"}}`,
	}, "\n") // no newline after the last line
	var stdout, stderr bytes.Buffer
	a := newApp(&stdout, &stderr)
	fed, bad, err := a.replayLines(p, strings.NewReader(input))
	require.NoError(t, err)
	assert.Equal(t, 2, fed)
	assert.Equal(t, []int{2, 3}, bad)
	assert.Equal(t, []string{"created:a", "hibernated:boom", "user:u"}, fake.calls)
	assert.Contains(t, stderr.String(),
		"line 2: session.hibernated: the plugin's hook returned an error: queue full")
	assert.Contains(t, stderr.String(),
		"line 3: this plugin build has no OnSessionWoken hook for session.woken")
}
