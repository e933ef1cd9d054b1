// Package main is a test plugin whose Plugin type lacks OnUserCreated and declares OnUnload
// without its error result.
package main

import "log/slog"

// partial implements only part of the Handler interface.
type partial struct{}

// Plugin is the symbol the host looks up.
var Plugin partial

// OnLoad accepts any configuration.
func (*partial) OnLoad(map[string]any, *slog.Logger) error { return nil }

// OnUnload lacks the error result Handler requires.
func (*partial) OnUnload() {}

// OnSessionCreated accepts any session.
func (*partial) OnSessionCreated(any) error { return nil }

// OnSessionHibernated accepts any session.
func (*partial) OnSessionHibernated(any) error { return nil }
