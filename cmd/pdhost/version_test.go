package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// manifestVersion returns the version manifest.json declares.
func manifestVersion(t *testing.T) string {
	t.Helper()
	raw, err := os.ReadFile("../../manifest.json")
	require.NoError(t, err)
	var m struct {
		Version string `json:"version"`
	}
	require.NoError(t, json.Unmarshal(raw, &m))
	require.NotEmpty(t, m.Version)
	return m.Version
}

func TestMakefileBuiltPdhostReportsTheManifestVersion(t *testing.T) {
	makePath, err := exec.LookPath("make")
	require.NoError(t, err, "the Makefile builds pdhost; make must be installed")
	bin := filepath.Join(t.TempDir(), "pdhost")
	build := exec.Command(makePath, "--no-print-directory", "-C", "../..", "pdhost",
		"PDHOST="+bin)
	out, err := build.CombinedOutput()
	require.NoError(t, err, "make pdhost:\n%s", out)
	got, err := exec.Command(bin, "--version").Output()
	require.NoError(t, err)
	assert.Equal(t, "pdhost "+manifestVersion(t)+"\n", string(got))
}

func TestVersionFallsBackToThePluginThenDevel(t *testing.T) {
	so := buildPlugin(t)
	tests := []struct {
		name, built, plugin, want string
	}{
		{"set at build time", "9.9.9", so, "9.9.9"},
		{"from the plugin", "", so, manifestVersion(t)},
		{"no plugin", "", filepath.Join(t.TempDir(), "none.so"), "devel"},
		{"not a plugin", "", "testdata/config.json", "devel"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, resolveVersion(tt.built, tt.plugin))
		})
	}
	r := runCmd(t, "--version", "--plugin", so)
	assert.Equal(t, exitOK, r.code)
	assert.Equal(t, "pdhost "+manifestVersion(t)+"\n", r.stdout)
	assert.True(t, strings.HasPrefix(runCmd(t, "version").stdout, "pdhost "))
}
