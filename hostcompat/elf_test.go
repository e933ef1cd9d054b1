package hostcompat

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestClassifyLibcFromLoaderOrNeededLibraries(t *testing.T) {
	tests := []struct {
		name   string
		interp string
		needed []string
		want   Libc
	}{
		{"glibc executable", "/lib64/ld-linux-x86-64.so.2", []string{"libc.so.6"}, LibcGlibc},
		{"glibc arm64 executable", "/lib/ld-linux-aarch64.so.1", nil, LibcGlibc},
		{"glibc ppc64le executable", "/lib64/ld64.so.2", nil, LibcGlibc},
		{"musl executable", "/lib/ld-musl-x86_64.so.1", []string{"libc.musl-x86_64.so.1"},
			LibcMusl},
		{"glibc plugin", "", []string{"libpthread.so.0", "libc.so.6"}, LibcGlibc},
		{"musl plugin", "", []string{"libc.musl-x86_64.so.1"}, LibcMusl},
		{"static executable", "", nil, LibcNone},
		{"other loader", "/system/bin/linker64", nil, LibcUnknown},
		{"other library", "", []string{"libc.so"}, LibcUnknown},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, classifyLibc(tt.interp, tt.needed))
		})
	}
}
