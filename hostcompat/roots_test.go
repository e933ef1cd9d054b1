package hostcompat

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestGoRootIsDerivedFromTheRuntimePath(t *testing.T) {
	tests := []struct {
		name  string
		files []string
		want  SourceRoot
	}{
		{"absolute", []string{"/src/app/main.go", "/usr/local/go/src/runtime/proc.go"},
			SourceRoot{Dir: "/usr/local/go", Sample: "/usr/local/go/src/runtime/proc.go"}},
		{"toolchain in the module cache",
			[]string{"/go/pkg/mod/golang.org/toolchain@v0.0.1-go1.24.3.linux-amd64/src/" +
				"runtime/proc.go"},
			SourceRoot{Dir: "/go/pkg/mod/golang.org/toolchain@v0.0.1-go1.24.3.linux-amd64",
				Sample: "/go/pkg/mod/golang.org/toolchain@v0.0.1-go1.24.3.linux-amd64/src/" +
					"runtime/proc.go"}},
		{"trimmed", []string{"example.com/app/main.go", "runtime/proc.go"},
			SourceRoot{Trimmed: true, Sample: "runtime/proc.go"}},
		{"absent", []string{"/src/app/main.go", "/src/runtime/proc.go.bak"}, SourceRoot{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, goRootOf(tt.files))
		})
	}
}

func TestModCacheIsDerivedFromDependencyPaths(t *testing.T) {
	timeMod := Module{Path: "golang.org/x/time", Version: "v0.9.0"}
	upper := Module{Path: "github.com/BurntSushi/toml", Version: "v1.4.0"}
	tests := []struct {
		name  string
		files []string
		deps  []Module
		want  SourceRoot
	}{
		{"absolute", []string{"/go/pkg/mod/golang.org/x/time@v0.9.0/rate/rate.go"},
			[]Module{timeMod}, SourceRoot{Dir: "/go/pkg/mod",
				Sample: "/go/pkg/mod/golang.org/x/time@v0.9.0/rate/rate.go"}},
		{"upper case escaped on disk",
			[]string{"/root/go/pkg/mod/github.com/!burnt!sushi/toml@v1.4.0/decode.go"},
			[]Module{upper}, SourceRoot{Dir: "/root/go/pkg/mod",
				Sample: "/root/go/pkg/mod/github.com/!burnt!sushi/toml@v1.4.0/decode.go"}},
		{"trimmed keeps the plain spelling",
			[]string{"github.com/BurntSushi/toml@v1.4.0/decode.go"}, []Module{upper},
			SourceRoot{Trimmed: true, Sample: "github.com/BurntSushi/toml@v1.4.0/decode.go"}},
		{"replacement module", []string{"/m/example.com/fork@v0.9.1/rate/rate.go"},
			[]Module{{Path: "golang.org/x/time", Version: "v0.9.0",
				Replace: &Module{Path: "example.com/fork", Version: "v0.9.1"}}},
			SourceRoot{Dir: "/m", Sample: "/m/example.com/fork@v0.9.1/rate/rate.go"}},
		{"local replacement reveals nothing", []string{"/src/time/rate/rate.go"},
			[]Module{{Path: "golang.org/x/time", Version: "v0.9.0",
				Replace: &Module{Path: "/src/time"}}}, SourceRoot{}},
		{"no dependencies", []string{"/src/app/main.go"}, nil, SourceRoot{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, modCacheOf(tt.files, tt.deps))
		})
	}
}

func TestSourceRootRendering(t *testing.T) {
	assert.Equal(t, "trimmed", SourceRoot{Trimmed: true}.String())
	assert.Equal(t, "unknown", SourceRoot{}.String())
	assert.Equal(t, "/go", SourceRoot{Dir: "/go"}.String())
	assert.False(t, SourceRoot{}.Known())
	assert.True(t, SourceRoot{Trimmed: true}.Known())
}
