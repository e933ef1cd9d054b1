package hostcompat

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// replacement builds one replace entry of a modFile.
func replacement(oldPath, oldVersion, newPath, newVersion string) struct {
	Old modVersion
	New modVersion
} {
	return struct {
		Old modVersion
		New modVersion
	}{modVersion{oldPath, oldVersion}, modVersion{newPath, newVersion}}
}

func TestModuleEditsGiveThePluginTheHostsModules(t *testing.T) {
	fork := &Module{Path: "example.com/fork/time", Version: "v0.9.1"}
	tests := []struct {
		name      string
		hostTime  Module
		mf        modFile
		wantEdits []string
		wantGets  []string
	}{
		{"same version needs nothing", Module{Path: "golang.org/x/time", Version: "v0.9.0"},
			modFile{Require: []modVersion{{"golang.org/x/time", "v0.9.0"}}}, nil, nil},
		{"newer host version", Module{Path: "golang.org/x/time", Version: "v0.10.0"},
			modFile{Require: []modVersion{{"golang.org/x/time", "v0.9.0"}}},
			nil, []string{"golang.org/x/time@v0.10.0"}},
		{"older host version", Module{Path: "golang.org/x/time", Version: "v0.8.0"},
			modFile{Require: []modVersion{{"golang.org/x/time", "v0.9.0"}}},
			nil, []string{"golang.org/x/time@v0.8.0"}},
		{"module the plugin does not require",
			Module{Path: "golang.org/x/time", Version: "v0.10.0"},
			modFile{Require: []modVersion{{"github.com/google/uuid", "v1.6.0"}}}, nil, nil},
		{"host replacement is copied",
			Module{Path: "golang.org/x/time", Version: "v0.9.0", Replace: fork},
			modFile{Require: []modVersion{{"golang.org/x/time", "v0.9.0"}}},
			[]string{"-replace=golang.org/x/time=example.com/fork/time@v0.9.1"}, nil},
		{"matching replacement is kept",
			Module{Path: "golang.org/x/time", Version: "v0.9.0", Replace: fork},
			modFile{Require: []modVersion{{"golang.org/x/time", "v0.9.0"}},
				Replace: []struct {
					Old modVersion
					New modVersion
				}{replacement("golang.org/x/time", "", "example.com/fork/time", "v0.9.1")}},
			nil, nil},
		{"plugin-only replacement is dropped",
			Module{Path: "golang.org/x/time", Version: "v0.9.0"},
			modFile{Require: []modVersion{{"golang.org/x/time", "v0.9.0"}},
				Replace: []struct {
					Old modVersion
					New modVersion
				}{replacement("golang.org/x/time", "v0.9.0", "../time", "")}},
			[]string{"-dropreplace=golang.org/x/time@v0.9.0"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			host := &Facts{Deps: []Module{tt.hostTime}}
			edits, gets, err := moduleEdits(host, tt.mf)
			require.NoError(t, err)
			assert.Equal(t, tt.wantEdits, edits)
			assert.Equal(t, tt.wantGets, gets)
		})
	}
}

func TestModuleEditsRefuseAHostDirectoryReplacement(t *testing.T) {
	host := &Facts{Deps: []Module{{Path: "golang.org/x/time", Version: "v0.9.0",
		Replace: &Module{Path: "/src/time"}}}}
	mf := modFile{Require: []modVersion{{"golang.org/x/time", "v0.9.0"}}}
	_, _, err := moduleEdits(host, mf)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "replaces golang.org/x/time with the local directory /src/time")
}

func TestMergeSumsAddsTheHostsHashes(t *testing.T) {
	sum := "golang.org/x/time v0.9.0 h1:nine\ngolang.org/x/time v0.9.0/go.mod h1:ninemod"
	deps := []Module{
		{Path: "golang.org/x/time", Version: "v0.9.0", Sum: "h1:other"},
		{Path: "github.com/google/uuid", Version: "v1.6.0", Sum: "h1:uuid"},
		{Path: "example.com/nosum", Version: "v1.0.0"},
		{Path: "example.com/local", Replace: &Module{Path: "../local"}},
		{Path: "example.com/orig", Version: "v1.0.0", Sum: "h1:orig",
			Replace: &Module{Path: "example.com/fork", Version: "v1.0.1", Sum: "h1:fork"}},
	}
	want := sum + "\n" +
		"github.com/google/uuid v1.6.0 h1:uuid\n" +
		"example.com/fork v1.0.1 h1:fork\n"
	assert.Equal(t, want, string(mergeSums([]byte(sum), deps)))
	assert.Equal(t, "github.com/google/uuid v1.6.0 h1:uuid\n",
		string(mergeSums(nil, deps[1:2])))
}
