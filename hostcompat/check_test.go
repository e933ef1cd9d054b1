package hostcompat

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// errorLines returns the ERROR lines of a rendered report.
func errorLines(report string) []string {
	var out []string
	for _, line := range strings.Split(report, "\n") {
		if strings.HasPrefix(line, "ERROR") {
			out = append(out, line)
		}
	}
	return out
}

func TestCheckAgainstRealBinaries(t *testing.T) {
	tests := []struct {
		name string
		host *artifact
		// wantErrors holds one substring for each ERROR line the report must have.
		wantErrors []string
		// wantLoad is a substring of what the host prints when it opens the plugin.
		wantLoad string
	}{
		{
			name:     "aligned pair passes and really loads",
			host:     &hostTime09,
			wantLoad: "ok",
		},
		{
			name: "different x/time version is named with its fix",
			host: &hostTime10,
			wantErrors: []string{"module golang.org/x/time: host golang.org/x/time@v0.10.0, " +
				"plugin golang.org/x/time@v0.9.0; "},
			wantLoad: "plugin was built with a different version of package golang.org/x/time",
		},
		{
			name:       "race host is detected",
			host:       &hostRace,
			wantErrors: []string{"-race: host true, plugin false"},
			wantLoad:   "plugin was built with a different version of package",
		},
		{
			name:       "host without cgo is reported unable to load plugins",
			host:       &hostNoCgo,
			wantErrors: []string{"CGO_ENABLED: host 0; a host built with CGO_ENABLED=0 cannot"},
			wantLoad:   "plugin: not implemented",
		},
		{
			name:       "trimpath mismatch is reported",
			host:       &hostTrimpath,
			wantErrors: []string{"-trimpath: host true, plugin false"},
			wantLoad:   "plugin was built with a different version of package",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			host, plugin := tt.host.get(t), pluginTime09.get(t)
			var out bytes.Buffer
			ok, err := Check(&out, host, plugin)
			require.NoError(t, err)
			report := out.String()
			assert.Equal(t, len(tt.wantErrors) == 0, ok, report)
			errs := errorLines(report)
			require.Len(t, errs, len(tt.wantErrors), report)
			for i, want := range tt.wantErrors {
				assert.Contains(t, errs[i], want)
			}
			if ok {
				assert.Contains(t, report, "verdict: OK (0 errors")
			} else {
				assert.Contains(t, report, "verdict: will not load")
			}
			assert.Contains(t, runHost(t, host, plugin), tt.wantLoad,
				"the host's own plugin.Open must agree with the report")
		})
	}
}

func TestCheckNamesTheFixForAMismatchedModule(t *testing.T) {
	host, plugin := hostTime10.get(t), pluginTime09.get(t)
	var out bytes.Buffer
	ok, err := Check(&out, host, plugin)
	require.NoError(t, err)
	require.False(t, ok)
	assert.Contains(t, out.String(), "fix: go get golang.org/x/time@v0.10.0\n")
	assert.Contains(t, out.String(), "make build HOST="+host+" aligns every plugin-side")
}

func TestCheckNamesTheRebuildForAHostWithoutCgo(t *testing.T) {
	var out bytes.Buffer
	ok, err := Check(&out, hostNoCgo.get(t), pluginTime09.get(t))
	require.NoError(t, err)
	require.False(t, ok)
	assert.Contains(t, out.String(), "rebuild the API server with CGO_ENABLED=1")
	assert.Contains(t, out.String(),
		"fix: CGO_ENABLED=1 go build -ldflags='-w -s' -o host-nocgo example.com/hostcompat/host\n")
}

func TestCheckWithoutPluginJudgesTheHostAlone(t *testing.T) {
	tests := []struct {
		name   string
		host   *artifact
		wantOK bool
		want   string
	}{
		{"cgo host can load plugins", &hostTime09, true,
			"plugin: none given; build one for this host with: CGO_ENABLED=1 GOOS=linux"},
		{"race host needs a race plugin", &hostRace, true, "go build -buildmode=plugin -race"},
		{"host without cgo cannot load any plugin", &hostNoCgo, false,
			"cannot load plugins at all"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			ok, err := Check(&out, tt.host.get(t), "")
			require.NoError(t, err)
			assert.Equal(t, tt.wantOK, ok, out.String())
			assert.Contains(t, out.String(), tt.want)
		})
	}
}

func TestCheckReportsUninspectableFiles(t *testing.T) {
	notGo := writeFile(t, "notes.txt", "not a binary\n")
	tests := []struct {
		name           string
		host, plugin   string
		wantErrContain string
	}{
		{"host is not a Go binary", notGo, "", notGo + " is not a Go binary"},
		{"plugin is not a Go binary", "", notGo, notGo + " is not a Go binary"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			host := tt.host
			if host == "" {
				host = hostTime09.get(t)
			}
			var out bytes.Buffer
			ok, err := Check(&out, host, tt.plugin)
			require.Error(t, err)
			assert.False(t, ok)
			assert.Contains(t, err.Error(), tt.wantErrContain)
		})
	}
}
