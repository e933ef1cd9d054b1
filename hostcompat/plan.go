package hostcompat

import (
	"fmt"
	"strconv"
	"strings"
)

// buildPlan is how an aligned plugin build differs from a plain one: environment
// overrides, go build flags, and explanations for what could not be matched.
type buildPlan struct {
	env   [][2]string
	flags []string
	notes []string
}

// setenv records one environment override.
func (p *buildPlan) setenv(key, value string) {
	p.env = append(p.env, [2]string{key, value})
}

// planBuild decides the environment and flags of a plugin build for host, with extra
// linker flags and an optional plugin path. dirExists tells whether the host's module
// cache directory exists on this machine. It fails when no plugin can load into host.
func planBuild(host *Facts, ldflags, pluginPath string,
	dirExists func(string) bool) (buildPlan, error) {
	for _, m := range checkHost(host) {
		if m.Severity == SeverityError {
			return buildPlan{}, fmt.Errorf("hostcompat: %s cannot load plugins: %s; fix: %s",
				host.Path, m.Why, m.Fix)
		}
	}
	var p buildPlan
	p.setenv("GOWORK", "off")
	p.setenv("CGO_ENABLED", "1")
	for _, key := range codegenKeys {
		if v := host.Setting(key); v != "" || key == "GOEXPERIMENT" {
			p.setenv(key, v)
		}
	}
	p.flags = []string{"-buildmode=plugin", "-trimpath=" + strconv.FormatBool(host.Trimpath)}
	for _, flag := range sanitizerFlags {
		p.flags = append(p.flags, flag+"="+strconv.FormatBool(host.Setting(flag) == "true"))
	}
	p.flags = append(p.flags, "-tags="+strings.Join(host.Tags, ","))
	if gc := host.Setting("-gcflags"); gc != "" {
		p.flags = append(p.flags, "-gcflags="+gc)
	}
	if pluginPath != "" {
		// A later -gcflags wins for the packages both match; this one only matches the
		// plugin's main package, which the host never links.
		p.flags = append(p.flags, "-gcflags=-p="+pluginPath)
		ldflags = strings.TrimSpace("-pluginpath=" + pluginPath + " " + ldflags)
	}
	if ldflags != "" {
		p.flags = append(p.flags, "-ldflags="+ldflags)
	}
	p.planModCache(host, dirExists)
	return p, nil
}

// planModCache points GOMODCACHE at the host's module cache directory when the host
// kept its paths and that directory exists here, and explains otherwise.
func (p *buildPlan) planModCache(host *Facts, dirExists func(string) bool) {
	dir := host.GOMODCACHE.Dir
	switch {
	case host.Trimpath || dir == "":
		return
	case dirExists(dir):
		p.setenv("GOMODCACHE", dir)
		p.notes = append(p.notes, "using GOMODCACHE="+dir+
			", the module cache directory the host was built from")
	default:
		p.notes = append(p.notes, "the host compiled its modules from "+dir+
			", which does not exist here; module source paths are part of package "+
			"hashes, so shared modules will not match unless that directory is "+
			"created (mkdir -p "+shellQuote(dir)+") and the build rerun, or host and "+
			"plugin are both built with -trimpath")
	}
}
