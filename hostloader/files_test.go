package hostloader_test

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/streamspace/streamspace-pagerduty/hostloader"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// patchedCopy writes a copy of src, changed by patch, into a temporary directory.
func patchedCopy(t *testing.T, src string, patch func(t *testing.T, data []byte)) string {
	t.Helper()
	data, err := os.ReadFile(src)
	require.NoError(t, err)
	patch(t, data)
	dst := filepath.Join(t.TempDir(), "patched.so")
	require.NoError(t, os.WriteFile(dst, data, 0o644))
	return dst
}

// writeFile writes content to a new file in a temporary directory.
func writeFile(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "plugin.so")
	require.NoError(t, os.WriteFile(path, []byte(content), 0o644))
	return path
}

// otherArch returns a GOARCH other than the host's and its ELF machine.
func otherArch() (string, elf.Machine) {
	if runtime.GOARCH == "arm64" {
		return "amd64", elf.EM_X86_64
	}
	return "arm64", elf.EM_AARCH64
}

// replaceAll replaces every occurrence of old in data with repl, which has the same length.
func replaceAll(t *testing.T, data []byte, old, repl string) {
	t.Helper()
	require.Len(t, repl, len(old))
	require.True(t, bytes.Contains(data, []byte(old)), "file contains %q", old)
	copy(data, bytes.ReplaceAll(data, []byte(old), []byte(repl)))
}

func TestOpenRejectsFilesThatAreNotPlugins(t *testing.T) {
	t.Parallel()
	good := buildPlugin(t, "goodplugin")
	wantArch, machine := otherArch()
	tests := []struct {
		name  string
		path  func(t *testing.T) string
		check func(t *testing.T, path string, err error)
	}{{
		name: "missing file",
		path: func(t *testing.T) string { return filepath.Join(t.TempDir(), "absent.so") },
		check: func(t *testing.T, path string, err error) {
			requireAs[*hostloader.NotFoundError](t, err)
			assert.ErrorIs(t, err, fs.ErrNotExist)
			assert.ErrorContains(t, err, "plugin file "+path+" does not exist")
		},
	}, {
		name: "directory",
		path: func(t *testing.T) string { return t.TempDir() },
		check: func(t *testing.T, _ string, err error) {
			e := requireAs[*hostloader.NotSharedObjectError](t, err)
			assert.Equal(t, "it is a directory", e.Reason)
		},
	}, {
		name: "text file",
		path: func(t *testing.T) string { return writeFile(t, "not a plugin at all\n") },
		check: func(t *testing.T, path string, err error) {
			e := requireAs[*hostloader.NotSharedObjectError](t, err)
			assert.Equal(t, `it is not an ELF file (it starts with "not a pl")`, e.Reason)
			assert.ErrorContains(t, err, "cannot load "+path)
			assert.ErrorContains(t, err, "go build -buildmode=plugin")
		},
	}, {
		name: "empty file",
		path: func(t *testing.T) string { return writeFile(t, "") },
		check: func(t *testing.T, _ string, err error) {
			e := requireAs[*hostloader.NotSharedObjectError](t, err)
			assert.Contains(t, e.Reason, "only 0 bytes long")
		},
	}, {
		name: "shared object for another architecture",
		path: func(t *testing.T) string {
			return patchedCopy(t, good, func(t *testing.T, data []byte) {
				data[elf.EI_CLASS] = byte(elf.ELFCLASS64)
				data[elf.EI_DATA] = byte(elf.ELFDATA2LSB)
				binary.LittleEndian.PutUint16(data[18:], uint16(machine))
			})
		},
		check: func(t *testing.T, _ string, err error) {
			e := requireAs[*hostloader.WrongArchError](t, err)
			assert.Equal(t, wantArch, e.FileArch)
			assert.Equal(t, runtime.GOARCH, e.HostArch)
			assert.ErrorContains(t, err, "GOARCH="+runtime.GOARCH)
		},
	}, {
		name: "Go executable",
		path: buildNoCgoHost,
		check: func(t *testing.T, _ string, err error) {
			e := requireAs[*hostloader.NotSharedObjectError](t, err)
			assert.Equal(t, "it is an ELF executable, not a shared object", e.Reason)
		},
	}, {
		name: "shared object without Go build information",
		path: func(t *testing.T) string {
			return patchedCopy(t, good, func(t *testing.T, data []byte) {
				replaceAll(t, data, "\xff Go buildinf:", "\xff No buildinf:")
			})
		},
		check: func(t *testing.T, _ string, err error) {
			e := requireAs[*hostloader.NotGoPluginError](t, err)
			assert.Contains(t, e.Reason, "no Go build information")
			assert.Error(t, e.Err)
		},
	}, {
		name: "C shared library",
		path: func(t *testing.T) string {
			libs, _ := filepath.Glob("/lib/*/libm.so.6")
			if len(libs) == 0 {
				t.Skip("no libm.so.6 in /lib/*/ on this machine")
			}
			return libs[0]
		},
		check: func(t *testing.T, _ string, err error) {
			e := requireAs[*hostloader.NotGoPluginError](t, err)
			assert.Contains(t, e.Reason, "no Go build information")
		},
	}, {
		name: "Go shared object of another build mode",
		path: func(t *testing.T) string {
			return patchedCopy(t, good, func(t *testing.T, data []byte) {
				replaceAll(t, data, "-buildmode=plugin", "-buildmode=shared")
			})
		},
		check: func(t *testing.T, _ string, err error) {
			e := requireAs[*hostloader.NotGoPluginError](t, err)
			assert.Equal(t, "it was built with -buildmode=shared instead of -buildmode=plugin",
				e.Reason)
		},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := tt.path(t)
			loaded, err := hostloader.Open(path)
			assert.Nil(t, loaded)
			tt.check(t, path, err)
		})
	}
}
