package sobuild

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// Mode selects what Build produces.
type Mode int

const (
	// Plugin builds a shared object with -buildmode=plugin.
	Plugin Mode = iota
	// Exe builds an ordinary executable.
	Exe
)

// Options describes one build.
type Options struct {
	// Dir is the directory go build runs in, which decides the module the build uses.
	// A relative Dir is resolved against the test's working directory. Required.
	Dir string
	// Package is the package to build, relative to Dir; "." when empty.
	Package string
	// Mode selects a plugin (the default) or an executable.
	Mode Mode
	// PluginPath, when set, replaces the plugin path Go derives from the import path, so
	// that a second build of the same package can be loaded into the same process. Build
	// compiles the package under that path (-gcflags=-p=PluginPath) as well as linking with
	// -pluginpath, because Go names a plugin's exported symbols after the compiled package
	// path: -pluginpath alone yields a plugin whose symbols plugin.Open cannot find.
	PluginPath string
	// LDFlags, when set, is passed in -ldflags, for example "-X main.version=v2".
	LDFlags string
	// Env lists KEY=VALUE entries added after the test's own environment, for example
	// "GOFLAGS=-mod=mod". When they set CGO_ENABLED=0, the flags that need cgo (-race,
	// -asan, -msan) are left out.
	Env []string
}

// Build compiles the package opts describes with the flags of the running test binary and
// returns the path of the result. Identical options are built once per test binary and
// share one file, which stays until Run returns. A failed build fails tb with the output of
// go build.
func Build(tb testing.TB, opts Options) string {
	tb.Helper()
	if !running.Load() {
		tb.Fatal("sobuild: Build needs the test binary to run through sobuild.Run; " +
			"add func TestMain(m *testing.M) { os.Exit(sobuild.Run(m)) }")
	}
	opts, err := opts.normalized()
	if err != nil {
		tb.Fatalf("sobuild: %v", err)
	}
	key := opts.key()
	dir, e, err := outputDir(key)
	if err != nil {
		tb.Fatalf("sobuild: creating the output directory: %v", err)
	}
	e.once.Do(func() {
		e.path = filepath.Join(dir, opts.fileName(key))
		e.err = goBuild(tb.Context(), e.path, opts)
	})
	if e.err != nil {
		tb.Fatalf("sobuild: %v", e.err)
	}
	return e.path
}

// normalized validates o and returns it with an absolute Dir and a non-empty Package.
func (o Options) normalized() (Options, error) {
	if o.Dir == "" {
		return o, errors.New("empty Dir in Options: set it to the directory to build in")
	}
	if o.Mode != Plugin && o.Mode != Exe {
		return o, fmt.Errorf("unknown Mode %d in Options: use sobuild.Plugin or sobuild.Exe",
			o.Mode)
	}
	if o.PluginPath != "" && o.Mode != Plugin {
		return o, errors.New("PluginPath in Options is set but Mode is not sobuild.Plugin")
	}
	if strings.ContainsAny(o.PluginPath, " \t\n") {
		return o, fmt.Errorf("PluginPath %q in Options contains white space", o.PluginPath)
	}
	for _, kv := range o.Env {
		if !strings.Contains(kv, "=") {
			return o, fmt.Errorf("env entry %q in Options is not of the form KEY=VALUE", kv)
		}
	}
	dir, err := filepath.Abs(o.Dir)
	if err != nil {
		return o, fmt.Errorf("resolving Dir %q in Options: %w", o.Dir, err)
	}
	o.Dir = dir
	if o.Package == "" {
		o.Package = "."
	}
	return o, nil
}

// key identifies a build: two option sets with equal keys produce the same file.
func (o Options) key() string {
	return fmt.Sprintf("%q %q %d %q %q %q",
		o.Dir, o.Package, o.Mode, o.PluginPath, o.LDFlags, o.Env)
}

// fileName names the output after the package directory and a hash of key, so that builds
// with different options never overwrite each other.
func (o Options) fileName(key string) string {
	sum := sha256.Sum256([]byte(key))
	name := filepath.Base(filepath.Join(o.Dir, o.Package)) + "-" + hex.EncodeToString(sum[:6])
	if o.Mode == Plugin {
		name += ".so"
	}
	return name
}
