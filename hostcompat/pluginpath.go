package hostcompat

import (
	"context"
	"fmt"
	"strings"
)

// pluginPathFlag returns the value of a -pluginpath linker flag in ldflags, and
// whether there is one.
func pluginPathFlag(ldflags string) (string, bool) {
	fields := strings.Fields(ldflags)
	for i, f := range fields {
		name, value, hasValue := strings.Cut(strings.TrimPrefix(f, "-"), "=")
		if name != "-pluginpath" && name != "pluginpath" {
			continue
		}
		if hasValue {
			return value, true
		}
		if i+1 < len(fields) {
			return fields[i+1], true
		}
		return "", true
	}
	return "", false
}

// checkPluginPath rejects a -pluginpath that differs from the plugin's main package
// import path. The compiler names the package's symbols after its import path, which
// go build also passes to the linker as -pluginpath; overriding it makes plugin.Lookup
// search under the wrong name, so every symbol lookup fails.
func checkPluginPath(ldflags, importPath string) error {
	value, ok := pluginPathFlag(ldflags)
	if !ok || value == importPath {
		return nil
	}
	return fmt.Errorf("hostcompat: AlignOptions.LDFlags sets -pluginpath=%s, but the "+
		"plugin's symbols are named after its import path %s, so every plugin.Lookup would "+
		"fail with \"undefined symbol %s.<name>\"; set AlignOptions.PluginPath=%s "+
		"instead, which also compiles the package under that path", value, importPath,
		value, value)
}

// mainImportPath returns the import path of the package in the tool's directory.
func mainImportPath(ctx context.Context, g *goTool, modPath string) (string, error) {
	return g.output(ctx, "list", "-modfile="+modPath, "-f", "{{.ImportPath}}", ".")
}
