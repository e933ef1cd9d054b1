package hostloader

import (
	"fmt"
	"os"
	"runtime/debug"
	"strings"
	"sync"
)

// comparedSettings are the build settings that change how shared packages are compiled.
var comparedSettings = []string{
	"-race", "-asan", "-msan", "-gcflags", "-tags", "-trimpath",
	"CGO_ENABLED", "GOARCH", "GOOS", "GOAMD64", "GOARM64", "GOEXPERIMENT",
}

// hostBuildInfo reads the running binary's build information once.
var hostBuildInfo = sync.OnceValue(func() *debug.BuildInfo {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return nil
	}
	return info
})

// newVersionMismatch builds the error for package pkg, comparing the host's build
// information with the plugin's (which may be nil).
func newVersionMismatch(path, pkg string, plugin *debug.BuildInfo, err error) error {
	e := &VersionMismatchError{Path: path, Package: pkg, Host: hostBinary(), Err: err}
	host := hostBuildInfo()
	if !isStandard(pkg) {
		e.Module, e.PluginVersion = moduleOf(plugin, pkg)
		if e.Module == "" {
			e.Module, e.HostVersion = moduleOf(host, pkg)
		} else {
			_, e.HostVersion = moduleOf(host, e.Module)
		}
	}
	e.Differences = differences(host, plugin)
	return e
}

// hostBinary names the running binary for the advice in error messages.
func hostBinary() string {
	if exe, err := os.Executable(); err == nil {
		return exe
	}
	return "<api-binary>"
}

// isStandard reports whether pkg belongs to the standard library, whose import paths have
// no dot in their first element.
func isStandard(pkg string) bool {
	first, _, _ := strings.Cut(pkg, "/")
	return !strings.Contains(first, ".")
}

// moduleOf returns the path and version of the module in info that provides pkg: the one
// with the longest path that is pkg or a parent of it. It returns "" when none does.
func moduleOf(info *debug.BuildInfo, pkg string) (path, version string) {
	if info == nil {
		return "", ""
	}
	mods := append([]*debug.Module{&info.Main}, info.Deps...)
	for _, m := range mods {
		if m.Path == "" || len(m.Path) <= len(path) {
			continue
		}
		if pkg == m.Path || strings.HasPrefix(pkg, m.Path+"/") {
			path, version = m.Path, moduleVersion(m)
		}
	}
	return path, version
}

// moduleVersion returns the version m was built from, following a replace directive.
func moduleVersion(m *debug.Module) string {
	if r := m.Replace; r != nil {
		if r.Version != "" {
			return r.Version
		}
		return "=> " + r.Path
	}
	return m.Version
}

// differences lists the toolchain and compared build settings that differ between host and
// plugin; it returns nothing when either side has no build information.
func differences(host, plugin *debug.BuildInfo) []string {
	if host == nil || plugin == nil {
		return nil
	}
	var diffs []string
	if host.GoVersion != plugin.GoVersion {
		diffs = append(diffs, fmt.Sprintf("Go toolchain: host %s, plugin %s",
			host.GoVersion, plugin.GoVersion))
	}
	for _, key := range comparedSettings {
		h, p := setting(host, key), setting(plugin, key)
		if h != p {
			diffs = append(diffs, fmt.Sprintf("%s: host %q, plugin %q", key, h, p))
		}
	}
	return diffs
}
