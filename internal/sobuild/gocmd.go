package sobuild

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"sync"
)

// goCommand finds the go command once and checks that it is the toolchain that built this
// test binary, since a plugin built by any other toolchain cannot be loaded by it.
var goCommand = sync.OnceValues(func() (string, error) {
	path, err := exec.LookPath("go")
	if err != nil {
		return "", fmt.Errorf("finding the go command: %w", err)
	}
	out, err := exec.Command(path, "env", "GOVERSION").Output()
	if err != nil {
		return "", fmt.Errorf("running %s env GOVERSION: %w", path, err)
	}
	if got := strings.TrimSpace(string(out)); got != runtime.Version() {
		return "", fmt.Errorf("%s is %s but the test binary was built by %s; "+
			"put the matching go command first in PATH", path, got, runtime.Version())
	}
	return path, nil
})

// goBuild runs go build for opts, writing the result to out.
func goBuild(ctx context.Context, out string, opts Options) error {
	gobin, err := goCommand()
	if err != nil {
		return err
	}
	env := append(os.Environ(), opts.Env...)
	args := []string{"build", "-o", out}
	if opts.Mode == Plugin {
		args = append(args, "-buildmode=plugin")
	}
	args = append(args, matchingFlags(envValue(env, "CGO_ENABLED") == "0")...)
	ldflags := opts.LDFlags
	if opts.PluginPath != "" {
		// A later -gcflags replaces an earlier one for the packages both match, so this
		// one comes after the flags copied from the test binary.
		args = append(args, "-gcflags=-p="+opts.PluginPath)
		ldflags = strings.TrimSpace("-pluginpath=" + opts.PluginPath + " " + ldflags)
	}
	if ldflags != "" {
		args = append(args, "-ldflags="+ldflags)
	}
	args = append(args, opts.Package)
	cmd := exec.CommandContext(ctx, gobin, args...)
	cmd.Dir = opts.Dir
	cmd.Env = env
	output, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("go %s in %s: %w\n%s", strings.Join(args, " "), opts.Dir, err, output)
	}
	return nil
}
