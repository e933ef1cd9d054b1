package hostloader

import "runtime/debug"

// Loaded is a plugin that Open loaded and whose Plugin symbol implements Handler.
type Loaded struct {
	// Path is the plugin file as it was passed to Open.
	Path string
	// Handler is the plugin's Plugin variable.
	Handler Handler
	// Build is the build information recorded in the plugin file: its Go version, its
	// modules and the build settings.
	Build *debug.BuildInfo
}

// Stats returns the plugin's counters and true, or nil and false when the plugin does not
// implement StatsReporter.
func (l *Loaded) Stats() (map[string]int64, bool) {
	if s, ok := l.Handler.(StatsReporter); ok {
		return s.Stats(), true
	}
	return nil, false
}

// Version returns the plugin's version and true, or "" and false when the plugin does not
// implement Versioner.
func (l *Loaded) Version() (string, bool) {
	if v, ok := l.Handler.(Versioner); ok {
		return v.Version(), true
	}
	return "", false
}

// OnSessionWoken passes session to the plugin when it implements SessionWokenHandler. It
// reports whether the plugin handles the event and the plugin's error.
func (l *Loaded) OnSessionWoken(session any) (bool, error) {
	if h, ok := l.Handler.(SessionWokenHandler); ok {
		return true, h.OnSessionWoken(session)
	}
	return false, nil
}

// OnSessionDeleted passes session to the plugin when it implements SessionDeletedHandler.
// It reports whether the plugin handles the event and the plugin's error.
func (l *Loaded) OnSessionDeleted(session any) (bool, error) {
	if h, ok := l.Handler.(SessionDeletedHandler); ok {
		return true, h.OnSessionDeleted(session)
	}
	return false, nil
}
