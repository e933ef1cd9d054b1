package hostcompat

import (
	"path/filepath"
	"strings"
)

// codegenKeys are the recorded environment settings that change the code compiled for
// every package, and so must be equal in host and plugin.
var codegenKeys = []string{
	"GOOS", "GOARCH", "GOAMD64", "GOARM", "GOARM64", "GO386", "GOMIPS", "GOMIPS64",
	"GOPPC64", "GORISCV64", "GOWASM", "GOEXPERIMENT", "GOFIPS140",
}

// sanitizerFlags are the recorded boolean build flags that instrument every package.
var sanitizerFlags = []string{"-race", "-msan", "-asan"}

// alignCommand is the project's one-step aligned plugin build for host.
func alignCommand(host *Facts) string {
	return "make build HOST=" + shellQuote(host.Path)
}

// pluginBuildCommand is a go build command line producing a plugin at out whose build
// settings match host.
func pluginBuildCommand(host *Facts, out string) string {
	parts := []string{"CGO_ENABLED=1"}
	for _, key := range codegenKeys {
		if v := host.Setting(key); v != "" {
			parts = append(parts, key+"="+shellQuote(v))
		}
	}
	parts = append(parts, "go", "build", "-buildmode=plugin")
	if host.Trimpath {
		parts = append(parts, "-trimpath")
	}
	for _, flag := range sanitizerFlags {
		if host.Setting(flag) == "true" {
			parts = append(parts, flag)
		}
	}
	if len(host.Tags) > 0 {
		parts = append(parts, "-tags="+shellQuote(strings.Join(host.Tags, ",")))
	}
	if gc := host.Setting("-gcflags"); gc != "" {
		parts = append(parts, "-gcflags="+shellQuote(gc))
	}
	return strings.Join(append(parts, "-o", shellQuote(out), "."), " ")
}

// hostRebuildCommand is a go build command line that rebuilds the host with cgo, so
// that it can load plugins, keeping its other recorded flags.
func hostRebuildCommand(host *Facts) string {
	parts := []string{"CGO_ENABLED=1", "go", "build"}
	if host.Trimpath {
		parts = append(parts, "-trimpath")
	}
	if len(host.Tags) > 0 {
		parts = append(parts, "-tags="+shellQuote(strings.Join(host.Tags, ",")))
	}
	if host.LDFlags != "" {
		parts = append(parts, "-ldflags="+shellQuote(host.LDFlags))
	}
	pkg := host.MainPackage
	if pkg == "" {
		pkg = "."
	}
	out := filepath.Base(host.Path)
	return strings.Join(append(parts, "-o", shellQuote(out), shellQuote(pkg)), " ")
}

// moduleFix is the command that gives the plugin the host's copy of a shared module.
func moduleFix(host, plugin Module) string {
	switch {
	case host.Replace != nil && host.Replace.Version == "":
		return "go mod edit -replace=" + host.Path + "=" + shellQuote(host.Replace.Path) +
			" (the host's local copy; the sources must be identical)"
	case host.Replace != nil:
		return "go mod edit -replace=" + host.Path + "=" + host.Replace.Path + "@" +
			host.Replace.Version + " && go get " + host.Path + "@" + host.Version
	case plugin.Replace != nil:
		return "go mod edit -dropreplace=" + host.Path + " && go get " + host.Path + "@" +
			host.Version
	default:
		return "go get " + host.Path + "@" + host.Version
	}
}

// shellQuote quotes s for a POSIX shell when it holds anything but safe characters.
func shellQuote(s string) string {
	if s == "" {
		return "''"
	}
	safe := true
	for _, r := range s {
		if !strings.ContainsRune("+,-./:=@_%", r) && !isAlnum(r) {
			safe = false
			break
		}
	}
	if safe {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// isAlnum reports whether r is an ASCII letter or digit.
func isAlnum(r rune) bool {
	return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9'
}
