package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// cmdFlags is the flag set of one subcommand together with its usage text.
type cmdFlags struct {
	*flag.FlagSet
	synopsis string   // the command line shape, such as "replay --config F --events F"
	required []string // flags that must be given
}

// newFlags returns an empty flag set for the subcommand name. synopsis is shown in the
// usage; required names the flags the command cannot run without.
func newFlags(name, synopsis string, required ...string) *cmdFlags {
	fs := flag.NewFlagSet("pdhost "+name, flag.ContinueOnError)
	fs.SetOutput(io.Discard) // parse reports errors itself, with the usage
	return &cmdFlags{FlagSet: fs, synopsis: synopsis, required: required}
}

// parse parses args. It returns ok when the command should run; otherwise it has printed
// the usage (to stdout for -h, with the problem to stderr for a bad command line) and
// code is the exit status.
func (f *cmdFlags) parse(a *app, args []string) (ok bool, code int) {
	err := f.Parse(args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		f.usage(a.stdout)
		return false, exitOK
	case err != nil:
		return f.fail(a, err.Error())
	case f.NArg() > 0:
		return f.fail(a, fmt.Sprintf("unexpected argument %q", f.Arg(0)))
	}
	given := map[string]bool{}
	f.Visit(func(fl *flag.Flag) { given[fl.Name] = true })
	for _, name := range f.required {
		if !given[name] {
			return f.fail(a, "missing --"+name)
		}
	}
	return true, exitOK
}

// fail reports a bad command line with the usage and returns the usage exit status.
func (f *cmdFlags) fail(a *app, problem string) (bool, int) {
	fmt.Fprintf(a.stderr, "%s: %s\n\n", f.Name(), problem)
	f.usage(a.stderr)
	return false, exitUsage
}

// usage writes the synopsis and the flags.
func (f *cmdFlags) usage(w io.Writer) {
	fmt.Fprintf(w, "usage: pdhost %s\n\nflags:\n", f.synopsis)
	f.VisitAll(func(fl *flag.Flag) {
		name, text := flag.UnquoteUsage(fl)
		line := "  --" + fl.Name
		if name != "" {
			line += " " + name
		}
		fmt.Fprintf(w, "%s\n    \t%s", line, strings.ReplaceAll(text, "\n", "\n    \t"))
		if fl.DefValue != "" && fl.DefValue != "false" {
			fmt.Fprintf(w, " (default %q)", fl.DefValue)
		}
		fmt.Fprintln(w)
	})
}
