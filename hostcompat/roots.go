package hostcompat

import (
	"strings"
)

// runtimeFile is the standard library file used to locate GOROOT: every Go program
// links the scheduler.
const runtimeFile = "runtime/proc.go"

// goRootOf derives GOROOT from the recorded path of the runtime's proc.go: either
// <GOROOT>/src/runtime/proc.go, or runtime/proc.go when built with -trimpath.
func goRootOf(files []string) SourceRoot {
	for _, f := range files {
		if f == runtimeFile {
			return SourceRoot{Trimmed: true, Sample: f}
		}
		if dir, ok := strings.CutSuffix(f, "/src/"+runtimeFile); ok && dir != "" {
			return SourceRoot{Dir: dir, Sample: f}
		}
	}
	return SourceRoot{}
}

// modCacheOf derives GOMODCACHE from the recorded paths of dependency sources, which
// look like <GOMODCACHE>/<escaped path>@<version>/file.go, or <path>@<version>/file.go
// when built with -trimpath. It returns an unknown root when no dependency source file
// was found (no dependencies, local replacements or vendoring).
func modCacheOf(files []string, deps []Module) SourceRoot {
	var trimmed SourceRoot
	for _, d := range deps {
		for _, m := range []Module{d, d.Effective()} {
			if m.Version == "" {
				continue
			}
			for _, elem := range moduleDirNames(m) {
				for _, f := range files {
					if strings.HasPrefix(f, elem) {
						trimmed = SourceRoot{Trimmed: true, Sample: f}
					} else if i := strings.Index(f, "/"+elem); i > 0 {
						return SourceRoot{Dir: f[:i], Sample: f}
					}
				}
			}
		}
	}
	return trimmed
}

// moduleDirNames returns the directory names a module's files can sit under, followed
// by a slash: the module cache spelling (upper case escaped) and the plain spelling
// that -trimpath uses.
func moduleDirNames(m Module) []string {
	plain := m.Path + "@" + m.Version + "/"
	escaped := escapeModulePath(m.Path) + "@" + m.Version + "/"
	if escaped == plain {
		return []string{plain}
	}
	return []string{escaped, plain}
}

// escapeModulePath spells a module path the way the module cache stores it on disk:
// each upper-case letter becomes '!' followed by its lower-case form.
func escapeModulePath(path string) string {
	var b strings.Builder
	for _, r := range path {
		if 'A' <= r && r <= 'Z' {
			b.WriteByte('!')
			r += 'a' - 'A'
		}
		b.WriteRune(r)
	}
	return b.String()
}
