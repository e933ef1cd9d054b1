package hosttest

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// run runs a command and returns its combined output and whether it succeeded.
func run(t *testing.T, dir string, name string, args ...string) (string, bool) {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CGO_ENABLED=1")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err == nil
}

// TestMakeBuildForAMismatchedHost plays an operator whose API server links a newer
// golang.org/x/time than the plugin pins: the default build will not load, check-host
// says why, and make build HOST= produces a .so that the server opens.
func TestMakeBuildForAMismatchedHost(t *testing.T) {
	if _, err := exec.LookPath("make"); err != nil {
		t.Skip("make is not installed")
	}
	tmp := t.TempDir()
	host := filepath.Join(tmp, "apihost")
	out, ok := run(t, "testdata/apihost", "go", "build", "-o", host, ".")
	require.True(t, ok, out)

	vars := []string{"-C", "..", "PDHOST=" + filepath.Join(tmp, "pdhost")}
	plain := filepath.Join(tmp, "plain.so")
	out, ok = run(t, ".", "make", append(vars, "build", "PLUGIN="+plain)...)
	require.True(t, ok, out)
	out, ok = run(t, ".", host, plain)
	assert.False(t, ok)
	assert.Contains(t, out, "different version of package golang.org/x/time/rate")

	out, ok = run(t, ".", "make", append(vars, "check-host", "HOST="+host, "PLUGIN="+plain)...)
	assert.False(t, ok, "check-host must fail for the mismatched pair:\n%s", out)
	assert.Contains(t, out, "ERROR   module golang.org/x/time: host golang.org/x/time@v0.10.0, "+
		"plugin golang.org/x/time@v0.9.0")
	assert.Contains(t, out, "verdict: will not load")

	aligned := filepath.Join(tmp, "aligned.so")
	out, ok = run(t, ".", "make", append(vars, "build", "HOST="+host, "PLUGIN="+aligned)...)
	require.True(t, ok, out)
	assert.Contains(t, out, "verdict: OK")
	out, ok = run(t, ".", host, aligned)
	assert.True(t, ok, out)
	assert.Equal(t, "ok\n", out)

	got, err := os.ReadFile("../go.mod")
	require.NoError(t, err)
	assert.Contains(t, string(got), "golang.org/x/time v0.9.0", "the aligned build left go.mod alone")
}

func TestMakeInstallLaysOutThePlugin(t *testing.T) {
	if _, err := exec.LookPath("make"); err != nil {
		t.Skip("make is not installed")
	}
	tmp := t.TempDir()
	dest := filepath.Join(tmp, "plugins")
	out, ok := run(t, ".", "make", "-C", "..", "install", "DEST="+dest,
		"PLUGIN="+filepath.Join(tmp, "p.so"))
	require.True(t, ok, out)

	dir := filepath.Join(dest, "streamspace-pagerduty")
	so, err := os.ReadFile(filepath.Join(dir, "streamspace-pagerduty.so"))
	require.NoError(t, err)
	built, err := os.ReadFile(filepath.Join(tmp, "p.so"))
	require.NoError(t, err)
	assert.Equal(t, built, so)
	manifest, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	require.NoError(t, err)
	want, err := os.ReadFile("../manifest.json")
	require.NoError(t, err)
	assert.Equal(t, want, manifest)

	out, ok = run(t, ".", "make", "-C", "..", "install")
	assert.False(t, ok)
	assert.Contains(t, out, "usage: make install DEST=")
}
