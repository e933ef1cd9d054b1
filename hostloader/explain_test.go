package hostloader_test

import (
	"errors"
	"path/filepath"
	"testing"

	"github.com/streamspace/streamspace-pagerduty/hostloader"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestExplainClassifiesPluginErrors(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "p.so")
	open := `plugin.Open("` + path[:len(path)-3] + `"): `
	tests := []struct {
		name  string
		msg   string
		check func(t *testing.T, err error)
	}{{
		name: "standard-library package of another version",
		msg:  open + "plugin was built with a different version of package internal/abi",
		check: func(t *testing.T, err error) {
			e := requireAs[*hostloader.VersionMismatchError](t, err)
			assert.Equal(t, "internal/abi", e.Package)
			assert.Empty(t, e.Module)
			assert.ErrorContains(t, err, "it is a standard-library package, so the Go "+
				"toolchain or the build flags differ")
		},
	}, {
		name: "version mismatch reported again after a failure",
		msg: open + "plugin was built with a different version of package " +
			"example.com/mod/pkg (previous failure)",
		check: func(t *testing.T, err error) {
			e := requireAs[*hostloader.VersionMismatchError](t, err)
			assert.Equal(t, "example.com/mod/pkg", e.Package)
		},
	}, {
		name: "host without plugin support",
		msg:  "plugin: not implemented",
		check: func(t *testing.T, err error) {
			requireAs[*hostloader.PluginsUnsupportedError](t, err)
			assert.ErrorContains(t, err, "rebuild the host with CGO_ENABLED=1")
		},
	}, {
		name: "plugin path already loaded",
		msg:  open + "plugin already loaded",
		check: func(t *testing.T, err error) {
			requireAs[*hostloader.AlreadyLoadedError](t, err)
		},
	}, {
		name: "symbol missing from a loaded plugin",
		msg:  "plugin: symbol Plugin not found in plugin example.com/p",
		check: func(t *testing.T, err error) {
			e := requireAs[*hostloader.MissingSymbolError](t, err)
			assert.Equal(t, "Plugin", e.Symbol)
			assert.Equal(t, "example.com/p", e.PluginPath)
		},
	}, {
		name: "exported symbols named after another plugin path",
		msg: open + "could not find symbol Plugin: " + path +
			": undefined symbol: example.com/other.Plugin",
		check: func(t *testing.T, err error) {
			e := requireAs[*hostloader.PluginPathMismatchError](t, err)
			assert.Equal(t, "Plugin", e.Symbol)
			assert.Equal(t, "example.com/other", e.PluginPath)
		},
	}, {
		name: "escaped plugin path in the symbol name",
		msg: open + "could not find symbol Plugin: " + path +
			": undefined symbol: example.com/m/v1%2e2-abc.Plugin",
		check: func(t *testing.T, err error) {
			e := requireAs[*hostloader.PluginPathMismatchError](t, err)
			assert.Equal(t, "example.com/m/v1.2-abc", e.PluginPath)
		},
	}, {
		name: "unrecognised dynamic loader error",
		msg:  open + "libmissing.so: cannot open shared object file: No such file or directory",
		check: func(t *testing.T, err error) {
			requireAs[*hostloader.LoadError](t, err)
			assert.ErrorContains(t, err, "cannot load "+path+": "+open+"libmissing.so")
		},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cause := errors.New(tt.msg)
			err := hostloader.Explain(path, cause)
			require.ErrorIs(t, err, cause, "the original error stays wrapped")
			tt.check(t, err)
		})
	}
	t.Run("nil error stays nil", func(t *testing.T) {
		assert.NoError(t, hostloader.Explain(path, nil))
	})
}

func TestVersionMismatchErrorNamesWhatDiffers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name         string
		host, plugin string
		differences  []string
		want, absent []string
	}{{
		name: "both versions known", host: "v1", plugin: "v2",
		want: []string{"module example.com/m is v1 in the host and v2 in the plugin"},
	}, {
		name: "only the plugin version known", plugin: "v2",
		want: []string{"the plugin was built with example.com/m v2"},
	}, {
		name: "only the host version known", host: "v1",
		want: []string{"the host was built with example.com/m v1"},
	}, {
		name: "equal versions are not called a difference", host: "v1", plugin: "v1",
		absent: []string{" in the host and ", "built with example.com/m"},
	}, {
		name:        "build settings that differ are listed",
		differences: []string{`-race: host "true", plugin ""`, "Go toolchain: host a, plugin b"},
		want: []string{
			`they differ in -race: host "true", plugin ""; Go toolchain: host a, plugin b`,
		},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := &hostloader.VersionMismatchError{
				Path: "p.so", Package: "example.com/m/pkg", Module: "example.com/m",
				HostVersion: tt.host, PluginVersion: tt.plugin, Differences: tt.differences,
				Host: "/bin/api",
			}
			msg := e.Error()
			for _, want := range append(tt.want,
				"agree on module example.com/m, the Go toolchain and the build flags",
				`"pdhost check-host --host /bin/api --plugin p.so"`,
				`"make build HOST=/bin/api"`) {
				assert.Contains(t, msg, want)
			}
			for _, absent := range tt.absent {
				assert.NotContains(t, msg, absent)
			}
		})
	}
}
