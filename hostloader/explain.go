package hostloader

import (
	"debug/buildinfo"
	"net/url"
	"runtime/debug"
	"strings"
)

// Fragments of the messages the plugin package returns, which Explain recognises.
const (
	versionPhrase     = "plugin was built with a different version of package "
	notImplemented    = "plugin: not implemented"
	alreadyLoaded     = "plugin already loaded"
	symbolPrefix      = "plugin: symbol "
	symbolNotFoundMid = " not found in plugin "
	unfoundExport     = "could not find symbol "
	undefinedSymbol   = "undefined symbol: "
)

// Explain turns an error that plugin.Open or (*plugin.Plugin).Lookup returned for the file
// at path into one of this package's error types, wrapping err. It serves hosts that call
// the plugin package themselves. Errors it does not recognise become a *LoadError; a nil
// err gives nil.
func Explain(path string, err error) error {
	if err == nil {
		return nil
	}
	info, readErr := buildinfo.ReadFile(path)
	if readErr != nil {
		info = nil
	}
	return explain(path, err, info)
}

// explain classifies err by its message; info is the plugin's build information or nil.
func explain(path string, err error, info *debug.BuildInfo) error {
	msg := err.Error()
	if _, rest, ok := strings.Cut(msg, versionPhrase); ok {
		pkg, _, _ := strings.Cut(rest, " ")
		return newVersionMismatch(path, pkg, info, err)
	}
	if strings.Contains(msg, notImplemented) {
		return &PluginsUnsupportedError{Path: path, Err: err}
	}
	if strings.Contains(msg, alreadyLoaded) {
		return &AlreadyLoadedError{Path: path, Err: err}
	}
	if _, rest, ok := strings.Cut(msg, symbolPrefix); ok {
		if symbol, pluginPath, ok := strings.Cut(rest, symbolNotFoundMid); ok {
			return &MissingSymbolError{
				Path: path, Symbol: symbol, PluginPath: pluginPath, Err: err,
			}
		}
	}
	if _, rest, ok := strings.Cut(msg, unfoundExport); ok {
		return newPluginPathMismatch(path, rest, err)
	}
	return &LoadError{Path: path, Err: err}
}

// newPluginPathMismatch parses the rest of a message "could not find symbol NAME: FILE:
// undefined symbol: PLUGINPATH.NAME", which plugin.Open returns when the symbols of a
// plugin are not named after its plugin path.
func newPluginPathMismatch(path, rest string, err error) error {
	symbol, detail, _ := strings.Cut(rest, ": ")
	e := &PluginPathMismatchError{Path: path, Symbol: symbol, Err: err}
	if i := strings.LastIndex(detail, undefinedSymbol); i >= 0 {
		full := detail[i+len(undefinedSymbol):]
		if escaped, ok := strings.CutSuffix(full, "."+symbol); ok {
			e.PluginPath = unescapeSymbolPath(escaped)
		}
	}
	return e
}

// unescapeSymbolPath undoes the %xx escaping the linker applies to package paths in symbol
// names (a dot in the last path element becomes %2e), returning p unchanged if it is not
// validly escaped.
func unescapeSymbolPath(p string) string {
	if u, err := url.PathUnescape(p); err == nil {
		return u
	}
	return p
}
