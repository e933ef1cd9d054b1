// Package hostloader opens a StreamSpace plugin .so file on behalf of a Go host and turns
// the terse errors of the standard plugin package into typed errors that tell the operator
// what to change.
//
// A plugin's main package declares an exported variable of a type T whose pointer
// implements Handler:
//
//	var Plugin T
//
// Open checks the file before handing it to plugin.Open, so that a file that is not a Go
// plugin is reported instead of aborting the host, then looks up Plugin and checks its type.
// Every failure is one of the error types of this package, each wrapping the original cause,
// so callers can use errors.As and errors.Unwrap.
package hostloader
