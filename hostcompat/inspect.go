package hostcompat

import (
	"debug/buildinfo"
	"debug/elf"
	"errors"
	"fmt"
	"os"
	"runtime/debug"
	"strings"
)

// Inspect reads the build information, ELF headers and Go line table of the executable
// or shared object at path. It fails with a clear error when the file is not a Go ELF
// binary.
func Inspect(path string) (*Facts, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("hostcompat: inspect %s: %w", path, err)
	}
	if info.IsDir() {
		return nil, fmt.Errorf("hostcompat: inspect %s: is a directory, not a Go binary", path)
	}
	file, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("hostcompat: inspect %s: %w", path, err)
	}
	defer file.Close()

	bi, err := buildinfo.Read(file)
	if err != nil {
		return nil, fmt.Errorf("hostcompat: %s is not a Go binary "+
			"(no Go build information found): %w", path, err)
	}
	ef, err := elf.NewFile(file)
	if err != nil {
		return nil, fmt.Errorf("hostcompat: %s is a Go binary but not an ELF file; "+
			"only Linux ELF executables and plugins can be checked: %w", path, err)
	}
	defer ef.Close()

	facts := factsFromBuildInfo(path, bi)
	readELF(ef, facts)
	files, err := sourceFiles(ef)
	if err != nil && !errors.Is(err, errOldLineTable) {
		return nil, fmt.Errorf("hostcompat: %s: reading the Go line table: %w", path, err)
	}
	// TODO: line tables from before Go 1.16 are not decoded; their roots stay unknown.
	facts.GOROOT = goRootOf(files)
	facts.GOMODCACHE = modCacheOf(files, facts.Deps)
	return facts, nil
}

// factsFromBuildInfo copies the module list and build settings out of bi.
func factsFromBuildInfo(path string, bi *debug.BuildInfo) *Facts {
	f := &Facts{
		Path:        path,
		GoVersion:   bi.GoVersion,
		MainPackage: bi.Path,
		Main:        moduleOf(&bi.Main),
		Settings:    make(map[string]string, len(bi.Settings)),
	}
	for _, d := range bi.Deps {
		f.Deps = append(f.Deps, moduleOf(d))
	}
	for _, s := range bi.Settings {
		f.Settings[s.Key] = s.Value
	}
	f.applySettings()
	return f
}

// applySettings derives the typed build setting fields from f.Settings.
func (f *Facts) applySettings() {
	f.BuildMode = f.Settings["-buildmode"]
	f.Trimpath = f.Settings["-trimpath"] == "true"
	f.Race = f.Settings["-race"] == "true"
	f.Tags = splitTags(f.Settings["-tags"])
	f.LDFlags = f.Settings["-ldflags"]
	f.CGOEnabled = f.Settings["CGO_ENABLED"]
	f.GOOS = f.Settings["GOOS"]
	f.GOARCH = f.Settings["GOARCH"]
}

// moduleOf converts one runtime/debug module record.
func moduleOf(m *debug.Module) Module {
	if m == nil {
		return Module{}
	}
	out := Module{Path: m.Path, Version: m.Version, Sum: m.Sum}
	if m.Replace != nil {
		r := moduleOf(m.Replace)
		out.Replace = &r
	}
	return out
}

// splitTags splits a -tags value, which is comma-separated (older toolchains also
// accepted spaces).
func splitTags(s string) []string {
	fields := strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' })
	if len(fields) == 0 {
		return nil
	}
	return fields
}

// errNoLineTable is returned when no Go line table can be found in an ELF file.
var errNoLineTable = errors.New("no Go line table (.gopclntab) found")

// errOldLineTable is returned for a line table written by Go 1.2 to 1.15, whose file
// table this package does not decode.
var errOldLineTable = errors.New("Go line table older than Go 1.16 is not decoded")
