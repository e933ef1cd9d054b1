package hostcompat

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeFacts returns consistent facts for a glibc linux/amd64 cgo build at go1.24.3
// from /usr/local/go and /go/pkg/mod.
func fakeFacts(path, mode, mainModule string, deps ...Module) *Facts {
	f := &Facts{
		Path: path, GoVersion: "go1.24.3", MainPackage: mainModule + "/cmd",
		Main: Module{Path: mainModule, Version: "(devel)"}, Deps: deps,
		Settings: map[string]string{"-buildmode": mode, "CGO_ENABLED": "1", "GOOS": "linux",
			"GOARCH": "amd64", "GOAMD64": "v1"},
		Needed: []string{"libc.so.6"}, Libc: LibcGlibc,
		GOROOT: SourceRoot{Dir: "/usr/local/go"}, GOMODCACHE: SourceRoot{Dir: "/go/pkg/mod"},
	}
	f.applySettings()
	return f
}

// factsPair returns a host and a plugin that match in everything that matters: the
// plugin also links a module the host does not, which is allowed.
func factsPair() (host, plugin *Facts) {
	host = fakeFacts("/srv/api", "exe", "example.com/api",
		Module{Path: "github.com/google/uuid", Version: "v1.6.0", Sum: "h1:uuid"},
		Module{Path: "golang.org/x/time", Version: "v0.9.0", Sum: "h1:time9"})
	host.Interpreter = "/lib64/ld-linux-x86-64.so.2"
	plugin = fakeFacts("/build/p.so", "plugin", "example.com/plugin",
		Module{Path: "golang.org/x/time", Version: "v0.9.0", Sum: "h1:time9"},
		Module{Path: "github.com/stretchr/testify", Version: "v1.11.1", Sum: "h1:testify"})
	return host, plugin
}

// set changes one build setting and the fields derived from it.
func set(f *Facts, key, value string) {
	if value == "" {
		delete(f.Settings, key)
	} else {
		f.Settings[key] = value
	}
	f.applySettings()
}

// subjects lists each mismatch as subject and severity.
func subjects(ms []Mismatch) []string {
	out := []string{}
	for _, m := range ms {
		out = append(out, m.Severity.String()+" "+m.Subject)
	}
	return out
}

func TestCompareFindsEveryKindOfMismatch(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(h, p *Facts)
		want   []string
		// wantFix is a substring of the first mismatch's fix.
		wantFix string
	}{
		{"matching builds pass, plugin-only modules allowed", func(h, p *Facts) {}, nil, ""},
		{"Go release", func(h, p *Facts) { p.GoVersion = "go1.26.8" },
			[]string{"ERROR Go release"}, "GOTOOLCHAIN=go1.24.3 make build HOST=/srv/api"},
		{"release suffix alone is no mismatch", func(h, p *Facts) {
			h.GoVersion = "go1.24.3 X:nocoverageredesign"
		}, nil, ""},
		{"development host toolchain", func(h, p *Facts) { h.GoVersion = "devel go1.25-abc" },
			[]string{"ERROR Go release"}, "with the toolchain that built the host"},
		{"module version", func(h, p *Facts) {
			h.Deps[1] = Module{Path: "golang.org/x/time", Version: "v0.10.0", Sum: "h1:time10"}
		}, []string{"ERROR module golang.org/x/time"}, "go get golang.org/x/time@v0.10.0"},
		{"module content", func(h, p *Facts) { h.Deps[1].Sum = "h1:other" },
			[]string{"ERROR module golang.org/x/time"},
			"go mod download -json golang.org/x/time@v0.9.0"},
		{"host replaces a module", func(h, p *Facts) {
			h.Deps[1].Replace = &Module{Path: "example.com/fork/time", Version: "v0.9.1"}
		}, []string{"ERROR module golang.org/x/time"},
			"go mod edit -replace=golang.org/x/time=example.com/fork/time@v0.9.1 && " +
				"go get golang.org/x/time@v0.9.0"},
		{"plugin replaces a module", func(h, p *Facts) {
			p.Deps[0].Replace = &Module{Path: "example.com/fork/time", Version: "v0.9.1"}
		}, []string{"ERROR module golang.org/x/time"},
			"go mod edit -dropreplace=golang.org/x/time && go get golang.org/x/time@v0.9.0"},
		{"host replaces a module with a directory", func(h, p *Facts) {
			h.Deps[1].Replace = &Module{Path: "../time"}
		}, []string{"ERROR module golang.org/x/time"},
			"go mod edit -replace=golang.org/x/time=../time"},
		{"both replace a module with a directory", func(h, p *Facts) {
			h.Deps[1].Replace = &Module{Path: "../time"}
			p.Deps[0].Replace = &Module{Path: "../time"}
		}, []string{"WARNING module golang.org/x/time"}, "from the same copy"},
		{"plugin links the host's own module", func(h, p *Facts) {
			p.Deps = append(p.Deps, Module{Path: "example.com/api", Version: "v1.0.0"})
		}, []string{"WARNING module example.com/api"}, "exact source tree"},
		{"trimpath covers the trimmed roots", func(h, p *Facts) {
			set(p, "-trimpath", "true")
			p.GOROOT, p.GOMODCACHE = SourceRoot{Trimmed: true}, SourceRoot{Trimmed: true}
		}, []string{"ERROR -trimpath"}, "go build -buildmode=plugin -o /build/p.so ."},
		{"race", func(h, p *Facts) { set(h, "-race", "true") },
			[]string{"ERROR -race"}, "go build -buildmode=plugin -race -o /build/p.so ."},
		{"msan", func(h, p *Facts) { set(p, "-msan", "true") }, []string{"ERROR -msan"}, ""},
		{"same tags in another order", func(h, p *Facts) {
			set(h, "-tags", "netgo,osusergo")
			set(p, "-tags", "osusergo,netgo")
		}, nil, ""},
		{"tags", func(h, p *Facts) { set(h, "-tags", "netgo") },
			[]string{"ERROR -tags"}, "-tags=netgo -o"},
		{"GOAMD64", func(h, p *Facts) { set(h, "GOAMD64", "v3") },
			[]string{"ERROR GOAMD64"}, "GOAMD64=v3 go build"},
		{"GOARCH", func(h, p *Facts) { set(p, "GOARCH", "arm64") },
			[]string{"ERROR GOARCH"}, "GOARCH=amd64"},
		{"GOEXPERIMENT", func(h, p *Facts) { set(h, "GOEXPERIMENT", "boringcrypto") },
			[]string{"ERROR GOEXPERIMENT"}, "GOEXPERIMENT=boringcrypto"},
		{"musl host, glibc plugin", func(h, p *Facts) {
			h.Interpreter, h.Libc = "/lib/ld-musl-x86_64.so.1", LibcMusl
		}, []string{"ERROR C library"}, "on golang:1.24.3-alpine with gcc and musl-dev " +
			"installed, run: make build HOST=/srv/api"},
		{"host without cgo", func(h, p *Facts) {
			set(h, "CGO_ENABLED", "0")
			h.Interpreter, h.Needed, h.Libc = "", nil, LibcNone
			set(h, "-ldflags", "-w -s")
		}, []string{"ERROR CGO_ENABLED"},
			"CGO_ENABLED=1 go build -ldflags='-w -s' -o api example.com/api/cmd"},
		{"statically linked cgo host", func(h, p *Facts) {
			h.Interpreter, h.Needed, h.Libc = "", nil, LibcNone
		}, []string{"WARNING host linking"}, "without -extldflags=-static"},
		{"host is not an executable", func(h, p *Facts) { set(h, "-buildmode", "c-shared") },
			[]string{"ERROR host -buildmode"}, "executable"},
		{"plugin file is not a plugin", func(h, p *Facts) { set(p, "-buildmode", "exe") },
			[]string{"ERROR plugin -buildmode"}, "go build -buildmode=plugin"},
		{"GOROOT", func(h, p *Facts) { p.GOROOT.Dir = "/root/sdk/go1.24.3" },
			[]string{"ERROR GOROOT"}, "install Go go1.24.3 at /usr/local/go and run " +
				"PATH=/usr/local/go/bin:$PATH GOTOOLCHAIN=local make build HOST=/srv/api"},
		{"unknown GOROOT is no mismatch", func(h, p *Facts) { p.GOROOT = SourceRoot{} }, nil, ""},
		{"GOMODCACHE with a shared module", func(h, p *Facts) {
			p.GOMODCACHE.Dir = "/root/go/pkg/mod"
		}, []string{"ERROR GOMODCACHE"}, "GOMODCACHE=/go/pkg/mod make build HOST=/srv/api"},
		{"GOMODCACHE without a shared module", func(h, p *Facts) {
			p.GOMODCACHE.Dir = "/root/go/pkg/mod"
			p.Deps = p.Deps[1:]
		}, nil, ""},
		{"gcflags", func(h, p *Facts) { set(h, "-gcflags", "all=-N -l") },
			[]string{"WARNING -gcflags"}, "-gcflags='all=-N -l'"},
		{"the plugin's own -p is no mismatch", func(h, p *Facts) {
			set(p, "-gcflags", "-p=example.com/p/v1.0.0-abc")
		}, nil, ""},
		{"a patterned -p is", func(h, p *Facts) {
			set(p, "-gcflags", "all=-p=example.com/x")
		}, []string{"WARNING -gcflags"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			host, plugin := factsPair()
			tt.mutate(host, plugin)
			r := Compare(host, plugin)
			want := tt.want
			if want == nil {
				want = []string{}
			}
			require.Equal(t, want, subjects(r.Mismatches))
			if tt.wantFix != "" {
				assert.Contains(t, r.Mismatches[0].Fix, tt.wantFix)
			}
			assert.Equal(t, r.Errors() == 0, r.OK())
		})
	}
}

func TestCompareWithoutPluginChecksOnlyTheHost(t *testing.T) {
	host, _ := factsPair()
	assert.Empty(t, Compare(host, nil).Mismatches)
	set(host, "-race", "true")
	assert.Empty(t, Compare(host, nil).Mismatches, "a race host can load a race plugin")
	set(host, "CGO_ENABLED", "0")
	assert.Equal(t, []string{"ERROR CGO_ENABLED"}, subjects(Compare(host, nil).Mismatches))
}

func TestCompareWithoutHostIsAnError(t *testing.T) {
	_, plugin := factsPair()
	r := Compare(nil, plugin)
	assert.Equal(t, []string{"ERROR host"}, subjects(r.Mismatches))
	assert.Equal(t, VerdictWillNotLoad, r.Verdict())
}
