// Command pdhost is a small host for the streamspace-pagerduty plugin. It loads the
// plugin .so the way the StreamSpace API server does and drives it from the command line:
//
//	pdhost demo        feed a sample of StreamSpace events to the plugin and show what a
//	                   local PagerDuty stand-in received, checked against the config
//	pdhost replay      feed events from a JSON Lines file
//	pdhost send-test   send one test alert and its resolve straight to PagerDuty
//	pdhost check-host  tell whether the plugin will load into an API server binary
//	pdhost build       build the plugin so that it loads into an API server binary
//
// Run pdhost with no arguments for the flags of each command.
package main

import (
	"fmt"
	"io"
	"os"
)

// Exit statuses shared by every command.
const (
	exitOK    = 0 // the command did what it was asked and found nothing wrong
	exitFail  = 1 // the command ran but something failed or did not match
	exitUsage = 2 // the command line was wrong; usage was printed
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run executes the command line args and returns the process exit status. It writes
// results to stdout and diagnostics and plugin logs to stderr.
func run(args []string, stdout, stderr io.Writer) int {
	return newApp(stdout, stderr).run(args)
}

// app is one invocation of pdhost: its output streams and the seams tests replace.
type app struct {
	// stdout and stderr scrub every routing key the app has read from what they write.
	stdout, stderr io.Writer
	// secrets holds those routing keys.
	secrets *secrets
	// demoHooks lets tests change what the demo does behind its prediction's back.
	demoHooks demoHooks
}

// newApp returns an app writing to stdout and stderr with no test hooks.
func newApp(stdout, stderr io.Writer) *app {
	s := &secrets{}
	return &app{stdout: newRedactor(stdout, s), stderr: newRedactor(stderr, s), secrets: s}
}

// command is one pdhost subcommand.
type command struct {
	name    string
	summary string
	run     func(a *app, args []string) int
}

// commands lists the subcommands in the order usage shows them.
var commands = []command{
	{"demo", "load the plugin, page a local PagerDuty stand-in with sample events, " +
		"check the result", (*app).demo},
	{"replay", "load the plugin with a config file and feed it events from a JSON Lines " +
		"file", (*app).replay},
	{"send-test", "send one test alert and its resolve to PagerDuty, without the plugin",
		(*app).sendTest},
	{"check-host", "tell whether the plugin will load into a StreamSpace API server " +
		"binary", (*app).checkHost},
	{"build", "build the plugin so that it loads into a given API server binary",
		(*app).build},
}

// run dispatches args to a subcommand.
func (a *app) run(args []string) int {
	if len(args) == 0 {
		a.usage(a.stderr)
		return exitUsage
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		a.usage(a.stdout)
		return exitOK
	case "-version", "--version", "version":
		return a.version(args[1:])
	}
	for _, c := range commands {
		if c.name == args[0] {
			return c.run(a, args[1:])
		}
	}
	fmt.Fprintf(a.stderr, "pdhost: unknown command %q\n\n", args[0])
	a.usage(a.stderr)
	return exitUsage
}

// usage writes the list of commands.
func (a *app) usage(w io.Writer) {
	fmt.Fprintln(w, "usage: pdhost <command> [flags]")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "commands:")
	for _, c := range commands {
		fmt.Fprintf(w, "  %-11s %s\n", c.name, c.summary)
	}
	fmt.Fprintf(w, "  %-11s %s\n", "--version", "print the version")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Run pdhost <command> -h for the flags of a command.")
}
