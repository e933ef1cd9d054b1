package hostcompat

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// buildTimeout only catches a hung build: a cold build on two busy cores takes
// minutes.
const buildTimeout = 15 * time.Minute

// workDir holds the sources and binaries the tests build; TestMain removes it.
var workDir string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "hostcompat-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "hostcompat test: creating work dir:", err)
		os.Exit(1)
	}
	workDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// artifact is one binary built at most once per test binary, on first use.
type artifact struct {
	build func() (string, error)
	once  sync.Once
	path  string
	err   error
}

// get builds the artifact if needed and returns its path, skipping the test when the
// go command is missing.
func (a *artifact) get(t *testing.T) string {
	t.Helper()
	needGo(t)
	a.once.Do(func() { a.path, a.err = a.build() })
	if a.err != nil {
		t.Fatalf("building test artifact: %v", a.err)
	}
	return a.path
}

// The artifacts: hosts that link golang.org/x/time at v0.9.0 (built several ways) and
// at v0.10.0, a plugin at v0.9.0, and a plugin aligned to the v0.10.0 host.
var (
	hostTime09 = artifact{build: func() (string, error) {
		return buildHost("host-time-v0.9.0", nil)
	}}
	hostTime10 = artifact{build: func() (string, error) {
		return buildHost("host-time-v0.10.0", nil, "host-time-v0.10.0")
	}}
	hostRace = artifact{build: func() (string, error) {
		return buildHost("host-race", nil, "-race")
	}}
	hostNoCgo = artifact{build: func() (string, error) {
		return buildHost("host-nocgo", []string{"CGO_ENABLED=0"}, "-ldflags=-w -s")
	}}
	hostTrimpath = artifact{build: func() (string, error) {
		return buildHost("host-trimpath", nil, "-trimpath")
	}}
	pluginTime09 = artifact{build: func() (string, error) {
		dir, err := copyModule("plugin-time-v0.9.0", "plugin")
		if err != nil {
			return "", err
		}
		out := filepath.Join(workDir, "plugin-time-v0.9.0.so")
		return out, goBuild(dir, nil, "-buildmode=plugin", "-o", out, ".")
	}}
)

// buildHost builds the test host into workDir/name. An argument naming a testdata
// directory is laid over the host sources (to change its go.mod); the others are go
// build flags.
func buildHost(name string, env []string, args ...string) (string, error) {
	layers := []string{"host"}
	var flags []string
	for _, a := range args {
		if strings.HasPrefix(a, "-") {
			flags = append(flags, a)
		} else {
			layers = append(layers, a)
		}
	}
	dir, err := copyModule(name, layers...)
	if err != nil {
		return "", err
	}
	out := filepath.Join(workDir, name)
	return out, goBuild(dir, env, append(append(flags, "-o", out), ".")...)
}

// copyModule copies the given testdata directories, later ones over earlier ones, into
// workDir/src/name and returns that directory.
func copyModule(name string, layers ...string) (string, error) {
	dst := filepath.Join(workDir, "src", name)
	for _, layer := range layers {
		if err := copyTree(filepath.Join("testdata", layer), dst); err != nil {
			return "", fmt.Errorf("copying testdata/%s: %w", layer, err)
		}
	}
	return dst, nil
}

// copyTree copies every file below src to the same place below dst, replacing files
// that exist.
func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), data, 0o644)
	})
}

// goBuild runs go build in dir with the test process's environment (so GOROOT and
// GOMODCACHE are the ones the tests compare against) plus env.
func goBuild(dir string, env []string, args ...string) error {
	ctx, cancel := context.WithTimeout(context.Background(), buildTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", append([]string{"build"}, args...)...)
	cmd.Dir = dir
	cmd.Env = append(append(os.Environ(), "GOWORK=off", "CGO_ENABLED=1"), env...)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build %s in %s: %w\n%s", strings.Join(args, " "), dir, err, out)
	}
	return nil
}

// runHost runs a test host that opens the plugin at so and returns what it printed.
func runHost(t *testing.T, host, so string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	out, _ := exec.CommandContext(ctx, host, so).CombinedOutput()
	return strings.TrimSpace(string(out))
}

// needGo skips the test when the go command is not on PATH.
func needGo(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("the go command is not on PATH")
	}
}

// goEnv returns one go env value.
func goEnv(t *testing.T, key string) string {
	t.Helper()
	needGo(t)
	out, err := exec.Command("go", "env", key).Output()
	if err != nil {
		t.Fatalf("go env %s: %v", key, err)
	}
	return strings.TrimSpace(string(out))
}
