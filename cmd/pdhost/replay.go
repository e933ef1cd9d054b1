package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/streamspace/streamspace-pagerduty/hostloader"
	"github.com/streamspace/streamspace-pagerduty/pdreceiver"
)

// replay runs the replay command.
func (a *app) replay(args []string) int {
	f := newFlags("replay", "replay --config F --events F [--plugin F] [--events-url URL] "+
		"[--log F]", "config", "events")
	cfgPath := f.String("config", "", "the plugin configuration, a JSON object in `file`")
	eventsPath := f.String("events", "", "the events, one JSON object a line in `file`:\n"+
		`{"type":"session.hibernated","data":{...}}`)
	pluginPath := f.String("plugin", defaultPluginPath, "the plugin `.so` to load")
	eventsURL := f.String("events-url", "", "send the alerts to `URL` instead of a local "+
		"PagerDuty stand-in")
	logPath := f.String("log", "", "append the plugin's log to `file` instead of stderr")
	if ok, code := f.parse(a, args); !ok {
		return code
	}
	cfg, err := readConfigFile(*cfgPath)
	if err != nil {
		fmt.Fprintf(a.stderr, "pdhost: %v\n", err)
		return exitFail
	}
	if key, ok := cfg["routingKey"].(string); ok {
		a.secrets.add(key)
	}
	events, err := os.Open(*eventsPath)
	if err != nil {
		fmt.Fprintf(a.stderr, "pdhost: --events: %v\n", err)
		return exitFail
	}
	defer events.Close()
	p, ok := a.openPlugin(*pluginPath)
	if !ok {
		return exitFail
	}
	var srv *pdreceiver.Server
	if *eventsURL == "" {
		if srv, err = pdreceiver.Start(""); err != nil {
			fmt.Fprintf(a.stderr, "pdhost: starting the PagerDuty stand-in: %v\n", err)
			return exitFail
		}
		defer srv.Close()
		if _, set := cfg["eventsURL"]; set {
			fmt.Fprintln(a.stdout, "note: the config's eventsURL is replaced by a local "+
				"PagerDuty stand-in; pass --events-url to send elsewhere")
		}
		*eventsURL = srv.URL()
	}
	cfg["eventsURL"] = *eventsURL
	return a.replayWith(p, cfg, events, *eventsPath, *logPath, srv)
}

// replayWith loads the plugin with cfg, feeds it the events file and prints the results:
// the stand-in's tables when srv is not nil, and the plugin's counters.
func (a *app) replayWith(p *hostloader.Loaded, cfg map[string]any, events io.Reader,
	eventsName, logPath string, srv *pdreceiver.Server) int {
	logger, closeLog, err := a.pluginLogger(logPath)
	if err != nil {
		fmt.Fprintln(a.stderr, err)
		return exitFail
	}
	defer closeLog()
	fmt.Fprintf(a.stdout, "pdhost replay: plugin %s (version %s), alerts to %s\n", p.Path,
		pluginVersion(p), cfg["eventsURL"])
	if err := p.Handler.OnLoad(cfg, logger); err != nil {
		fmt.Fprintf(a.stderr, "pdhost: OnLoad: %v\n", err)
		return exitFail
	}
	fed, bad, readErr := a.replayLines(p, events)
	unloadErr := p.Handler.OnUnload()
	if srv != nil {
		if err := writeReceived(a.stdout, srv.Receiver); err != nil {
			fmt.Fprintf(a.stderr, "pdhost: %v\n", err)
		}
	}
	writeStats(a.stdout, p)
	fmt.Fprintf(a.stdout, "\nreplayed %d events from %s\n", fed, eventsName)
	code := exitOK
	if readErr != nil {
		fmt.Fprintf(a.stderr, "pdhost: reading %s: %v\n", eventsName, readErr)
		code = exitFail
	}
	if unloadErr != nil {
		fmt.Fprintf(a.stderr, "pdhost: OnUnload: %v\n", unloadErr)
		code = exitFail
	}
	if len(bad) > 0 {
		fmt.Fprintf(a.stderr, "pdhost: %d bad lines in %s: %s\n", len(bad), eventsName,
			joinInts(bad))
		code = exitFail
	}
	return code
}

// replayLines feeds each line of r to the plugin. It reports every bad line on stderr
// with its number and goes on with the next; it returns how many events reached the
// plugin without error, the numbers of the bad lines and any read error.
func (a *app) replayLines(p *hostloader.Loaded, r io.Reader) (fed int, bad []int, err error) {
	br := bufio.NewReader(r)
	for n := 1; ; n++ {
		line, err := br.ReadBytes('\n')
		if len(bytes.TrimSpace(line)) > 0 {
			if lineErr := replayLine(p, line); lineErr != nil {
				fmt.Fprintf(a.stderr, "line %d: %v\n", n, lineErr)
				bad = append(bad, n)
			} else {
				fed++
			}
		}
		if errors.Is(err, io.EOF) {
			return fed, bad, nil
		}
		if err != nil {
			return fed, bad, err
		}
	}
}

// replayLine decodes one line and passes its data to the plugin.
func replayLine(p *hostloader.Loaded, line []byte) error {
	t, data, err := parseEventLine(line)
	if err != nil {
		return err
	}
	if err := deliver(p, t, data); err != nil {
		var noHook *errNoHook
		if errors.As(err, &noHook) {
			return err
		}
		return fmt.Errorf("%s: the plugin's hook returned an error: %w", t, err)
	}
	return nil
}

// eventLine is one line of a replay file.
type eventLine struct {
	Type string          `json:"type"`
	Data json.RawMessage `json:"data"`
}

// parseEventLine decodes a line of the form {"type":"...","data":{...}} and checks that
// the type is known and data is an object.
func parseEventLine(line []byte) (string, map[string]any, error) {
	var l eventLine
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&l); err != nil {
		if strings.HasPrefix(err.Error(), "json: unknown field") {
			return "", nil, fmt.Errorf("%s; accepted: \"type\", \"data\"",
				strings.TrimPrefix(err.Error(), "json: "))
		}
		return "", nil, fmt.Errorf("invalid JSON: %w", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return "", nil, errors.New("invalid JSON: more than one value on the line")
	}
	accepted := "accepted: " + strings.Join(eventTypes, ", ")
	switch {
	case l.Type == "":
		return "", nil, errors.New(`missing "type"; ` + accepted)
	case !knownType(l.Type):
		return "", nil, fmt.Errorf("unknown \"type\" %q; %s", l.Type, accepted)
	case len(l.Data) == 0 || string(l.Data) == "null":
		return "", nil, errors.New(`missing "data": the session or user, as a JSON object`)
	}
	var data map[string]any
	if err := json.Unmarshal(l.Data, &data); err != nil {
		return "", nil, fmt.Errorf("\"data\" must be a JSON object with the session or "+
			"user, got %s", jsonKind(l.Data))
	}
	return l.Type, data, nil
}

// knownType reports whether t is one of eventTypes.
func knownType(t string) bool {
	for _, k := range eventTypes {
		if k == t {
			return true
		}
	}
	return false
}

// jsonKind names the kind of a JSON value from its first byte.
func jsonKind(v json.RawMessage) string {
	switch b := bytes.TrimSpace(v); {
	case len(b) == 0:
		return "nothing"
	case b[0] == '[':
		return "a list"
	case b[0] == '"':
		return "a string"
	case b[0] == 't' || b[0] == 'f':
		return "a boolean"
	default:
		return "a number"
	}
}

// readConfigFile reads a plugin configuration: a JSON object, decoded as StreamSpace
// decodes it (numbers become float64).
func readConfigFile(path string) (map[string]any, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("--config: %w", err)
	}
	var cfg map[string]any
	dec := json.NewDecoder(bytes.NewReader(raw))
	if err := dec.Decode(&cfg); err != nil {
		return nil, fmt.Errorf("--config %s: must hold one JSON object: %w", path, err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("--config %s: must hold one JSON object and nothing after it",
			path)
	}
	if cfg == nil {
		return nil, fmt.Errorf("--config %s: must hold a JSON object, not null", path)
	}
	return cfg, nil
}

// joinInts renders line numbers as a comma-separated list.
func joinInts(ns []int) string {
	s := make([]string, len(ns))
	for i, n := range ns {
		s[i] = fmt.Sprint(n)
	}
	return strings.Join(s, ", ")
}
