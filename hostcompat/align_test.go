package hostcompat

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// alignTimeout only catches a hung aligned build.
const alignTimeout = 15 * time.Minute

func TestAlignedBuildLoadsIntoHostWithNewerModule(t *testing.T) {
	host := hostTime10.get(t)
	require.Contains(t, runHost(t, host, pluginTime09.get(t)),
		"different version of package golang.org/x/time",
		"the plain plugin must fail to load, or this test proves nothing")

	src, err := copyModule("plugin-aligned", "plugin")
	require.NoError(t, err)
	modBefore, err := os.ReadFile(filepath.Join(src, "go.mod"))
	require.NoError(t, err)
	sumBefore, err := os.ReadFile(filepath.Join(src, "go.sum"))
	require.NoError(t, err)

	out := filepath.Join(workDir, "plugin-aligned.so")
	var stdout, stderr bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), alignTimeout)
	defer cancel()
	err = AlignedBuild(ctx, AlignOptions{
		HostPath: host, SourceDir: src, Output: out,
		LDFlags: "-s -w", PluginPath: "example.com/hostcompat/aligned-v2",
		Stdout: &stdout, Stderr: &stderr,
	})
	require.NoError(t, err, "stdout:\n%s\nstderr:\n%s", &stdout, &stderr)

	assert.Equal(t, "ok", runHost(t, host, out))
	assert.Contains(t, stderr.String(), "go get -modfile=")
	assert.Contains(t, stderr.String(), "golang.org/x/time@v0.10.0")
	assert.Contains(t, stdout.String(), "verdict: OK")
	f, err := Inspect(out)
	require.NoError(t, err)
	assert.Equal(t, "-pluginpath=example.com/hostcompat/aligned-v2 -s -w", f.LDFlags)
	assert.True(t, f.Stripped, "the extra linker flags must reach the linker")

	modAfter, err := os.ReadFile(filepath.Join(src, "go.mod"))
	require.NoError(t, err)
	sumAfter, err := os.ReadFile(filepath.Join(src, "go.sum"))
	require.NoError(t, err)
	assert.Equal(t, string(modBefore), string(modAfter), "the plugin's go.mod must not change")
	assert.Equal(t, string(sumBefore), string(sumAfter), "the plugin's go.sum must not change")
}

func TestAlignedBuildRefusesHostWithoutCgo(t *testing.T) {
	src, err := copyModule("plugin-refused", "plugin")
	require.NoError(t, err)
	out := filepath.Join(workDir, "plugin-refused.so")
	err = AlignedBuild(context.Background(), AlignOptions{
		HostPath: hostNoCgo.get(t), SourceDir: src, Output: out,
	})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "cannot load plugins")
	assert.Contains(t, err.Error(), "CGO_ENABLED=1 go build")
	assert.NoFileExists(t, out)
}

func TestAlignedBuildStopsWhenTheHostToolchainIsUnavailable(t *testing.T) {
	hostPath := hostTime09.get(t)
	tests := []struct {
		name      string
		goVersion string
		wantErr   []string
	}{
		{"release the proxy cannot serve", "go1.99.0",
			[]string{"the host was built with go1.99.0", "install Go go1.99.0"}},
		{"development toolchain", "devel go1.99-0123456789ab",
			[]string{`"devel go1.99-0123456789ab", which is not a released Go toolchain`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			host, err := Inspect(hostPath)
			require.NoError(t, err)
			host.GoVersion = tt.goVersion
			src, err := copyModule("plugin-no-toolchain", "plugin")
			require.NoError(t, err)
			out := filepath.Join(workDir, "plugin-no-toolchain.so")
			ctx, cancel := context.WithTimeout(context.Background(), alignTimeout)
			defer cancel()
			err = alignedBuild(ctx, AlignOptions{
				HostPath: hostPath, SourceDir: src, Output: out,
				// The module proxy is switched off so the toolchain cannot be fetched.
				Env: []string{"GOPROXY=off"},
			}, host)
			require.Error(t, err)
			for _, want := range tt.wantErr {
				assert.Contains(t, err.Error(), want)
			}
			assert.NoFileExists(t, out)
		})
	}
}

func TestAlignOptionsRejectMissingFields(t *testing.T) {
	valid := AlignOptions{HostPath: "api", SourceDir: ".", Output: "p.so"}
	tests := []struct {
		name    string
		mutate  func(o *AlignOptions)
		wantErr string
	}{
		{"host path", func(o *AlignOptions) { o.HostPath = "" }, "AlignOptions.HostPath is empty"},
		{"source dir", func(o *AlignOptions) { o.SourceDir = "" },
			"AlignOptions.SourceDir is empty"},
		{"output", func(o *AlignOptions) { o.Output = "" }, "AlignOptions.Output is empty"},
		{"env entry", func(o *AlignOptions) { o.Env = []string{"GOPROXY"} },
			`AlignOptions.Env entry "GOPROXY" is not KEY=VALUE`},
		{"plugin path with a version mark", func(o *AlignOptions) { o.PluginPath = "a/b@v1" },
			`AlignOptions.PluginPath "a/b@v1" must not contain spaces or "@"`},
		{"plugin path given twice", func(o *AlignOptions) {
			o.PluginPath = "a/b"
			o.LDFlags = "-pluginpath=a/b"
		}, "set the plugin path only in PluginPath"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := valid
			tt.mutate(&opts)
			err := AlignedBuild(context.Background(), opts)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.wantErr)
		})
	}
	require.NoError(t, valid.validate())
}

func TestAlignedBuildNeedsTheModuleRoot(t *testing.T) {
	out := filepath.Join(t.TempDir(), "p.so")
	ctx, cancel := context.WithTimeout(context.Background(), alignTimeout)
	defer cancel()
	err := AlignedBuild(ctx, AlignOptions{
		HostPath: hostTime09.get(t), SourceDir: t.TempDir(), Output: out,
	})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "AlignOptions.SourceDir must be the plugin's module root")
}

func TestAlignedBuildRejectsAForeignPluginPath(t *testing.T) {
	src, err := copyModule("plugin-pluginpath", "plugin")
	require.NoError(t, err)
	out := filepath.Join(workDir, "plugin-pluginpath.so")
	ctx, cancel := context.WithTimeout(context.Background(), alignTimeout)
	defer cancel()
	err = AlignedBuild(ctx, AlignOptions{
		HostPath: hostTime09.get(t), SourceDir: src, Output: out,
		LDFlags: "-pluginpath=example.com/renamed",
	})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "-pluginpath=example.com/renamed")
	assert.Contains(t, err.Error(), "import path example.com/hostcompat/plugin")
	assert.Contains(t, err.Error(), "set AlignOptions.PluginPath=example.com/renamed instead")
	assert.NoFileExists(t, out)
}

func TestPluginPathFlagIsFoundInLinkerFlags(t *testing.T) {
	tests := []struct {
		name, ldflags, want string
		found               bool
	}{
		{"absent", "-s -w", "", false},
		{"with equals", "-s -pluginpath=a/b -w", "a/b", true},
		{"double dash", "--pluginpath=a/b", "a/b", true},
		{"separate value", "-pluginpath a/b", "a/b", true},
		{"dangling", "-pluginpath", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, found := pluginPathFlag(tt.ldflags)
			assert.Equal(t, tt.found, found)
			assert.Equal(t, tt.want, got)
		})
	}
	assert.NoError(t, checkPluginPath("-pluginpath=a/b", "a/b"))
	assert.NoError(t, checkPluginPath("-s -w", "a/b"))
	assert.ErrorContains(t, checkPluginPath("-pluginpath=c", "a/b"),
		"undefined symbol c.<name>")
}
