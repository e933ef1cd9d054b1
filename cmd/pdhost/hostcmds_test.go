package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/streamspace/streamspace-pagerduty/hostloader"
	"github.com/streamspace/streamspace-pagerduty/internal/sobuild"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// testBinary returns the path of the running test binary, a Go host built with the same
// flags as the plugin buildPlugin returns.
func testBinary(t *testing.T) string {
	t.Helper()
	exe, err := os.Executable()
	require.NoError(t, err)
	return exe
}

func TestCheckHostTellsWhetherThePluginLoads(t *testing.T) {
	so := buildPlugin(t)
	noCgoHost := sobuild.Build(t, sobuild.Options{Dir: "../..", Package: "./cmd/pdhost",
		Mode: sobuild.Exe, Env: []string{"CGO_ENABLED=0"}})
	tests := []struct {
		name       string
		host       string
		noPlugin   bool // check only the host
		wantCode   int
		wantStdout string
		wantStderr string
	}{
		{"host built like the plugin", testBinary(t), false, exitOK, "verdict: OK", ""},
		{"host without cgo", noCgoHost, false, exitFail, "verdict: will not load",
			"will not load into " + noCgoHost},
		{"missing host", filepath.Join(t.TempDir(), "api"), false, exitFail, "", "api"},
		{"host alone, built like the plugin", testBinary(t), true, exitOK, "verdict: OK", ""},
		{"host alone, without cgo", noCgoHost, true, exitFail, "verdict: will not load",
			noCgoHost + " cannot load plugins"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			plugin := so
			if tt.noPlugin {
				plugin = ""
			}
			r := runCmd(t, "check-host", "--host", tt.host, "--plugin", plugin)
			assert.Equal(t, tt.wantCode, r.code, "stdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
			assert.Contains(t, r.stdout, tt.wantStdout)
			assert.Contains(t, r.stderr, tt.wantStderr)
		})
	}
}

func TestBuildMakesAPluginTheHostLoads(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the plugin once more; skipped with -short")
	}
	out := filepath.Join(t.TempDir(), "aligned.so")
	r := runCmd(t, "build", "--host", testBinary(t), "--source", "../..", "-o", out,
		"--pluginpath", "github.com/streamspace/streamspace-pagerduty/pdhost-build-test")
	require.Equal(t, exitOK, r.code, "stdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
	assert.Contains(t, r.stdout, "verdict: OK")
	assert.Contains(t, r.stdout, "pdhost: wrote "+out)
	p, err := hostloader.Open(out)
	require.NoError(t, err, "the aligned build must load into the host it was built for")
	v, ok := p.Version()
	assert.True(t, ok)
	assert.Equal(t, manifestVersion(t), v)
}

func TestBuildReportsAMissingHost(t *testing.T) {
	r := runCmd(t, "build", "--host", filepath.Join(t.TempDir(), "api"), "--source", "../..",
		"-o", filepath.Join(t.TempDir(), "x.so"))
	assert.Equal(t, exitFail, r.code)
	assert.Contains(t, r.stderr, "pdhost: ")
	assert.Contains(t, r.stderr, "api")
}
