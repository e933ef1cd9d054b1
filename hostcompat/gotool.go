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
	// overrides lists the KEY=VALUE entries set through setenv, echoed with each
	// command so that it can be rerun by hand.
	overrides []string
}

// setenv sets key in the tool's environment, replacing any earlier value.
func (g *goTool) setenv(key, value string) {
	g.env = setEnv(g.env, key, value)
	g.overrides = setEnv(g.overrides, key, value)
}

// run runs go with args, streaming its output, after echoing the command line to the
// tool's standard error.
func (g *goTool) run(ctx context.Context, args ...string) error {
	line := make([]string, 0, len(g.overrides)+len(args)+1)
	for _, kv := range g.overrides {
		k, v, _ := strings.Cut(kv, "=")
		line = append(line, k+"="+shellQuote(v))
	}
	line = append(line, "go")
	for _, a := range args {
		line = append(line, shellQuote(a))
	}
	fmt.Fprintf(g.stderr, "+ %s\n", strings.Join(line, " "))
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
