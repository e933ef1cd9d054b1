package main

import (
	"fmt"
	"os"

	"github.com/streamspace/streamspace-pagerduty/hostloader"
)

// version is pdhost's version. The Makefile sets it from manifest.json with
// -ldflags "-X main.version=...", so that the version is declared in one place.
var version string

// version runs --version: it prints pdhost's version, or, in a build without one, the
// version of the plugin at --plugin when it loads, or "devel".
func (a *app) version(args []string) int {
	f := newFlags("--version", "--version [--plugin F]")
	pluginPath := f.String("plugin", defaultPluginPath,
		"the plugin `.so` whose version to report when pdhost was built without one")
	if ok, code := f.parse(a, args); !ok {
		return code
	}
	fmt.Fprintf(a.stdout, "pdhost %s\n", resolveVersion(version, *pluginPath))
	return exitOK
}

// resolveVersion returns built when it is set, else the version the plugin at pluginPath
// reports, else "devel".
func resolveVersion(built, pluginPath string) string {
	if built != "" {
		return built
	}
	if _, err := os.Stat(pluginPath); err == nil {
		if p, err := hostloader.Open(pluginPath); err == nil {
			if v, ok := p.Version(); ok && v != "" {
				return v
			}
		}
	}
	return "devel"
}
