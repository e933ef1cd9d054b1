package hostcompat

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os/exec"
	"strings"
)

// goTool runs the go command in one directory with an environment it owns.
type goTool struct {
	dir    string
	env    []string
	stdout io.Writer
	stderr io.Writer
}

// setenv sets key in the tool's environment, replacing any earlier value.
func (g *goTool) setenv(key, value string) {
	g.env = setEnv(g.env, key, value)
}

// run runs go with args, streaming its output, after echoing the command line to the
// tool's standard error.
func (g *goTool) run(ctx context.Context, args ...string) error {
	fmt.Fprintf(g.stderr, "+ go %s\n", strings.Join(args, " "))
	cmd := g.command(ctx, args)
	cmd.Stdout, cmd.Stderr = g.stdout, g.stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("hostcompat: go %s: %w", strings.Join(args, " "), err)
	}
	return nil
}

// output runs go with args and returns its standard output without surrounding
// space; on failure the error carries the command's standard error.
func (g *goTool) output(ctx context.Context, args ...string) (string, error) {
	var stdout, stderr bytes.Buffer
	cmd := g.command(ctx, args)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("hostcompat: go %s: %w: %s", strings.Join(args, " "), err,
			strings.TrimSpace(stderr.String()))
	}
	return strings.TrimSpace(stdout.String()), nil
}

// command prepares one go invocation.
func (g *goTool) command(ctx context.Context, args []string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = g.dir
	cmd.Env = g.env
	return cmd
}

// setEnv returns env with every entry for key removed and key=value appended.
func setEnv(env []string, key, value string) []string {
	out := make([]string, 0, len(env)+1)
	for _, kv := range env {
		if k, _, _ := strings.Cut(kv, "="); k != key {
			out = append(out, kv)
		}
	}
	return append(out, key+"="+value)
}
