package hostcompat

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestReportWriteRendersOneLineEach(t *testing.T) {
	host, plugin := factsPair()
	host.Deps[1] = Module{Path: "golang.org/x/time", Version: "v0.10.0", Sum: "h1:time10"}
	set(host, "-gcflags", "-N")
	var out bytes.Buffer
	require.NoError(t, Compare(host, plugin).Write(&out))
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	require.Len(t, lines, 5, out.String())
	assert.Equal(t, "host:   /srv/api (go1.24.3, -buildmode=exe, CGO_ENABLED=1, linux/amd64, "+
		"libc glibc, GOROOT /usr/local/go, GOMODCACHE /go/pkg/mod)", lines[0])
	assert.True(t, strings.HasPrefix(lines[1], "plugin: /build/p.so (go1.24.3, -buildmode=plugin"))
	assert.Equal(t, "ERROR   module golang.org/x/time: host golang.org/x/time@v0.10.0, plugin "+
		"golang.org/x/time@v0.9.0; plugin.Open fails with \"plugin was built with a "+
		"different version of package golang.org/x/time/...\"; fix: go get "+
		"golang.org/x/time@v0.10.0", lines[2])
	assert.True(t, strings.HasPrefix(lines[3], "WARNING -gcflags: host -N, plugin (unset); "))
	assert.Equal(t, "verdict: will not load (1 error, 1 warning); make build HOST=/srv/api "+
		"aligns every plugin-side setting at once", lines[4])
}

func TestReportWriteForTheHostAlone(t *testing.T) {
	tests := []struct {
		name        string
		cgo         string
		wantBuild   bool
		wantVerdict string
	}{
		{"host that can load plugins", "1", true, "verdict: OK (0 errors, 0 warnings)\n"},
		{"host that cannot", "0", false, "verdict: will not load (1 error, 0 warnings)\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			host, _ := factsPair()
			set(host, "CGO_ENABLED", tt.cgo)
			var out bytes.Buffer
			require.NoError(t, Compare(host, nil).Write(&out))
			build := "plugin: none given; build one for this host with: CGO_ENABLED=1 " +
				"GOOS=linux GOARCH=amd64 GOAMD64=v1 go build -buildmode=plugin -o plugin.so ."
			assert.Equal(t, tt.wantBuild, strings.Contains(out.String(), build), out.String())
			assert.True(t, strings.HasSuffix(out.String(), tt.wantVerdict), out.String())
		})
	}
}

// failingWriter fails every write.
type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestReportWriteReturnsWriterErrors(t *testing.T) {
	host, plugin := factsPair()
	err := Compare(host, plugin).Write(failingWriter{})
	assert.ErrorContains(t, err, "hostcompat: writing report: disk full")
}

func TestReportCountsAndVerdict(t *testing.T) {
	r := Report{Mismatches: []Mismatch{
		{Severity: SeverityWarning}, {Severity: SeverityError}, {Severity: SeverityWarning},
	}}
	assert.Equal(t, 1, r.Errors())
	assert.Equal(t, 2, r.Warnings())
	assert.False(t, r.OK())
	assert.Equal(t, VerdictWillNotLoad, r.Verdict())
	r.Mismatches = r.Mismatches[:1]
	assert.True(t, r.OK())
	assert.Equal(t, VerdictOK, r.Verdict())
}
