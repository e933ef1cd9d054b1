package hostcompat

import "regexp"

// Module is one module recorded in a Go binary's build information.
type Module struct {
	// Path is the module path, such as golang.org/x/time.
	Path string
	// Version is the module version, empty for a local directory replacement.
	Version string
	// Sum is the go.sum hash of the module's content, empty when unknown.
	Sum string
	// Replace is the module that replaced this one, or nil.
	Replace *Module
}

// Effective returns the module that really supplied the source code: the replacement
// when there is one, the module itself otherwise.
func (m Module) Effective() Module {
	if m.Replace != nil {
		return *m.Replace
	}
	return m
}

// String renders the module as path@version, followed by its replacement if any.
func (m Module) String() string {
	s := m.Path
	if m.Version != "" {
		s += "@" + m.Version
	}
	if m.Replace != nil {
		s += " => " + m.Replace.String()
	}
	return s
}

// Libc names the C library a binary needs at run time.
type Libc string

// The C libraries Inspect can tell apart.
const (
	// LibcGlibc is the GNU C library (ld-linux loader, libc.so.6).
	LibcGlibc Libc = "glibc"
	// LibcMusl is the musl C library used by Alpine Linux (ld-musl loader).
	LibcMusl Libc = "musl"
	// LibcNone means the binary is statically linked and needs no C library.
	LibcNone Libc = "none (static)"
	// LibcUnknown means the binary needs a C library Inspect does not recognise.
	LibcUnknown Libc = "unknown"
)

// SourceRoot tells where the compiler found one family of source files: the standard
// library (GOROOT) or downloaded modules (GOMODCACHE).
type SourceRoot struct {
	// Dir is the directory the files were read from, empty when trimmed or unknown.
	Dir string
	// Trimmed is true when the binary was built with -trimpath, so no directory is kept.
	Trimmed bool
	// Sample is one recorded file path the root was derived from.
	Sample string
}

// Known reports whether the binary revealed the root, either as a directory or as
// trimmed.
func (r SourceRoot) Known() bool {
	return r.Trimmed || r.Dir != ""
}

// String renders the directory, "trimmed" or "unknown".
func (r SourceRoot) String() string {
	switch {
	case r.Trimmed:
		return "trimmed"
	case r.Dir == "":
		return "unknown"
	default:
		return r.Dir
	}
}

// Facts is what Inspect learned about one Go binary.
type Facts struct {
	// Path is the file that was inspected.
	Path string
	// GoVersion is the toolchain version recorded in the binary, such as go1.24.3.
	GoVersion string
	// MainPackage is the import path of the main package, such as example.com/cmd/api.
	MainPackage string
	// Main is the main module; its version is usually (devel).
	Main Module
	// Deps lists every dependency module linked into the binary.
	Deps []Module
	// Settings holds every recorded build setting by key, such as "-trimpath" or "GOOS".
	Settings map[string]string
	// BuildMode is the -buildmode setting: exe, pie, plugin and so on.
	BuildMode string
	// Trimpath is true when the binary was built with -trimpath.
	Trimpath bool
	// Race is true when the binary was built with -race.
	Race bool
	// Tags lists the build tags given with -tags, in the recorded order.
	Tags []string
	// LDFlags is the -ldflags setting.
	LDFlags string
	// CGOEnabled is the CGO_ENABLED setting: "1", "0", or empty when not recorded.
	CGOEnabled string
	// GOOS is the target operating system.
	GOOS string
	// GOARCH is the target architecture.
	GOARCH string
	// Interpreter is the ELF program interpreter (PT_INTERP), empty when there is none.
	Interpreter string
	// Needed lists the shared libraries the ELF file asks for (DT_NEEDED).
	Needed []string
	// Libc is the C library the binary needs at run time.
	Libc Libc
	// Stripped is true when the ELF symbol table was removed (-ldflags=-s).
	Stripped bool
	// HasDWARF is true when DWARF debug information is present (no -ldflags=-w).
	HasDWARF bool
	// GOROOT is where the standard library sources were when the binary was built.
	GOROOT SourceRoot
	// GOMODCACHE is where downloaded module sources were when the binary was built.
	GOMODCACHE SourceRoot
}

// releasePattern matches the name of a released Go toolchain, such as go1.24.3,
// go1.22 or go1.25rc1.
var releasePattern = regexp.MustCompile(`^go1\.\d+(\.\d+)?((rc|beta)\d+)?$`)

// Release returns the toolchain version without any suffix such as " X:boringcrypto".
func (f *Facts) Release() string {
	return firstField(f.GoVersion)
}

// IsRelease reports whether the binary was built by a released toolchain that
// GOTOOLCHAIN can name, as opposed to a development build.
func (f *Facts) IsRelease() bool {
	return releasePattern.MatchString(f.Release())
}

// Dep returns the dependency with the given module path.
func (f *Facts) Dep(path string) (Module, bool) {
	for _, m := range f.Deps {
		if m.Path == path {
			return m, true
		}
	}
	return Module{}, false
}

// Setting returns one recorded build setting, empty when absent.
func (f *Facts) Setting(key string) string {
	return f.Settings[key]
}
