package hostcompat

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestShellQuoteQuotesOnlyWhenNeeded(t *testing.T) {
	tests := []struct{ in, want string }{
		{"/usr/local/go", "/usr/local/go"},
		{"-ldflags=-w", "-ldflags=-w"},
		{"", "''"},
		{"-w -s", "'-w -s'"},
		{"it's", `'it'\''s'`},
		{"$HOME", "'$HOME'"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			assert.Equal(t, tt.want, shellQuote(tt.in))
		})
	}
}

func TestHostRebuildCommandKeepsTheHostsFlags(t *testing.T) {
	host, _ := factsPair()
	set(host, "-trimpath", "true")
	set(host, "-tags", "netgo")
	set(host, "-ldflags", "-w -s")
	assert.Equal(t, "CGO_ENABLED=1 go build -trimpath -tags=netgo -ldflags='-w -s' -o api "+
		"example.com/api/cmd", hostRebuildCommand(host))
}

func TestSetEnvReplacesEveryEarlierValue(t *testing.T) {
	env := []string{"A=1", "B=2", "A=3", "AB=4"}
	assert.Equal(t, []string{"B=2", "AB=4", "A=5"}, setEnv(env, "A", "5"))
}
