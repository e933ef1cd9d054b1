package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"

	"github.com/streamspace/streamspace-pagerduty/hostcompat"
)

// checkHost runs the check-host command.
func (a *app) checkHost(args []string) int {
	f := newFlags("check-host", "check-host --host PATH [--plugin F]", "host")
	host := f.String("host", "", "the StreamSpace API server `executable`")
	pluginPath := f.String("plugin", defaultPluginPath,
		"the plugin `.so` to check; empty to check only that the host can load plugins")
	if ok, code := f.parse(a, args); !ok {
		return code
	}
	ok, err := hostcompat.Check(a.stdout, *host, *pluginPath)
	if err != nil {
		fmt.Fprintf(a.stderr, "pdhost: %v\n", err)
		return exitFail
	}
	switch {
	case !ok && *pluginPath == "":
		fmt.Fprintf(a.stderr, "pdhost: %s cannot load plugins; see the report above\n",
			*host)
		return exitFail
	case !ok:
		fmt.Fprintf(a.stderr, "pdhost: %s will not load into %s; see the report above, "+
			"or run pdhost build --host %s\n", *pluginPath, *host, *host)
		return exitFail
	}
	return exitOK
}

// build runs the build command.
func (a *app) build(args []string) int {
	f := newFlags("build", "build --host PATH [-o F] [--source DIR] [--pluginpath P] "+
		"[--ldflags FLAGS]", "host")
	host := f.String("host", "", "the StreamSpace API server `executable` to build for")
	out := f.String("o", defaultPluginPath, "the `.so` file to write")
	source := f.String("source", ".", "the plugin's module root, the `directory` with go.mod")
	pluginPath := f.String("pluginpath", "", "build under this plugin `path`, so that a "+
		"running host can open the new build next to an older one")
	ldflags := f.String("ldflags", "", "extra linker `flags`, such as -X settings")
	if ok, code := f.parse(a, args); !ok {
		return code
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	err := hostcompat.AlignedBuild(ctx, hostcompat.AlignOptions{
		HostPath:   *host,
		SourceDir:  *source,
		Output:     *out,
		LDFlags:    *ldflags,
		PluginPath: *pluginPath,
		Stdout:     a.stdout,
		Stderr:     a.stderr,
	})
	if err != nil {
		fmt.Fprintf(a.stderr, "pdhost: %v\n", err)
		return exitFail
	}
	fmt.Fprintf(a.stdout, "pdhost: wrote %s for %s\n", *out, *host)
	return exitOK
}
