package hostloader

import (
	"debug/buildinfo"
	"debug/elf"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"runtime"
	"runtime/debug"
)

// inspect checks that path names a Go plugin for this host before plugin.Open sees it and
// returns the build information recorded in the file. The check matters: asked to load a
// shared object that holds no Go plugin, the Go runtime aborts the whole process instead of
// returning an error.
func inspect(path string) (*debug.BuildInfo, error) {
	fi, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, &NotFoundError{Path: path, Err: err}
	}
	if err != nil {
		return nil, &LoadError{Path: path, Err: err}
	}
	if fi.IsDir() {
		return nil, &NotSharedObjectError{Path: path, Reason: "it is a directory"}
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, &LoadError{Path: path, Err: err}
	}
	defer f.Close()
	if usesELF() {
		if err := checkELF(path, f); err != nil {
			return nil, err
		}
	}
	info, err := buildinfo.Read(f)
	if err != nil {
		return nil, &NotGoPluginError{Path: path, Err: err,
			Reason: "it holds no Go build information, so the Go toolchain did not build it"}
	}
	if mode := setting(info, "-buildmode"); mode != "" && mode != "plugin" {
		return nil, &NotGoPluginError{Path: path,
			Reason: "it was built with -buildmode=" + mode + " instead of -buildmode=plugin"}
	}
	return info, nil
}

// usesELF reports whether plugins on this operating system are ELF files.
func usesELF() bool {
	switch runtime.GOOS {
	case "linux", "android", "freebsd":
		return true
	}
	return false
}

// checkELF reads the ELF header of f and rejects files that are not ELF shared objects for
// this host's architecture.
func checkELF(path string, f io.Reader) error {
	var hdr [20]byte
	n, err := io.ReadFull(f, hdr[:])
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return &NotSharedObjectError{Path: path, Err: err,
			Reason: fmt.Sprintf("it is only %d bytes long, too short for a shared object", n)}
	}
	if err != nil {
		return &LoadError{Path: path, Err: err}
	}
	if string(hdr[:4]) != elf.ELFMAG {
		return &NotSharedObjectError{Path: path,
			Reason: fmt.Sprintf("it is not an ELF file (it starts with %q)", hdr[:8])}
	}
	target := elfTarget{class: elf.Class(hdr[elf.EI_CLASS]), data: elf.Data(hdr[elf.EI_DATA])}
	var order binary.ByteOrder = binary.LittleEndian
	if target.data == elf.ELFDATA2MSB {
		order = binary.BigEndian
	}
	target.machine = elf.Machine(order.Uint16(hdr[18:]))
	if want, known := elfTargets[runtime.GOARCH]; known && want != target {
		return &WrongArchError{Path: path, FileArch: target.archName(), HostArch: runtime.GOARCH}
	}
	if typ := elf.Type(order.Uint16(hdr[16:])); typ != elf.ET_DYN {
		return &NotSharedObjectError{Path: path,
			Reason: "it is an ELF " + elfTypeName(typ) + ", not a shared object"}
	}
	return nil
}

// elfTypeName describes an ELF file type in words.
func elfTypeName(typ elf.Type) string {
	switch typ {
	case elf.ET_EXEC:
		return "executable"
	case elf.ET_REL:
		return "object file"
	case elf.ET_CORE:
		return "core dump"
	}
	return "file of type " + typ.String()
}

// setting returns the value of the build setting key, or "" when info does not record it.
func setting(info *debug.BuildInfo, key string) string {
	if info == nil {
		return ""
	}
	for _, s := range info.Settings {
		if s.Key == key {
			return s.Value
		}
	}
	return ""
}
