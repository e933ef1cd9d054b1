package hostloader

import (
	"fmt"
	"runtime"
	"strings"
)

// VersionMismatchError reports that the plugin and the host were built from different
// versions of a package they share, with different Go toolchains or with different build
// flags, so Go refuses to load the plugin.
type VersionMismatchError struct {
	// Path is the plugin file as given.
	Path string
	// Package is the import path of the package Go reported.
	Package string
	// Module is the module that provides Package, or "" for a standard-library package or
	// when the plugin records no module information.
	Module string
	// HostVersion and PluginVersion are the versions of Module on each side, "" if unknown.
	HostVersion, PluginVersion string
	// Differences lists the toolchain and build settings that differ between host and
	// plugin, such as "-race: host true, plugin false".
	Differences []string
	// Host is the host binary named in the advice.
	Host string
	// Err is the error from plugin.Open.
	Err error
}

// Error names the package, what differs, and the commands that compare and rebuild.
func (e *VersionMismatchError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "hostloader: cannot load %s: it was built with a different version of "+
		"package %s than this host", e.Path, e.Package)
	agree := "the Go toolchain and the build flags"
	switch {
	case e.Module != "":
		agree = "module " + e.Module + ", " + agree
		b.WriteString(e.versions())
	case isStandard(e.Package):
		b.WriteString("; it is a standard-library package, so the Go toolchain or the " +
			"build flags differ")
	}
	if len(e.Differences) > 0 {
		fmt.Fprintf(&b, "; they differ in %s", strings.Join(e.Differences, "; "))
	}
	fmt.Fprintf(&b, "; host and plugin must agree on %s: compare them with "+
		"\"pdhost check-host --host %s --plugin %s\", then rebuild the plugin for this host "+
		"with \"make build HOST=%s\"", agree, e.Host, e.Path, e.Host)
	return b.String()
}

// versions describes the versions of Module that are known. A test binary, for one, records
// no module versions of its own.
func (e *VersionMismatchError) versions() string {
	switch {
	case e.HostVersion != "" && e.PluginVersion != "" && e.HostVersion != e.PluginVersion:
		return fmt.Sprintf("; module %s is %s in the host and %s in the plugin",
			e.Module, e.HostVersion, e.PluginVersion)
	case e.HostVersion == "" && e.PluginVersion != "":
		return fmt.Sprintf("; the plugin was built with %s %s", e.Module, e.PluginVersion)
	case e.HostVersion != "" && e.PluginVersion == "":
		return fmt.Sprintf("; the host was built with %s %s", e.Module, e.HostVersion)
	}
	return ""
}

// Unwrap returns the error from plugin.Open.
func (e *VersionMismatchError) Unwrap() error { return e.Err }

// PluginsUnsupportedError reports a host binary that cannot load plugins at all, because it
// was built with CGO_ENABLED=0 or for a platform without plugin support.
type PluginsUnsupportedError struct {
	// Path is the plugin file as given.
	Path string
	// Err is the error from plugin.Open.
	Err error
}

// Error explains that the host must be rebuilt with cgo.
func (e *PluginsUnsupportedError) Error() string {
	return fmt.Sprintf("hostloader: cannot load %s: this host binary has no plugin support "+
		"(Go reports %q); the plugin package needs cgo, so rebuild the host with "+
		"CGO_ENABLED=1 and a C compiler installed, on linux, freebsd or darwin "+
		"(this host is %s/%s)", e.Path, e.Err, runtime.GOOS, runtime.GOARCH)
}

// Unwrap returns the error from plugin.Open.
func (e *PluginsUnsupportedError) Unwrap() error { return e.Err }

// AlreadyLoadedError reports that this process already holds a different plugin file built
// with the same plugin path; Go cannot unload or replace it.
type AlreadyLoadedError struct {
	// Path is the plugin file as given.
	Path string
	// Err is the error from plugin.Open.
	Err error
}

// Error explains how to load a new build next to the old one.
func (e *AlreadyLoadedError) Error() string {
	return fmt.Sprintf("hostloader: cannot load %s: a plugin built with the same plugin path "+
		"is already loaded in this process and Go cannot replace it; rebuild the plugin "+
		"with a new -pluginpath (make build gives each build a unique one; by hand, pass "+
		"the same new path P as -gcflags=-p=P and -ldflags=-pluginpath=P) or restart "+
		"the host", e.Path)
}

// Unwrap returns the error from plugin.Open.
func (e *AlreadyLoadedError) Unwrap() error { return e.Err }

// MissingSymbolError reports a plugin that does not export the Plugin variable.
type MissingSymbolError struct {
	// Path is the plugin file as given.
	Path string
	// Symbol is the name that was looked up.
	Symbol string
	// PluginPath is the plugin path Go reported for the file, "" if it reported none.
	PluginPath string
	// Err is the error from Lookup.
	Err error
}

// Error names the symbol to export and the methods its type needs.
func (e *MissingSymbolError) Error() string {
	return fmt.Sprintf("hostloader: %s (plugin path %q) exports no symbol %s; declare an "+
		"exported package-level variable \"var %s T\" in the plugin's main package, "+
		"where *T has the methods %s", e.Path, e.PluginPath, e.Symbol, e.Symbol,
		handlerMethods())
}

// Unwrap returns the error from Lookup.
func (e *MissingSymbolError) Unwrap() error { return e.Err }

// PluginPathMismatchError reports a plugin whose exported symbols are named after another
// plugin path than the one it was linked with, which happens when it is built with
// -ldflags=-pluginpath=P without also compiling its main package as P.
type PluginPathMismatchError struct {
	// Path is the plugin file as given.
	Path string
	// Symbol is the exported symbol Go could not find.
	Symbol string
	// PluginPath is the plugin path the file was linked with, "" if Go did not report it.
	PluginPath string
	// Err is the error from plugin.Open.
	Err error
}

// Error explains the mismatch and the two ways to build the plugin consistently.
func (e *PluginPathMismatchError) Error() string {
	p := e.PluginPath
	if p == "" {
		p = "P"
	}
	return fmt.Sprintf("hostloader: cannot load %s: its exported symbol %s is not named "+
		"after its plugin path %q, so it was built with -ldflags=-pluginpath without "+
		"compiling its main package under the same path; build it with both "+
		"-gcflags=-p=%s and -ldflags=-pluginpath=%s, or with neither",
		e.Path, e.Symbol, e.PluginPath, p, p)
}

// Unwrap returns the error from plugin.Open.
func (e *PluginPathMismatchError) Unwrap() error { return e.Err }

// LoadError reports any other failure to read or load the plugin file, such as a missing
// shared library or a permission problem.
type LoadError struct {
	// Path is the plugin file as given.
	Path string
	// Err is the underlying error.
	Err error
}

// Error names the file and the cause.
func (e *LoadError) Error() string {
	return fmt.Sprintf("hostloader: cannot load %s: %v", e.Path, e.Err)
}

// Unwrap returns the underlying error.
func (e *LoadError) Unwrap() error { return e.Err }
