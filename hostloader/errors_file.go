package hostloader

import (
	"fmt"
	"runtime"
)

// buildAdvice tells the reader how a plugin file is meant to be produced.
const buildAdvice = "a plugin is a shared object built with go build -buildmode=plugin " +
	"(make build does this)"

// NotFoundError reports that the plugin file does not exist.
type NotFoundError struct {
	// Path is the plugin file as given.
	Path string
	// Err is the error from os.Stat.
	Err error
}

// Error names the missing file and says what to check.
func (e *NotFoundError) Error() string {
	return fmt.Sprintf("hostloader: plugin file %s does not exist; "+
		"check the configured plugin path and that the plugin was built and installed", e.Path)
}

// Unwrap returns the error from os.Stat.
func (e *NotFoundError) Unwrap() error { return e.Err }

// NotSharedObjectError reports a file that is not an ELF shared object: a directory, a text
// file, an executable or an object file.
type NotSharedObjectError struct {
	// Path is the plugin file as given.
	Path string
	// Reason says what the file is instead.
	Reason string
	// Err is the underlying error, if there was one.
	Err error
}

// Error says what the file is and how a plugin is built.
func (e *NotSharedObjectError) Error() string {
	return fmt.Sprintf("hostloader: cannot load %s: %s; %s", e.Path, e.Reason, buildAdvice)
}

// Unwrap returns the underlying error, if any.
func (e *NotSharedObjectError) Unwrap() error { return e.Err }

// WrongArchError reports a shared object built for another processor architecture.
type WrongArchError struct {
	// Path is the plugin file as given.
	Path string
	// FileArch is the architecture the file was built for, as a GOARCH value when known.
	FileArch string
	// HostArch is the GOARCH of this host.
	HostArch string
}

// Error names both architectures and says what to rebuild.
func (e *WrongArchError) Error() string {
	return fmt.Sprintf("hostloader: cannot load %s: it was built for %s "+
		"but this host runs %s/%s; "+
		"rebuild the plugin with GOOS=%s GOARCH=%s (and a C compiler for that target, "+
		"since plugins need cgo)",
		e.Path, e.FileArch, runtime.GOOS, e.HostArch, runtime.GOOS, e.HostArch)
}

// NotGoPluginError reports a shared object that is not a Go plugin: a C library, a Go
// c-shared library or a Go program.
type NotGoPluginError struct {
	// Path is the plugin file as given.
	Path string
	// Reason says what the file is instead.
	Reason string
	// Err is the underlying error, if there was one.
	Err error
}

// Error says what the file is and how a plugin is built.
func (e *NotGoPluginError) Error() string {
	return fmt.Sprintf("hostloader: cannot load %s: %s; %s", e.Path, e.Reason, buildAdvice)
}

// Unwrap returns the underlying error, if any.
func (e *NotGoPluginError) Unwrap() error { return e.Err }
