// Package hosttest holds tests that build the real plugin with -buildmode=plugin and drive
// it the way a host does: plugin.Open, Lookup("Plugin"), and a type assertion against an
// interface the host declares itself. It has no code of its own.
package hosttest
