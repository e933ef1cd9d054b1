package hostloader_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/streamspace/streamspace-pagerduty/internal/sobuild"
	"github.com/stretchr/testify/require"
)

func TestMain(m *testing.M) { os.Exit(sobuild.Run(m)) }

// buildPlugin builds the test plugin in testdata/name with the flags of this test binary.
func buildPlugin(t *testing.T, name string) string {
	t.Helper()
	return sobuild.Build(t, sobuild.Options{Dir: filepath.Join("testdata", name)})
}

// buildNoCgoHost builds testdata/nocgohost, a host program without cgo and thus without
// plugin support.
func buildNoCgoHost(t *testing.T) string {
	t.Helper()
	return sobuild.Build(t, sobuild.Options{
		Dir:  filepath.Join("testdata", "nocgohost"),
		Mode: sobuild.Exe,
		Env:  []string{"CGO_ENABLED=0"},
	})
}

// requireAs asserts that err holds an error of type E and returns it.
func requireAs[E error](t *testing.T, err error) E {
	t.Helper()
	var target E
	require.ErrorAs(t, err, &target)
	return target
}
