package main

import (
	"fmt"
	"io"
	"maps"
	"strings"
	"text/tabwriter"

	"github.com/streamspace/streamspace-pagerduty/hostloader"
	"github.com/streamspace/streamspace-pagerduty/pdreceiver"
)

// demoRoutingKey is an obviously fake routing key; the stand-in accepts any 32 letters or
// digits. pdhost still treats it as a secret, as it would a real one.
const demoRoutingKey = "DEMOFAKEKEYNOTAREALPAGERDUTYKEY0"

// The demo's rate limit and the size of its classroom burst, chosen so that the burst
// runs out the hourly budget halfway through.
const (
	demoRateLimit = 8
	demoBurst     = 5
)

// demoHooks are seams for tests: each changes what the demo does after the prediction
// was made, so that a test can check the verdict catches the difference.
type demoHooks struct {
	// pluginConfig, when set, edits the configuration the plugin is loaded with.
	pluginConfig func(cfg map[string]any)
	// receiver, when set, prepares the stand-in before the plugin is loaded, for example
	// by scripting faults.
	receiver func(rc *pdreceiver.Receiver) error
}

// demoConfig is the plugin configuration of the demo: every event type on, each with its
// own severity, and a small rate limit.
func demoConfig(eventsURL string) map[string]any {
	return map[string]any{
		"routingKey":                demoRoutingKey,
		"eventsURL":                 eventsURL,
		"notifyOnSessionCreated":    true,
		"notifyOnSessionHibernated": true,
		"notifyOnUserCreated":       true,
		"sessionCreatedSeverity":    "info",
		"sessionHibernatedSeverity": "warning",
		"userCreatedSeverity":       "error",
		"rateLimit":                 float64(demoRateLimit), // as decoded JSON gives it
	}
}

// demo runs the demo command.
func (a *app) demo(args []string) int {
	f := newFlags("demo", "demo [--plugin F] [--log F]")
	pluginPath := f.String("plugin", defaultPluginPath, "the plugin `.so` to load")
	logPath := f.String("log", "", "append the plugin's log to `file` instead of stderr")
	if ok, code := f.parse(a, args); !ok {
		return code
	}
	a.secrets.add(demoRoutingKey)
	p, ok := a.openPlugin(*pluginPath)
	if !ok {
		return exitFail
	}
	srv, err := pdreceiver.Start("")
	if err != nil {
		fmt.Fprintf(a.stderr, "pdhost: starting the PagerDuty stand-in: %v\n", err)
		return exitFail
	}
	defer srv.Close()
	if a.demoHooks.receiver != nil {
		if err := a.demoHooks.receiver(srv.Receiver); err != nil {
			fmt.Fprintf(a.stderr, "pdhost: preparing the stand-in: %v\n", err)
			return exitFail
		}
	}
	logger, closeLog, err := a.pluginLogger(*logPath)
	if err != nil {
		fmt.Fprintln(a.stderr, err)
		return exitFail
	}
	defer closeLog()

	cfg := demoConfig(srv.URL())
	model, err := readModelConfig(cfg)
	if err != nil {
		fmt.Fprintf(a.stderr, "pdhost: %v\n", err)
		return exitFail
	}
	sample := demoSample(demoBurst)
	pred := predict(sample, model, func(t string) bool { return handles(p, t) })
	loadCfg := maps.Clone(cfg)
	if a.demoHooks.pluginConfig != nil {
		a.demoHooks.pluginConfig(loadCfg)
	}

	fmt.Fprintf(a.stdout, "pdhost demo: plugin %s (version %s)\n", p.Path, pluginVersion(p))
	fmt.Fprintf(a.stdout, "PagerDuty stand-in: %s\n", srv.URL())
	fmt.Fprintf(a.stdout, "config: %s\n", describeModel(model))
	if err := p.Handler.OnLoad(loadCfg, logger); err != nil {
		fmt.Fprintf(a.stderr, "pdhost: OnLoad: %v\n", err)
		return exitFail
	}
	obs := observed{}
	obs.hookErrors = a.feed(p, sample)
	obs.unloadErr = p.Handler.OnUnload()
	obs.requests, obs.incidents = srv.Requests(), srv.Incidents()
	obs.stats, _ = p.Stats()

	if err := writeReceived(a.stdout, srv.Receiver); err != nil {
		fmt.Fprintf(a.stderr, "pdhost: %v\n", err)
	}
	writeStats(a.stdout, p)
	fmt.Fprintln(a.stdout)
	writePrediction(a.stdout, pred, model)
	checks, diffs := verdict(pred, obs)
	if !writeVerdict(a.stdout, checks, diffs) {
		return exitFail
	}
	return exitOK
}

// feed passes each sample event to its hook, listing them as it goes, and returns the
// hook errors. Events the plugin has no hook for are listed as skipped.
func (a *app) feed(p *hostloader.Loaded, sample []sampleEvent) []string {
	fmt.Fprintf(a.stdout, "\nFeeding %d StreamSpace events:\n", len(sample))
	tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
	var errs []string
	for i, e := range sample {
		note := e.Note
		err := deliver(p, e.Type, e.Data)
		if _, skipped := err.(*errNoHook); skipped {
			note = "skipped: " + err.Error()
		} else if err != nil {
			errs = append(errs, fmt.Sprintf("event %d (%s %s): hook error: %v", i+1,
				e.Type, e.ID, err))
			note = "hook error: " + err.Error()
		}
		fmt.Fprintf(tw, "  %2d\t%s\t%s\t%s\n", i+1, e.Type, e.ID, note)
	}
	_ = tw.Flush()
	return errs
}

// describeModel summarises a configuration on one line.
func describeModel(m modelConfig) string {
	var on []string
	for _, t := range alertTypes {
		if m.notify[t.eventType] {
			on = append(on, t.eventType+"="+m.severity[t.eventType])
		}
	}
	return fmt.Sprintf("alerts on %s; rateLimit %d per hour; autoResolve %t",
		strings.Join(on, " "), m.rateLimit, m.autoResolve)
}

// writePrediction explains the prediction in a few lines.
func writePrediction(w io.Writer, p *prediction, m modelConfig) {
	fmt.Fprintf(w, "Prediction from the config for the %d events fed:\n", p.fed)
	fmt.Fprintf(w, "  the rate limit lets the first %d alerts out: %d sent, %d dropped\n",
		m.rateLimit, p.triggers, p.rateLimited)
	if p.silent > 0 {
		fmt.Fprintf(w, "  %s nothing: type switched off, or no incident of the plugin's "+
			"to resolve\n", plural(p.silent, "event sends", "events send"))
	}
	if p.noHook > 0 {
		fmt.Fprintf(w, "  %s: the plugin has no hook for them\n",
			plural(p.noHook, "event skipped", "events skipped"))
	}
	for _, inc := range p.incidents {
		if inc.triggers > inc.opened {
			fmt.Fprintf(w, "  %s: %d triggers, one incident (dedup)\n", inc.key,
				inc.triggers)
		}
		if inc.status == pdreceiver.StatusResolved {
			fmt.Fprintf(w, "  %s: resolved\n", inc.key)
		}
	}
	fmt.Fprintf(w, "  %d incidents, %d open\n\n", len(p.incidents),
		len(p.incidents)-p.statusCount(pdreceiver.StatusResolved))
}

// plural renders n with the singular or plural phrase that follows it.
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
