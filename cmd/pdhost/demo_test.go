package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/streamspace/streamspace-pagerduty/pdreceiver"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// runDemo runs pdhost demo against the test plugin with the given hooks.
func runDemo(t *testing.T, hooks demoHooks, extra ...string) result {
	t.Helper()
	so := buildPlugin(t)
	var stdout, stderr bytes.Buffer
	a := newApp(&stdout, &stderr)
	a.demoHooks = hooks
	return runPdhost(t, a, &stdout, &stderr, append([]string{"demo", "--plugin", so}, extra...)...)
}

func TestDemoShowsDedupDropsAndResolveAndPasses(t *testing.T) {
	r := runDemo(t, demoHooks{})
	require.Equal(t, exitOK, r.code, "stdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
	assert.Contains(t, r.stdout, "verdict: OK")
	assert.Regexp(t, `streamspace/session.hibernated/alice-7f3\s+triggered\s+2\s+1\s`, r.stdout,
		"the repeated hibernation must be one incident with two events")
	assert.Regexp(t, `streamspace/session.hibernated/alice-7f3\s+202 absorbed`, r.stdout)
	assert.Regexp(t, `streamspace/session.hibernated/bob-c41\s+resolved\s+2\s+1\s`, r.stdout,
		"the woken session's incident must be resolved")
	assert.Regexp(t, `dropped_rate_limit\s+3\n`, r.stdout, "the burst must be cut")
	assert.Regexp(t, `triggers accepted\s+8\s+8\n`, r.stdout)
	assert.Equal(t, 8, len(regexp.MustCompile(`\btrigger .*202 (opened|absorbed)`).
		FindAllString(r.stdout, -1)), "the events table must list the 8 triggers")
	for _, severity := range []string{"info", "warning", "error"} {
		assert.Regexp(t, `trigger\s+`+severity+`\s+StreamSpace`, r.stdout)
	}
	assert.Contains(t, r.stderr, `msg="pagerduty: plugin loaded"`,
		"the plugin logs go to stderr")
	assert.NotContains(t, r.stdout, "level=INFO", "stdout holds no log lines")
}

func TestDemoWritesPluginLogToFile(t *testing.T) {
	logPath := filepath.Join(t.TempDir(), "plugin.log")
	r := runDemo(t, demoHooks{}, "--log", logPath)
	require.Equal(t, exitOK, r.code, "stderr:\n%s", r.stderr)
	log, err := os.ReadFile(logPath)
	require.NoError(t, err)
	requireNoRoutingKey(t, "log file", string(log))
	assert.Contains(t, string(log), `msg="pagerduty: plugin unloaded"`)
	assert.NotContains(t, r.stderr, "pagerduty: plugin loaded")
}

func TestDemoVerdictFailsWhenPagerDutyReceivesOtherThanPredicted(t *testing.T) {
	tests := []struct {
		name  string
		hooks demoHooks
		diffs []string
	}{
		{
			name: "PagerDuty rejects an event",
			hooks: demoHooks{receiver: func(rc *pdreceiver.Receiver) error {
				return rc.Script(pdreceiver.Respond(400, `{"status":"invalid event"}`))
			}},
			diffs: []string{"requests not accepted: expected 0, got 1",
				"counter failed: expected 0, got 1"},
		},
		{
			name:  "the plugin runs with a smaller rate limit",
			hooks: demoHooks{pluginConfig: func(c map[string]any) { c["rateLimit"] = 6.0 }},
			diffs: []string{"triggers accepted: expected 8, got 6",
				"counter dropped_rate_limit: expected 3, got 5",
				"incident streamspace/session.created/lab-02: expected triggered"},
		},
		{
			name: "the plugin runs with new-user alerts off",
			hooks: demoHooks{pluginConfig: func(c map[string]any) {
				c["notifyOnUserCreated"] = false
			}},
			diffs: []string{"incident streamspace/user.created/u-carol: expected triggered, " +
				"1 events, opened 1 times, severity error, got none"},
		},
		{
			name: "the plugin runs with another severity",
			hooks: demoHooks{pluginConfig: func(c map[string]any) {
				c["sessionHibernatedSeverity"] = "critical"
			}},
			diffs: []string{"incident streamspace/session.hibernated/alice-7f3: expected " +
				"triggered, 2 events, opened 1 times, severity warning, got triggered, " +
				"2 events, opened 1 times, severity critical"},
		},
		{
			name: "the plugin runs without resolving on wake",
			hooks: demoHooks{pluginConfig: func(c map[string]any) {
				c["resolveOnSessionWoken"] = false
			}},
			diffs: []string{"resolves accepted: expected 1, got 0",
				"incident streamspace/session.hibernated/bob-c41: expected resolved"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runDemo(t, tt.hooks)
			assert.Equal(t, exitFail, r.code)
			assert.Contains(t, r.stdout, "verdict: MISMATCH")
			assert.NotContains(t, r.stdout, "verdict: OK")
			for _, d := range tt.diffs {
				assert.Contains(t, r.stdout, "  - "+d)
			}
		})
	}
}

func TestDemoReportsAPluginThatWillNotLoad(t *testing.T) {
	r := runCmd(t, "demo", "--plugin", filepath.Join(t.TempDir(), "missing.so"))
	assert.Equal(t, exitFail, r.code)
	assert.Contains(t, r.stderr, "missing.so")
	assert.Empty(t, r.stdout)
}
