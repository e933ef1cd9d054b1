package hostcompat

import (
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// envOf returns the plan's environment overrides as a map.
func envOf(p buildPlan) map[string]string {
	m := make(map[string]string, len(p.env))
	for _, kv := range p.env {
		m[kv[0]] = kv[1]
	}
	return m
}

// plannedFlags is the flag list of a plan for the plain fake host, with the given
// flags replaced or added.
func plannedFlags(changes ...string) []string {
	flags := []string{"-buildmode=plugin", "-trimpath=false", "-race=false", "-msan=false",
		"-asan=false", "-tags="}
	return overrideByName(flags, changes)
}

// plannedEnv is the environment of a plan for the plain fake host, with the given
// entries replaced or added; an entry without "=" removes that variable.
func plannedEnv(changes ...string) map[string]string {
	env := map[string]string{"GOWORK": "off", "CGO_ENABLED": "1", "GOOS": "linux",
		"GOARCH": "amd64", "GOAMD64": "v1", "GOEXPERIMENT": "", "GOMODCACHE": "/go/pkg/mod"}
	for _, c := range changes {
		k, v, ok := strings.Cut(c, "=")
		if !ok {
			delete(env, k)
			continue
		}
		env[k] = v
	}
	return env
}

// overrideByName replaces each flag in flags whose name matches a change, and appends
// the other changes.
func overrideByName(flags, changes []string) []string {
	out := slices.Clone(flags)
	for _, c := range changes {
		name, _, _ := strings.Cut(c, "=")
		i := slices.IndexFunc(out, func(f string) bool { return strings.HasPrefix(f, name+"=") })
		if i >= 0 && name != "-gcflags" {
			out[i] = c
		} else {
			out = append(out, c)
		}
	}
	return out
}

func TestPlanBuildFollowsTheHost(t *testing.T) {
	exists := func(string) bool { return true }
	tests := []struct {
		name       string
		mutate     func(h *Facts)
		ldflags    string
		pluginPath string
		wantFlags  []string
		wantEnv    map[string]string
	}{
		{"plain host", func(h *Facts) {}, "", "", plannedFlags(), plannedEnv()},
		{"race, trimpath and tags", func(h *Facts) {
			set(h, "-race", "true")
			set(h, "-trimpath", "true")
			set(h, "-tags", "netgo,osusergo")
		}, "", "",
			plannedFlags("-trimpath=true", "-race=true", "-tags=netgo,osusergo"),
			plannedEnv("GOMODCACHE")},
		{"code generation settings, compiler and linker flags", func(h *Facts) {
			set(h, "GOAMD64", "v3")
			set(h, "GOEXPERIMENT", "boringcrypto")
			set(h, "-gcflags", "all=-N -l")
		}, "-s -w", "example.com/p/v2",
			plannedFlags("-gcflags=all=-N -l", "-gcflags=-p=example.com/p/v2",
				"-ldflags=-pluginpath=example.com/p/v2 -s -w"),
			plannedEnv("GOAMD64=v3", "GOEXPERIMENT=boringcrypto")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			host, _ := factsPair()
			tt.mutate(host)
			plan, err := planBuild(host, tt.ldflags, tt.pluginPath, exists)
			require.NoError(t, err)
			assert.Equal(t, tt.wantFlags, plan.flags)
			assert.Equal(t, tt.wantEnv, envOf(plan))
		})
	}
}

func TestPlanBuildExplainsAMissingModCache(t *testing.T) {
	host, _ := factsPair()
	plan, err := planBuild(host, "", "", func(string) bool { return false })
	require.NoError(t, err)
	assert.NotContains(t, envOf(plan), "GOMODCACHE")
	require.Len(t, plan.notes, 1)
	assert.Contains(t, plan.notes[0], "/go/pkg/mod, which does not exist here")
	assert.Contains(t, plan.notes[0], "mkdir -p /go/pkg/mod")
}

func TestPlanBuildRefusesHostsThatCannotLoadPlugins(t *testing.T) {
	tests := []struct {
		name    string
		mutate  func(h *Facts)
		wantErr string
	}{
		{"without cgo", func(h *Facts) { set(h, "CGO_ENABLED", "0") },
			"cannot load plugins: a host built with CGO_ENABLED=0"},
		{"not an executable", func(h *Facts) { set(h, "-buildmode", "plugin") },
			"cannot load plugins: the host must be an executable"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			host, _ := factsPair()
			tt.mutate(host)
			_, err := planBuild(host, "", "", func(string) bool { return true })
			require.Error(t, err)
			assert.Contains(t, err.Error(), "hostcompat: /srv/api "+tt.wantErr)
		})
	}
}
