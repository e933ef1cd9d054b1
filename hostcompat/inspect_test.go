package hostcompat

import (
	"debug/elf"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// timeV09 is golang.org/x/time v0.9.0 as the test modules' go.sum records it.
var timeV09 = Module{Path: "golang.org/x/time", Version: "v0.9.0",
	Sum: "h1:EsRrnYcQiGH+5FfbgvV4AP7qEZstoyrHB0DzarOQ4ZY="}

func TestInspectReadsRealBinaries(t *testing.T) {
	goroot, modcache := goEnv(t, "GOROOT"), goEnv(t, "GOMODCACHE")
	goversion := goEnv(t, "GOVERSION")
	tests := []struct {
		name  string
		file  *artifact
		check func(t *testing.T, f *Facts)
	}{
		{"cgo executable keeps its paths, loader and symbols", &hostTime09,
			func(t *testing.T, f *Facts) {
				assert.Equal(t, "exe", f.BuildMode)
				assert.Equal(t, "1", f.CGOEnabled)
				assert.Equal(t, "example.com/hostcompat/host", f.MainPackage)
				assert.Equal(t, []Module{timeV09}, f.Deps)
				assert.NotEmpty(t, f.Interpreter)
				assert.Contains(t, []Libc{LibcGlibc, LibcMusl}, f.Libc)
				assert.False(t, f.Stripped)
				assert.True(t, f.HasDWARF)
				assert.Equal(t, SourceRoot{Dir: goroot,
					Sample: goroot + "/src/runtime/proc.go"}, f.GOROOT)
				assert.Equal(t, modcache, f.GOMODCACHE.Dir)
			}},
		{"static stripped executable still reveals its source roots", &hostNoCgo,
			func(t *testing.T, f *Facts) {
				assert.Equal(t, "0", f.CGOEnabled)
				assert.Equal(t, "-w -s", f.LDFlags)
				assert.Empty(t, f.Interpreter)
				assert.Equal(t, LibcNone, f.Libc)
				assert.True(t, f.Stripped)
				assert.False(t, f.HasDWARF)
				assert.Equal(t, goroot, f.GOROOT.Dir)
				assert.Equal(t, modcache, f.GOMODCACHE.Dir)
			}},
		{"trimmed executable has trimmed roots", &hostTrimpath,
			func(t *testing.T, f *Facts) {
				assert.True(t, f.Trimpath)
				assert.Equal(t, SourceRoot{Trimmed: true, Sample: "runtime/proc.go"}, f.GOROOT)
				assert.Equal(t, SourceRoot{Trimmed: true,
					Sample: "golang.org/x/time@v0.9.0/rate/rate.go"}, f.GOMODCACHE)
			}},
		{"race executable is marked", &hostRace,
			func(t *testing.T, f *Facts) {
				assert.True(t, f.Race)
				assert.False(t, f.Trimpath)
			}},
		{"plugin has no loader but needs a C library", &pluginTime09,
			func(t *testing.T, f *Facts) {
				assert.Equal(t, "plugin", f.BuildMode)
				assert.Equal(t, "example.com/hostcompat/plugin", f.Main.Path)
				assert.Equal(t, []Module{timeV09}, f.Deps)
				assert.Empty(t, f.Interpreter)
				assert.NotEmpty(t, f.Needed)
				assert.Contains(t, []Libc{LibcGlibc, LibcMusl}, f.Libc)
				assert.Equal(t, goroot, f.GOROOT.Dir)
				assert.Equal(t, modcache, f.GOMODCACHE.Dir)
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := tt.file.get(t)
			f, err := Inspect(path)
			require.NoError(t, err)
			assert.Equal(t, path, f.Path)
			assert.Equal(t, goversion, f.GoVersion)
			assert.True(t, f.IsRelease() || goversion != f.Release())
			assert.Equal(t, goEnv(t, "GOOS"), f.GOOS)
			assert.Equal(t, goEnv(t, "GOARCH"), f.GOARCH)
			tt.check(t, f)
		})
	}
}

func TestInspectRejectsFilesThatAreNotGoBinaries(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name    string
		path    string
		wantErr string
	}{
		{"text file", writeFile(t, "notes.txt", "hello\n"), "is not a Go binary"},
		{"empty file", writeFile(t, "empty", ""), "is not a Go binary"},
		{"Go source file", writeFile(t, "main.go", "package main\n"), "is not a Go binary"},
		{"truncated ELF header", writeFile(t, "broken.so", "\x7fELF\x02\x01\x01"),
			"is not a Go binary"},
		{"directory", dir, "is a directory, not a Go binary"},
		{"missing file", filepath.Join(dir, "missing"), "no such file or directory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := Inspect(tt.path)
			require.Error(t, err)
			assert.Nil(t, f)
			assert.Contains(t, err.Error(), "hostcompat: ")
			assert.Contains(t, err.Error(), tt.path)
			assert.Contains(t, err.Error(), tt.wantErr)
		})
	}
}

func TestLineTableFallbacksFindTheSameFiles(t *testing.T) {
	tests := []struct {
		name       string
		file       *artifact
		hasSymbols bool
	}{
		{"plugin with symbol table", &pluginTime09, true},
		{"stripped static executable", &hostNoCgo, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ef, err := elf.Open(tt.file.get(t))
			require.NoError(t, err)
			defer ef.Close()
			want, err := sourceFiles(ef)
			require.NoError(t, err)
			require.True(t, hasRuntimeFile(want))

			scanned, err := lineTableByScan(ef)
			require.NoError(t, err)
			assert.Equal(t, want, scanned)

			data := lineTableBySymbol(ef)
			if !tt.hasSymbols {
				assert.Nil(t, data)
				return
			}
			bySymbol, err := filesInLineTable(data)
			require.NoError(t, err)
			assert.Equal(t, want, bySymbol)
		})
	}
}

func TestFilesInLineTableRejectsGarbage(t *testing.T) {
	tests := []struct {
		name string
		data []byte
	}{
		{"empty", nil},
		{"magic with truncated header", []byte{0xf1, 0xff, 0xff, 0xff, 0, 0, 1, 8}},
		{"magic with wild offsets", append([]byte{0xf1, 0xff, 0xff, 0xff, 0, 0, 1, 8},
			bytesOf(0xee, 120)...)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files, err := filesInLineTable(tt.data)
			require.Error(t, err)
			assert.Nil(t, files)
		})
	}
}

// bytesOf returns n copies of b.
func bytesOf(b byte, n int) []byte {
	out := make([]byte, n)
	for i := range out {
		out[i] = b
	}
	return out
}

// writeFile writes content to a new file in a test temporary directory.
func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(path, []byte(content), 0o644))
	return path
}
