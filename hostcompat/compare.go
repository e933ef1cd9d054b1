package hostcompat

import (
	"fmt"
	"slices"
	"strings"
)

// pairCheck finds one family of mismatches between a host and a plugin.
type pairCheck func(host, plugin *Facts) []Mismatch

// pairChecks run in this order, so that the report starts with the broadest cause.
var pairChecks = []pairCheck{
	checkPluginMode, checkRelease, checkModules, checkFlags, checkTags,
	checkCodegenEnv, checkLibc, checkGOROOT, checkGOMODCACHE, checkGCFlags,
}

// Compare lists every difference between host and plugin that makes plugin.Open in
// the host refuse the plugin. With a nil plugin it only checks that the host can load
// plugins at all.
func Compare(host, plugin *Facts) Report {
	r := Report{Host: host, Plugin: plugin}
	if host == nil {
		r.Mismatches = []Mismatch{{Severity: SeverityError, Subject: "host",
			Why: "no host facts were given", Fix: "inspect the API server binary first"}}
		return r
	}
	r.Mismatches = checkHost(host)
	if plugin == nil {
		return r
	}
	for _, check := range pairChecks {
		r.Mismatches = append(r.Mismatches, check(host, plugin)...)
	}
	return r
}

// checkHost finds what stops host from loading any plugin.
func checkHost(host *Facts) []Mismatch {
	var out []Mismatch
	if host.CGOEnabled == "0" {
		out = append(out, Mismatch{
			Severity: SeverityError, Subject: "CGO_ENABLED", Host: "0",
			Why: "a host built with CGO_ENABLED=0 cannot load plugins at all: every " +
				`plugin.Open fails with "plugin: not implemented", and no plugin build ` +
				"can change that; rebuild the API server with CGO_ENABLED=1 on a glibc " +
				"or musl base that matches the plugin's C library",
			Fix: hostRebuildCommand(host),
		})
	}
	switch host.BuildMode {
	case "plugin", "c-shared", "c-archive", "shared":
		out = append(out, Mismatch{
			Severity: SeverityError, Subject: "host -buildmode", Host: host.BuildMode,
			Why: "the host must be an executable (-buildmode=exe or pie)",
			Fix: "pass the API server executable as the host",
		})
	}
	if host.CGOEnabled == "1" && host.Libc == LibcNone {
		out = append(out, Mismatch{
			Severity: SeverityWarning, Subject: "host linking", Host: "static",
			Why: "the host is statically linked; musl cannot dlopen from a static " +
				"executable and glibc does so unreliably",
			Fix: "rebuild the API server without -extldflags=-static",
		})
	}
	return out
}

// checkPluginMode reports a plugin file that is not a plugin.
func checkPluginMode(host, plugin *Facts) []Mismatch {
	if plugin.BuildMode == "plugin" {
		return nil
	}
	return []Mismatch{{
		Severity: SeverityError, Subject: "plugin -buildmode", Host: host.BuildMode,
		Plugin: orUnset(plugin.BuildMode),
		Why:    "the plugin file was not built with -buildmode=plugin",
		Fix:    pluginBuildCommand(host, plugin.Path),
	}}
}

// checkRelease reports different Go releases.
func checkRelease(host, plugin *Facts) []Mismatch {
	if host.Release() == plugin.Release() {
		return nil
	}
	fix := "build the plugin with the toolchain that built the host (" + host.GoVersion + ")"
	if host.IsRelease() {
		fix = "GOTOOLCHAIN=" + host.Release() + " " + alignCommand(host)
	}
	return []Mismatch{{
		Severity: SeverityError, Subject: "Go release", Host: host.GoVersion,
		Plugin: plugin.GoVersion,
		Why: "every standard library package differs, so plugin.Open fails with " +
			`"plugin was built with a different version of package ..."`,
		Fix: fix,
	}}
}

// checkModules reports every module both link whose source differs.
func checkModules(host, plugin *Facts) []Mismatch {
	var out []Mismatch
	for _, pd := range plugin.Deps {
		if pd.Path == host.Main.Path {
			out = append(out, Mismatch{
				Severity: SeverityWarning, Subject: "module " + pd.Path,
				Host: host.Main.String(), Plugin: pd.String(),
				Why: "the plugin links packages of the host's own module, whose source " +
					"cannot be checked from the binary",
				Fix: "build the plugin against the exact source tree the host was built from",
			})
			continue
		}
		hd, ok := host.Dep(pd.Path)
		if !ok {
			continue
		}
		if m, differ := compareModule(hd, pd); differ {
			out = append(out, m)
		}
	}
	return out
}

// compareModule compares one module both binaries link.
func compareModule(hd, pd Module) (Mismatch, bool) {
	he, pe := hd.Effective(), pd.Effective()
	m := Mismatch{Subject: "module " + pd.Path, Host: hd.String(), Plugin: pd.String()}
	switch {
	case he.Path != pe.Path || he.Version != pe.Version:
		m.Severity = SeverityError
		m.Why = `plugin.Open fails with "plugin was built with a different version of ` +
			`package ` + pd.Path + `/..."`
		m.Fix = moduleFix(hd, pd)
	case he.Version == "":
		m.Severity = SeverityWarning
		m.Why = "both use a local directory replacement, so identical source cannot be " +
			"verified"
		m.Fix = "build host and plugin from the same copy of " + he.Path
	case he.Sum != "" && pe.Sum != "" && he.Sum != pe.Sum:
		m.Severity = SeverityError
		m.Host += " " + he.Sum
		m.Plugin += " " + pe.Sum
		m.Why = "same version but different content, so the packages hash differently"
		m.Fix = "go mod download -json " + he.Path + "@" + he.Version +
			" (compare its Sum with both), then rebuild the side whose copy differs"
	default:
		return Mismatch{}, false
	}
	return m, true
}

// checkFlags reports -trimpath, -race, -msan and -asan differences.
func checkFlags(host, plugin *Facts) []Mismatch {
	var out []Mismatch
	flags := append([]string{"-trimpath"}, sanitizerFlags...)
	for _, flag := range flags {
		h, p := host.Setting(flag) == "true", plugin.Setting(flag) == "true"
		if h == p {
			continue
		}
		why := flag + " changes the compiled code of every package"
		if flag == "-trimpath" {
			why = "-trimpath changes the source paths recorded in every package's hash"
		}
		out = append(out, Mismatch{
			Severity: SeverityError, Subject: flag,
			Host: fmt.Sprint(h), Plugin: fmt.Sprint(p), Why: why,
			Fix: pluginBuildCommand(host, plugin.Path),
		})
	}
	return out
}

// checkTags reports different build tag sets.
func checkTags(host, plugin *Facts) []Mismatch {
	h, p := sortedTags(host.Tags), sortedTags(plugin.Tags)
	if slices.Equal(h, p) {
		return nil
	}
	return []Mismatch{{
		Severity: SeverityError, Subject: "-tags",
		Host: orUnset(strings.Join(h, ",")), Plugin: orUnset(strings.Join(p, ",")),
		Why: "build tags change which files shared packages compile",
		Fix: pluginBuildCommand(host, plugin.Path),
	}}
}

// sortedTags returns a sorted copy of tags without duplicates.
func sortedTags(tags []string) []string {
	out := slices.Clone(tags)
	slices.Sort(out)
	return slices.Compact(out)
}

// checkCodegenEnv reports differences in GOOS, GOARCH, GOAMD64 and the like.
func checkCodegenEnv(host, plugin *Facts) []Mismatch {
	var out []Mismatch
	for _, key := range codegenKeys {
		h, p := host.Setting(key), plugin.Setting(key)
		if h == p {
			continue
		}
		out = append(out, Mismatch{
			Severity: SeverityError, Subject: key, Host: orUnset(h), Plugin: orUnset(p),
			Why: key + " changes the code generated for every package",
			Fix: pluginBuildCommand(host, plugin.Path),
		})
	}
	return out
}

// checkLibc reports a plugin linked against a C library the host does not run on.
func checkLibc(host, plugin *Facts) []Mismatch {
	known := func(l Libc) bool { return l == LibcGlibc || l == LibcMusl }
	if host.CGOEnabled == "0" || !known(host.Libc) || !known(plugin.Libc) ||
		host.Libc == plugin.Libc {
		return nil
	}
	image := "golang:" + strings.TrimPrefix(host.Release(), "go")
	base := image + " (Debian, glibc)"
	if host.Libc == LibcMusl {
		base = image + "-alpine with gcc and musl-dev installed"
	}
	return []Mismatch{{
		Severity: SeverityError, Subject: "C library",
		Host:   fmt.Sprintf("%s (%s)", host.Libc, host.Interpreter),
		Plugin: fmt.Sprintf("%s (%s)", plugin.Libc, strings.Join(plugin.Needed, " ")),
		Why: fmt.Sprintf("a plugin linked against %s cannot be loaded by a %s process",
			plugin.Libc, host.Libc),
		Fix: "on " + base + ", run: " + alignCommand(host),
	}}
}

// checkGOROOT reports different standard library directories when neither binary
// trimmed its paths.
func checkGOROOT(host, plugin *Facts) []Mismatch {
	if !untrimmedDirsDiffer(host.GOROOT, plugin.GOROOT) {
		return nil
	}
	dir := host.GOROOT.Dir
	return []Mismatch{{
		Severity: SeverityError, Subject: "GOROOT", Host: dir, Plugin: plugin.GOROOT.Dir,
		Why: "standard library source paths are part of every package's hash",
		Fix: fmt.Sprintf("install Go %s at %s and run PATH=%s/bin:$PATH GOTOOLCHAIN=local "+
			"%s, or rebuild host and plugin with -trimpath", host.Release(), dir, dir,
			alignCommand(host)),
	}}
}

// checkGOMODCACHE reports different module cache directories when neither binary
// trimmed its paths and they share at least one module.
func checkGOMODCACHE(host, plugin *Facts) []Mismatch {
	if !untrimmedDirsDiffer(host.GOMODCACHE, plugin.GOMODCACHE) || !shareModules(host, plugin) {
		return nil
	}
	return []Mismatch{{
		Severity: SeverityError, Subject: "GOMODCACHE", Host: host.GOMODCACHE.Dir,
		Plugin: plugin.GOMODCACHE.Dir,
		Why:    "module source paths are part of the hash of every shared package",
		Fix:    "GOMODCACHE=" + shellQuote(host.GOMODCACHE.Dir) + " " + alignCommand(host),
	}}
}

// untrimmedDirsDiffer reports whether both roots are known directories that differ.
func untrimmedDirsDiffer(h, p SourceRoot) bool {
	return h.Dir != "" && p.Dir != "" && h.Dir != p.Dir
}

// shareModules reports whether host and plugin link at least one common module.
func shareModules(host, plugin *Facts) bool {
	for _, d := range plugin.Deps {
		if _, ok := host.Dep(d.Path); ok {
			return true
		}
	}
	return false
}

// checkGCFlags warns about different compiler flags, which change the hash of every
// package they apply to. The plugin's own -p=PATH, which gives a build its unique plugin
// path, is left out: without a package pattern it applies only to the plugin's main
// package, which no host shares.
func checkGCFlags(host, plugin *Facts) []Mismatch {
	h, p := host.Setting("-gcflags"), withoutPluginPath(plugin.Setting("-gcflags"))
	if h == p {
		return nil
	}
	return []Mismatch{{
		Severity: SeverityWarning, Subject: "-gcflags", Host: orUnset(h), Plugin: orUnset(p),
		Why: "compiler flags change the hash of every shared package they apply to",
		Fix: pluginBuildCommand(host, plugin.Path),
	}}
}

// withoutPluginPath drops a lone, unpatterned -p=PATH from a -gcflags setting.
func withoutPluginPath(gcflags string) string {
	if strings.HasPrefix(gcflags, "-p=") && !strings.ContainsAny(gcflags, " \t") {
		return ""
	}
	return gcflags
}
