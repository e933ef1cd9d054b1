// Package main is a test plugin that exports its handler under the name Handler instead of
// Plugin.
package main

// handler has no methods; the host never gets as far as checking them.
type handler struct{}

// Handler is exported under the wrong name.
var Handler handler
