package hostloader

import "plugin"

// Open loads the plugin file at path and returns its Plugin variable as a Handler together
// with the file's build information. It checks the file first, so that a missing file, a
// file that is not a shared object, one built for another architecture and one not built
// as a Go plugin are each reported with their own error type. Failures of plugin.Open and
// of the symbol lookup are explained as by Explain, and a symbol of the wrong type gives a
// *WrongTypeError. Opening the same path twice returns the same Handler, because Go loads
// each plugin file only once per process.
func Open(path string) (*Loaded, error) {
	info, err := inspect(path)
	if err != nil {
		return nil, err
	}
	p, err := plugin.Open(path)
	if err != nil {
		return nil, explain(path, err, info)
	}
	sym, err := p.Lookup(Symbol)
	if err != nil {
		return nil, explain(path, err, info)
	}
	h, ok := sym.(Handler)
	if !ok {
		return nil, wrongType(path, sym)
	}
	return &Loaded{Path: path, Handler: h, Build: info}, nil
}
