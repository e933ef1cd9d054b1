package sobuild

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMain(m *testing.M) { os.Exit(Run(m)) }

// fatalRecorder is a testing.TB whose Fatal and Fatalf record the message and end the
// calling goroutine, so a test can inspect how Build fails.
type fatalRecorder struct {
	testing.TB
	msg string
}

func (r *fatalRecorder) Helper() {}

func (r *fatalRecorder) Fatal(args ...any) {
	r.msg = fmt.Sprint(args...)
	runtime.Goexit()
}

func (r *fatalRecorder) Fatalf(format string, args ...any) {
	r.msg = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

// buildFailure runs Build with opts and returns the message it failed with, or "" when
// it succeeded.
func buildFailure(t *testing.T, opts Options) string {
	r := &fatalRecorder{TB: t}
	done := make(chan string)
	go func() {
		defer func() { done <- r.msg }()
		Build(r, opts)
	}()
	return <-done
}

// writeModule creates a module named example.com/m holding files and returns its directory.
func writeModule(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	files["go.mod"] = "module example.com/m\n\ngo 1.24\n"
	for name, content := range files {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644))
	}
	return dir
}

// probeProgram prints the value of main.note, which -X can set, and whether it was built
// with -race.
const probeProgram = `package main

import "fmt"

var note = "unset"

func main() { fmt.Println(note, race) }
`

func TestBuildMatchesTestBinaryAndCaches(t *testing.T) {
	dir := writeModule(t, map[string]string{
		"main.go":     probeProgram,
		"race_on.go":  "//go:build race\n\npackage main\n\nconst race = true\n",
		"race_off.go": "//go:build !race\n\npackage main\n\nconst race = false\n",
	})
	plain := Build(t, Options{Dir: dir, Mode: Exe})
	noted := Build(t, Options{Dir: dir, Mode: Exe, LDFlags: "-X main.note=set"})
	race := strconv.FormatBool(raceEnabled)

	tests := []struct {
		name string
		exe  string
		want string
	}{
		{"race detector matches the test binary", plain, "unset " + race},
		{"extra ldflags reach the linker", noted, "set " + race},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := exec.CommandContext(t.Context(), tt.exe).CombinedOutput()
			require.NoError(t, err, "%s", out)
			assert.Equal(t, tt.want, strings.TrimSpace(string(out)))
		})
	}
	t.Run("identical options share one build", func(t *testing.T) {
		assert.Equal(t, plain, Build(t, Options{Dir: dir, Package: ".", Mode: Exe}))
		assert.NotEqual(t, plain, noted)
	})
}

func TestBuildFailsWithExplanation(t *testing.T) {
	broken := writeModule(t, map[string]string{
		"main.go": "package main\n\nfunc main() { nope() }\n",
	})
	tests := []struct {
		name string
		opts Options
		want []string
	}{
		{"compile error shows the go build output", Options{Dir: broken, Mode: Exe},
			[]string{"go build -o ", "undefined: nope"}},
		{"empty Dir", Options{}, []string{"empty Dir in Options"}},
		{"unknown Mode", Options{Dir: broken, Mode: 7}, []string{"unknown Mode 7 in Options"}},
		{"Env entry without =", Options{Dir: broken, Env: []string{"CGO_ENABLED"}},
			[]string{`env entry "CGO_ENABLED" in Options is not of the form KEY=VALUE`}},
		{"PluginPath for an executable", Options{Dir: broken, Mode: Exe, PluginPath: "x"},
			[]string{"PluginPath in Options is set but Mode is not sobuild.Plugin"}},
		{"PluginPath with white space", Options{Dir: broken, PluginPath: "a b"},
			[]string{`PluginPath "a b" in Options contains white space`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msg := buildFailure(t, tt.opts)
			for _, want := range tt.want {
				assert.Contains(t, msg, want)
			}
		})
	}
	t.Run("Build outside Run asks for TestMain", func(t *testing.T) {
		running.Store(false)
		defer running.Store(true)
		msg := buildFailure(t, Options{Dir: broken, Mode: Exe})
		assert.Contains(t, msg, "os.Exit(sobuild.Run(m))")
	})
}

func TestFlagsFromCopiesCompilerSettings(t *testing.T) {
	settings := []debug.BuildSetting{
		{Key: "-gcflags", Value: "all=-N -l"},
		{Key: "-tags", Value: "a,b"},
		{Key: "-asan", Value: "true"},
		{Key: "-msan", Value: "false"},
		{Key: "-ldflags", Value: "-s"},
		{Key: "-trimpath", Value: "true"},
		{Key: "CGO_ENABLED", Value: "1"},
	}
	tests := []struct {
		name   string
		race   bool
		cgoOff bool
		want   []string
	}{
		{"race and compiler settings", true, false,
			[]string{"-race", "-gcflags=all=-N -l", "-tags=a,b", "-asan"}},
		{"without race", false, false, []string{"-gcflags=all=-N -l", "-tags=a,b", "-asan"}},
		{"cgo-only flags dropped without cgo", true, true,
			[]string{"-gcflags=all=-N -l", "-tags=a,b"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, flagsFrom(tt.race, settings, tt.cgoOff))
		})
	}
}

func TestEnvValueTakesLastEntry(t *testing.T) {
	env := []string{"CGO_ENABLED=1", "GOFLAGS=-mod=mod", "CGO_ENABLED=0"}
	assert.Equal(t, "0", envValue(env, "CGO_ENABLED"))
	assert.Equal(t, "-mod=mod", envValue(env, "GOFLAGS"))
	assert.Equal(t, "", envValue(env, "GOOS"))
}
