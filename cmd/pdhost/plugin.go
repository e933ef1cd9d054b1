package main

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/streamspace/streamspace-pagerduty/hostloader"
)

// defaultPluginPath is the .so that `make build` writes, relative to the repository root.
const defaultPluginPath = "pagerduty-plugin.so"

// The StreamSpace event types pdhost can feed to the plugin.
const (
	typeSessionCreated    = "session.created"
	typeSessionHibernated = "session.hibernated"
	typeSessionWoken      = "session.woken"
	typeSessionDeleted    = "session.deleted"
	typeUserCreated       = "user.created"
)

// eventTypes lists the accepted event types, in the order error messages show them.
var eventTypes = []string{typeSessionCreated, typeSessionHibernated, typeSessionWoken,
	typeSessionDeleted, typeUserCreated}

// errNoHook reports a known event type for which the loaded plugin has no hook.
type errNoHook struct{ eventType, method string }

// Error names the missing method.
func (e *errNoHook) Error() string {
	return fmt.Sprintf("this plugin build has no %s hook for %s; event skipped",
		e.method, e.eventType)
}

// deliver passes data to the plugin's hook for the event type t and returns the hook's
// error. An unknown type, or one the plugin has no hook for, is an error too.
func deliver(p *hostloader.Loaded, t string, data any) error {
	var handled bool
	var err error
	switch t {
	case typeSessionCreated:
		return p.Handler.OnSessionCreated(data)
	case typeSessionHibernated:
		return p.Handler.OnSessionHibernated(data)
	case typeUserCreated:
		return p.Handler.OnUserCreated(data)
	case typeSessionWoken:
		if handled, err = p.OnSessionWoken(data); !handled {
			return &errNoHook{t, "OnSessionWoken"}
		}
	case typeSessionDeleted:
		if handled, err = p.OnSessionDeleted(data); !handled {
			return &errNoHook{t, "OnSessionDeleted"}
		}
	default:
		return fmt.Errorf("unknown event type %q; accepted: %s", t,
			strings.Join(eventTypes, ", "))
	}
	return err
}

// handles reports whether the plugin has a hook for the event type t.
func handles(p *hostloader.Loaded, t string) bool {
	switch t {
	case typeSessionWoken:
		_, ok := p.Handler.(hostloader.SessionWokenHandler)
		return ok
	case typeSessionDeleted:
		_, ok := p.Handler.(hostloader.SessionDeletedHandler)
		return ok
	}
	return true
}

// openPlugin loads the plugin at path, reporting a failure on stderr.
func (a *app) openPlugin(path string) (*hostloader.Loaded, bool) {
	p, err := hostloader.Open(path)
	if err != nil {
		fmt.Fprintf(a.stderr, "pdhost: %v\n", err)
		return nil, false
	}
	return p, true
}

// pluginVersion describes the plugin's version for a header line.
func pluginVersion(p *hostloader.Loaded) string {
	if v, ok := p.Version(); ok {
		return v
	}
	return "(no Version method)"
}

// pluginLogger returns the slog text logger the plugin logs to: stderr, or the file at
// logPath when it is not empty, appended to. Both scrub the app's secrets. The returned
// function closes the file.
func (a *app) pluginLogger(logPath string) (*slog.Logger, func(), error) {
	var w io.Writer = a.stderr
	closeFn := func() {}
	if logPath != "" {
		f, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
		if err != nil {
			return nil, nil, fmt.Errorf("pdhost: opening the log file: %w", err)
		}
		w = newRedactor(f, a.secrets)
		closeFn = func() { _ = f.Close() }
	}
	return slog.New(slog.NewTextHandler(w, nil)), closeFn, nil
}
