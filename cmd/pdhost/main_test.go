package main

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/streamspace/streamspace-pagerduty/internal/sobuild"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMain(m *testing.M) { os.Exit(sobuild.Run(m)) }

// testRoutingKey is the routing key of testdata/config.json and the send-test tests.
const testRoutingKey = "TESTKEYcmdPDHOSTreplay0000000001"

// exampleRoutingKey is the fake routing key of examples/config.json.
const exampleRoutingKey = "EXAMPLEFAKEKEY0REPLACEWITHYOURS0"

// routingKeys lists every routing key the tests use; no output may contain one.
var routingKeys = []string{demoRoutingKey, testRoutingKey, exampleRoutingKey}

// buildPlugin builds the plugin .so from the module root with this test binary's flags;
// the build is shared by every test of the binary.
func buildPlugin(t *testing.T) string {
	t.Helper()
	return sobuild.Build(t, sobuild.Options{Dir: "../.."})
}

// result is what one pdhost invocation printed and returned.
type result struct {
	code           int
	stdout, stderr string
}

// runPdhost runs pdhost with args in-process through a, which may carry test hooks, and
// checks that no routing key appears in its output.
func runPdhost(t *testing.T, a *app, stdout, stderr *bytes.Buffer, args ...string) result {
	t.Helper()
	r := result{code: a.run(args), stdout: stdout.String(), stderr: stderr.String()}
	requireNoRoutingKey(t, "stdout", r.stdout)
	requireNoRoutingKey(t, "stderr", r.stderr)
	return r
}

// runCmd runs pdhost with args through run, as main does.
func runCmd(t *testing.T, args ...string) result {
	t.Helper()
	var stdout, stderr bytes.Buffer
	return runPdhost(t, newApp(&stdout, &stderr), &stdout, &stderr, args...)
}

// requireNoRoutingKey fails the test when text contains any of the routing keys.
func requireNoRoutingKey(t *testing.T, name, text string) {
	t.Helper()
	for _, k := range routingKeys {
		require.NotContains(t, text, k, "%s shows a routing key", name)
	}
}

func TestUsageErrorsExitTwoWithUsage(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		problem string
	}{
		{"no command", nil, "usage: pdhost <command>"},
		{"unknown command", []string{"page"}, `unknown command "page"`},
		{"unknown flag", []string{"demo", "--bogus"}, "flag provided but not defined: -bogus"},
		{"stray argument", []string{"demo", "extra"}, `unexpected argument "extra"`},
		{"replay without config", []string{"replay", "--events", "x.jsonl"},
			"missing --config"},
		{"send-test without key file", []string{"send-test"}, "missing --routing-key-file"},
		{"send-test with unknown region",
			[]string{"send-test", "--routing-key-file", "k", "--region", "mars"},
			`--region must be us or eu, got "mars"`},
		{"send-test to plain http elsewhere",
			[]string{"send-test", "--routing-key-file", "k", "--events-url",
				"http://example.com/v2/enqueue"},
			"plain http only for a loopback host"},
		{"check-host without host", []string{"check-host"}, "missing --host"},
		{"build without host", []string{"build"}, "missing --host"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runCmd(t, tt.args...)
			assert.Equal(t, exitUsage, r.code)
			assert.Contains(t, r.stderr, tt.problem)
			assert.Contains(t, r.stderr, "usage: pdhost")
			assert.Empty(t, r.stdout)
		})
	}
}

func TestHelpPrintsUsageToStdoutAndExitsZero(t *testing.T) {
	for _, args := range [][]string{{"help"}, {"--help"}, {"demo", "-h"}, {"replay", "--help"}} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			r := runCmd(t, args...)
			assert.Equal(t, exitOK, r.code)
			assert.Contains(t, r.stdout, "usage: pdhost")
			assert.Empty(t, r.stderr)
		})
	}
}
