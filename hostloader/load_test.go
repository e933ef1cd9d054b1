package hostloader_test

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/streamspace/streamspace-pagerduty/hostloader"
	"github.com/streamspace/streamspace-pagerduty/internal/sobuild"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/time/rate"
)

// hostRateLimit links golang.org/x/time/rate v0.9.0 into the test binary, so that the test
// plugin built against v0.10.0 shares a package with the host at another version.
var hostRateLimit = rate.Limit(1)

func TestOpenExplainsModuleVersionMismatch(t *testing.T) {
	t.Parallel()
	require.Equal(t, rate.Limit(1), hostRateLimit)
	path := sobuild.Build(t, sobuild.Options{Dir: filepath.Join("testdata", "otherrate")})
	host, err := os.Executable()
	require.NoError(t, err)

	for _, attempt := range []string{"first attempt", "attempt after a failure"} {
		t.Run(attempt, func(t *testing.T) {
			loaded, err := hostloader.Open(path)
			assert.Nil(t, loaded)
			e := requireAs[*hostloader.VersionMismatchError](t, err)
			assert.Equal(t, "golang.org/x/time/rate", e.Package)
			assert.Equal(t, "golang.org/x/time", e.Module)
			assert.Empty(t, e.HostVersion, "test binaries record no module versions")
			assert.Equal(t, "v0.10.0", e.PluginVersion)
			assert.Empty(t, e.Differences, "toolchain and flags match")
			assert.ErrorContains(t, errors.Unwrap(err),
				"plugin was built with a different version of package golang.org/x/time/rate")
			for _, want := range []string{
				"different version of package golang.org/x/time/rate",
				"the plugin was built with golang.org/x/time v0.10.0",
				`"pdhost check-host --host ` + host + ` --plugin ` + path + `"`,
				`"make build HOST=` + host + `"`,
			} {
				assert.ErrorContains(t, err, want)
			}
		})
	}
}

func TestOpenExplainsPluginOfWrongType(t *testing.T) {
	t.Parallel()
	path := buildPlugin(t, "wrongtype")
	_, err := hostloader.Open(path)
	e := requireAs[*hostloader.WrongTypeError](t, err)
	assert.Equal(t, path, e.Path)
	assert.Equal(t, "*main.partial", e.Found)
	assert.Equal(t, []string{"OnUserCreated"}, e.Missing)
	assert.Equal(t, []string{"method OnUnload is func(), want func() error"}, e.Mismatched)
	assert.ErrorContains(t, err, "symbol Plugin in "+path+" has type *main.partial")
	assert.ErrorContains(t, err, "missing method OnUserCreated func(interface {}) error")
}

func TestOpenExplainsSymbolsItCannotFind(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		opts  sobuild.Options
		check func(t *testing.T, err error)
	}{{
		name: "no Plugin variable",
		opts: sobuild.Options{PluginPath: "hostloader-test/nosymbol"},
		check: func(t *testing.T, err error) {
			e := requireAs[*hostloader.MissingSymbolError](t, err)
			assert.Equal(t, "Plugin", e.Symbol)
			assert.Equal(t, "hostloader-test/nosymbol", e.PluginPath)
			assert.ErrorContains(t, err,
				`declare an exported package-level variable "var Plugin T"`)
			assert.ErrorContains(t, err, "OnLoad, OnSessionCreated, OnSessionHibernated, "+
				"OnUnload and OnUserCreated")
		},
	}, {
		name: "plugin path set only at link time",
		opts: sobuild.Options{LDFlags: "-pluginpath=hostloader-test/linkonly"},
		check: func(t *testing.T, err error) {
			e := requireAs[*hostloader.PluginPathMismatchError](t, err)
			assert.Equal(t, "Handler", e.Symbol)
			assert.Equal(t, "hostloader-test/linkonly", e.PluginPath)
			assert.ErrorContains(t, err, "build it with both "+
				"-gcflags=-p=hostloader-test/linkonly and "+
				"-ldflags=-pluginpath=hostloader-test/linkonly, or with neither")
		},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.opts.Dir = filepath.Join("testdata", "nosymbol")
			_, err := hostloader.Open(sobuild.Build(t, tt.opts))
			tt.check(t, err)
		})
	}
}

func TestOpenExplainsSecondBuildWithSamePluginPath(t *testing.T) {
	t.Parallel()
	good := openGood(t)
	data, err := os.ReadFile(good.Path)
	require.NoError(t, err)
	copyPath := filepath.Join(t.TempDir(), "second.so")
	require.NoError(t, os.WriteFile(copyPath, data, 0o644))

	_, err = hostloader.Open(copyPath)
	requireAs[*hostloader.AlreadyLoadedError](t, err)
	assert.ErrorContains(t, errors.Unwrap(err), "plugin already loaded")
	assert.ErrorContains(t, err, "rebuild the plugin with a new -pluginpath")

	rebuilt := sobuild.Build(t, sobuild.Options{
		Dir:        filepath.Join("testdata", "goodplugin"),
		PluginPath: "hostloader-test/goodplugin-2",
	})
	second, err := hostloader.Open(rebuilt)
	require.NoError(t, err, "a build with a new plugin path loads next to the first")
	assert.False(t, second.Handler == good.Handler)
	version, _ := second.Version()
	assert.Equal(t, "goodplugin-test", version)
}

func TestOpenExplainsHostWithoutCgo(t *testing.T) {
	t.Parallel()
	host := buildNoCgoHost(t)
	good := buildPlugin(t, "goodplugin")
	out, err := exec.CommandContext(t.Context(), host, good).CombinedOutput()
	require.NoError(t, err, "%s", out)
	assert.Contains(t, string(out), "unsupported=true\n")
	assert.Contains(t, string(out), `(Go reports "plugin: not implemented")`)
	assert.Contains(t, string(out), "rebuild the host with CGO_ENABLED=1")
}
