package hostcompat

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// AlignOptions configures AlignedBuild.
type AlignOptions struct {
	// HostPath is the API server executable the plugin must load into.
	HostPath string
	// SourceDir is the plugin's module root, the directory holding its go.mod.
	SourceDir string
	// Output is the .so file to write.
	Output string
	// LDFlags are extra linker flags for the plugin, such as -X settings. A
	// -pluginpath here must equal the main package's import path, which go build
	// already passes; any other value makes every plugin.Lookup fail, so use
	// PluginPath instead.
	LDFlags string
	// PluginPath, when set, is the plugin path to build under, so that a host can
	// open a newer build of the same plugin without "plugin already loaded". The main
	// package is compiled under it (-gcflags=-p) and linked with -pluginpath, since
	// plugin.Lookup searches for symbols under the plugin path. It must not contain
	// spaces or "@", which the system linker reads as a symbol version.
	PluginPath string
	// Env holds extra KEY=VALUE environment entries for every go command, applied
	// over the process environment and under the settings alignment requires.
	Env []string
	// Stdout receives the go commands' output and the final report; nil discards it.
	Stdout io.Writer
	// Stderr receives the go commands' diagnostics and alignment notes; nil discards
	// them.
	Stderr io.Writer
}

// validate reports the first missing or malformed option.
func (o AlignOptions) validate() error {
	switch {
	case o.HostPath == "":
		return fmt.Errorf("hostcompat: AlignOptions.HostPath is empty; " +
			"set it to the API server executable")
	case o.SourceDir == "":
		return fmt.Errorf("hostcompat: AlignOptions.SourceDir is empty; " +
			"set it to the plugin's module root (the directory holding go.mod)")
	case o.Output == "":
		return fmt.Errorf("hostcompat: AlignOptions.Output is empty; " +
			"set it to the .so file to write")
	}
	if strings.ContainsAny(o.PluginPath, "@ \t\n") {
		return fmt.Errorf("hostcompat: AlignOptions.PluginPath %q must not contain spaces "+
			"or \"@\"", o.PluginPath)
	}
	if _, ok := pluginPathFlag(o.LDFlags); ok && o.PluginPath != "" {
		return fmt.Errorf("hostcompat: AlignOptions.LDFlags sets -pluginpath and " +
			"AlignOptions.PluginPath is set too; set the plugin path only in PluginPath")
	}
	for _, kv := range o.Env {
		if k, _, ok := strings.Cut(kv, "="); !ok || k == "" {
			return fmt.Errorf("hostcompat: AlignOptions.Env entry %q is not KEY=VALUE", kv)
		}
	}
	return nil
}

// AlignedBuild builds the plugin in opts.SourceDir as a .so that the host executable
// opts.HostPath can load: same Go release (through GOTOOLCHAIN), the host's version of
// every shared module (in a temporary copy of go.mod and go.sum; the plugin's own
// files are left alone), the host's -trimpath, -race, tags and code generation
// settings, CGO_ENABLED=1, and the host's module cache directory when it exists here.
// It then checks the result against the host and fails if it would not load.
func AlignedBuild(ctx context.Context, opts AlignOptions) error {
	if err := opts.validate(); err != nil {
		return err
	}
	host, err := Inspect(opts.HostPath)
	if err != nil {
		return err
	}
	return alignedBuild(ctx, opts, host)
}

// alignedBuild is AlignedBuild for already inspected host facts.
func alignedBuild(ctx context.Context, opts AlignOptions, host *Facts) error {
	stdout, stderr := orDiscard(opts.Stdout), orDiscard(opts.Stderr)
	out, err := filepath.Abs(opts.Output)
	if err != nil {
		return fmt.Errorf("hostcompat: AlignOptions.Output %q: %w", opts.Output, err)
	}
	plan, err := planBuild(host, opts.LDFlags, opts.PluginPath, dirExists)
	if err != nil {
		return err
	}
	g := &goTool{dir: opts.SourceDir, stdout: stdout, stderr: stderr,
		env: append(os.Environ(), opts.Env...)}
	for _, kv := range plan.env {
		g.setenv(kv[0], kv[1])
	}
	for _, note := range plan.notes {
		fmt.Fprintf(stderr, "hostcompat: %s\n", note)
	}
	if err := selectToolchain(ctx, g, host); err != nil {
		return err
	}
	noteGOROOT(ctx, g, host)

	tmp, err := os.MkdirTemp("", "hostcompat-build-")
	if err != nil {
		return fmt.Errorf("hostcompat: creating a temporary directory: %w", err)
	}
	defer os.RemoveAll(tmp)
	modPath, err := prepareModFile(opts.SourceDir, tmp, host)
	if err != nil {
		return err
	}
	if err := alignModules(ctx, g, host, modPath); err != nil {
		return err
	}
	if _, ok := pluginPathFlag(opts.LDFlags); ok {
		importPath, err := mainImportPath(ctx, g, modPath)
		if err != nil {
			return err
		}
		if err := checkPluginPath(opts.LDFlags, importPath); err != nil {
			return err
		}
	}
	args := append([]string{"build", "-modfile=" + modPath}, plan.flags...)
	if err := g.run(ctx, append(args, "-o", out, ".")...); err != nil {
		return err
	}
	return verifyAligned(stdout, opts.HostPath, out)
}

// verifyAligned checks the freshly built plugin against the host.
func verifyAligned(w io.Writer, hostPath, pluginPath string) error {
	ok, err := Check(w, hostPath, pluginPath)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("hostcompat: %s was built but still does not match %s; "+
			"see the report", pluginPath, hostPath)
	}
	return nil
}

// selectToolchain pins the go command to the host's Go release: the local toolchain
// when it is that release, otherwise GOTOOLCHAIN=<release>, which the go command
// fetches from the module proxy. It fails, naming the release, when that is not
// possible.
func selectToolchain(ctx context.Context, g *goTool, host *Facts) error {
	want := host.Release()
	if !host.IsRelease() {
		return fmt.Errorf("hostcompat: the host was built by %q, which is not a released "+
			"Go toolchain; build the plugin by hand with that same toolchain", host.GoVersion)
	}
	local, err := g.output(ctx, "env", "GOVERSION")
	if err != nil {
		return err
	}
	local = firstField(local)
	if local == want {
		g.setenv("GOTOOLCHAIN", "local")
		return nil
	}
	fmt.Fprintf(g.stderr, "hostcompat: the host was built with %s and the local toolchain "+
		"is %s; using GOTOOLCHAIN=%s\n", want, local, want)
	g.setenv("GOTOOLCHAIN", want)
	got, err := g.output(ctx, "env", "GOVERSION")
	if err == nil && firstField(got) != want {
		err = fmt.Errorf("the go command ran %s instead", got)
	}
	if err != nil {
		return fmt.Errorf("hostcompat: the host was built with %s but the local toolchain "+
			"is %s and %s could not be obtained (%w); install Go %s and put its bin "+
			"directory first on PATH", want, local, want, err, want)
	}
	return nil
}

// noteGOROOT explains when the selected toolchain's GOROOT differs from the one the
// host was compiled from, which no build setting can change.
func noteGOROOT(ctx context.Context, g *goTool, host *Facts) {
	dir := host.GOROOT.Dir
	if host.Trimpath || dir == "" {
		return
	}
	root, err := g.output(ctx, "env", "GOROOT")
	if err != nil || filepath.Clean(root) == dir {
		return
	}
	fmt.Fprintf(g.stderr, "hostcompat: the host's standard library was compiled from %s but "+
		"this toolchain is at %s; source paths are part of package hashes, so the plugin "+
		"will only load if Go %s is installed at %s and first on PATH, or if host and "+
		"plugin are both built with -trimpath\n", dir, root, host.Release(), dir)
}

// firstField returns the first space-separated word of s.
func firstField(s string) string {
	if f := strings.Fields(s); len(f) > 0 {
		return f[0]
	}
	return ""
}

// dirExists reports whether path is an existing directory.
func dirExists(path string) bool {
	info, err := os.Stat(path)
	return err == nil && info.IsDir()
}

// orDiscard returns w, or io.Discard when w is nil.
func orDiscard(w io.Writer) io.Writer {
	if w == nil {
		return io.Discard
	}
	return w
}
