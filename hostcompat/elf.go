package hostcompat

import (
	"debug/elf"
	"io"
	"strings"
)

// readELF fills in the loader, C library and symbol facts of f.
func readELF(ef *elf.File, f *Facts) {
	f.Interpreter = interpreterOf(ef)
	// ImportedLibraries only fails on a malformed dynamic section; treat that as none.
	f.Needed, _ = ef.ImportedLibraries()
	f.Libc = classifyLibc(f.Interpreter, f.Needed)
	f.Stripped = ef.Section(".symtab") == nil
	f.HasDWARF = ef.Section(".debug_info") != nil || ef.Section(".zdebug_info") != nil
}

// interpreterOf returns the PT_INTERP path, empty when the file has none.
func interpreterOf(ef *elf.File) string {
	for _, p := range ef.Progs {
		if p.Type != elf.PT_INTERP {
			continue
		}
		data, err := io.ReadAll(p.Open())
		if err != nil {
			return ""
		}
		return strings.TrimRight(string(data), "\x00")
	}
	return ""
}

// classifyLibc tells the C library from the program interpreter, or for a shared
// object, which has none, from the libraries it needs.
func classifyLibc(interp string, needed []string) Libc {
	switch {
	case strings.Contains(interp, "ld-musl"):
		return LibcMusl
	case strings.Contains(interp, "ld-linux"), strings.Contains(interp, "/ld64.so"):
		return LibcGlibc
	case interp != "":
		return LibcUnknown
	}
	for _, lib := range needed {
		if strings.Contains(lib, "musl") {
			return LibcMusl
		}
	}
	for _, lib := range needed {
		if lib == "libc.so.6" {
			return LibcGlibc
		}
	}
	if len(needed) == 0 {
		return LibcNone
	}
	return LibcUnknown
}
