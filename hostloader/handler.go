package hostloader

import "log/slog"

// Symbol is the name of the variable a plugin's main package must export.
const Symbol = "Plugin"

// Handler is the set of methods every plugin must implement. The host passes sessions and
// users as values of its own types, hence the any parameters.
type Handler interface {
	// OnLoad configures the plugin. A nil logger means the plugin logs to slog.Default().
	OnLoad(config map[string]any, logger *slog.Logger) error
	// OnUnload releases the plugin's resources before the host stops using it.
	OnUnload() error
	// OnSessionCreated is called after the host creates a session.
	OnSessionCreated(session any) error
	// OnSessionHibernated is called after the host hibernates a session.
	OnSessionHibernated(session any) error
	// OnUserCreated is called after the host creates a user.
	OnUserCreated(user any) error
}

// StatsReporter is implemented by plugins that publish counters.
type StatsReporter interface {
	// Stats returns a snapshot of the plugin's counters by name.
	Stats() map[string]int64
}

// SessionWokenHandler is implemented by plugins that want to hear about woken sessions.
type SessionWokenHandler interface {
	// OnSessionWoken is called after the host wakes a hibernated session.
	OnSessionWoken(session any) error
}

// SessionDeletedHandler is implemented by plugins that want to hear about deleted sessions.
type SessionDeletedHandler interface {
	// OnSessionDeleted is called after the host deletes a session.
	OnSessionDeleted(session any) error
}

// Versioner is implemented by plugins that report their own version.
type Versioner interface {
	// Version returns the plugin's version string.
	Version() string
}
