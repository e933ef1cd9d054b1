package hostcompat

import "io"

// Check inspects the host executable and, when pluginPath is not empty, the plugin,
// compares them and writes the report to w. It returns whether the plugin will load
// (or, without a plugin, whether the host can load plugins at all); err is set only
// when a file could not be inspected or the report could not be written.
func Check(w io.Writer, hostPath, pluginPath string) (ok bool, err error) {
	host, err := Inspect(hostPath)
	if err != nil {
		return false, err
	}
	var plugin *Facts
	if pluginPath != "" {
		if plugin, err = Inspect(pluginPath); err != nil {
			return false, err
		}
	}
	report := Compare(host, plugin)
	if err := report.Write(w); err != nil {
		return false, err
	}
	return report.OK(), nil
}
