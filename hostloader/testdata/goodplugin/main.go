// Package main is a test plugin that implements every Handler method and the optional
// Stats, Version and OnSessionWoken methods, counting each call so tests can see that
// calls reach it.
package main

import (
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
)

// handler counts the calls it receives.
type handler struct {
	loads, unloads, created, hibernated, users, woken atomic.Int64
}

// Plugin is the symbol the host looks up.
var Plugin handler

// OnLoad fails when config holds the key "fail" and otherwise logs one line.
func (h *handler) OnLoad(config map[string]any, logger *slog.Logger) error {
	if v, ok := config["fail"]; ok {
		return fmt.Errorf("goodplugin: config field fail is set to %v", v)
	}
	if logger == nil {
		logger = slog.Default()
	}
	h.loads.Add(1)
	logger.Info("goodplugin loaded", "fields", len(config))
	return nil
}

// OnUnload counts the call.
func (h *handler) OnUnload() error {
	h.unloads.Add(1)
	return nil
}

// OnSessionCreated rejects a nil session and counts the others.
func (h *handler) OnSessionCreated(session any) error {
	if session == nil {
		return errors.New("goodplugin: session is nil")
	}
	h.created.Add(1)
	return nil
}

// OnSessionHibernated counts the call.
func (h *handler) OnSessionHibernated(any) error {
	h.hibernated.Add(1)
	return nil
}

// OnUserCreated counts the call.
func (h *handler) OnUserCreated(any) error {
	h.users.Add(1)
	return nil
}

// OnSessionWoken counts the call.
func (h *handler) OnSessionWoken(any) error {
	h.woken.Add(1)
	return nil
}

// Stats returns the call counts.
func (h *handler) Stats() map[string]int64 {
	return map[string]int64{
		"loads":      h.loads.Load(),
		"unloads":    h.unloads.Load(),
		"created":    h.created.Load(),
		"hibernated": h.hibernated.Load(),
		"users":      h.users.Load(),
		"woken":      h.woken.Load(),
	}
}

// Version returns a fixed test version.
func (h *handler) Version() string { return "goodplugin-test" }
