package main

import (
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/streamspace/streamspace-pagerduty/pdreceiver"
)

// secretKey is a routing key that no other text in the tests resembles, so that any
// trace of it in the plugin's output is a leak.
const secretKey = "Zq9vXkW3mT7pLr2Ny8Hb4Jc6Gd1Fs5Qe"

// leakWindow is the shortest run of the key's characters that counts as a leak: half
// the key is enough to make guessing the rest feasible.
const leakWindow = 16

// findLeak returns how text betrays key, or "" if it does not: the key or any
// leakWindow characters of it in any case, or the key hex- or base64-encoded.
func findLeak(text, key string) string {
	lower := strings.ToLower(text)
	k := strings.ToLower(key)
	for i := 0; i+leakWindow <= len(k); i++ {
		if strings.Contains(lower, k[i:i+leakWindow]) {
			return fmt.Sprintf("characters %d to %d of the key", i+1, i+leakWindow)
		}
	}
	if strings.Contains(lower, hex.EncodeToString([]byte(key))) {
		return "the key in hex"
	}
	for pad := 0; pad < 3; pad++ {
		in := append([]byte(strings.Repeat("\x00", pad)), key...)
		// Keep only the characters that depend on nothing but the key's bytes.
		from, to := (8*pad+5)/6, 8*len(in)/6
		for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding} {
			if strings.Contains(text, enc.EncodeToString(in)[from:to]) {
				return "the key in base64"
			}
		}
	}
	return ""
}

func TestFindLeakSeesEveryForm(t *testing.T) {
	b64 := base64.StdEncoding.EncodeToString([]byte("ab" + secretKey))
	for _, text := range []string{"x" + secretKey + "y", strings.ToUpper(secretKey),
		"host " + strings.ToLower(secretKey[3:3+leakWindow]) + ".example.com",
		hex.EncodeToString([]byte(secretKey)), "data=" + b64,
		base64.URLEncoding.EncodeToString([]byte(secretKey))} {
		assert.NotEmpty(t, findLeak(text, secretKey), text)
	}
	assert.Empty(t, findLeak("[routing key] streamspace/session.hibernated/s-1 "+
		secretKey[:leakWindow-1], secretKey))
}

// leakSink gathers everything the plugin lets out in a scenario: log output, errors,
// panics and counters, each with a note saying where it came from.
type leakSink struct {
	mu    sync.Mutex
	texts []string
}

// add records texts seen in what.
func (s *leakSink) add(what string, texts ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, text := range texts {
		s.texts = append(s.texts, what+": "+text)
	}
}

// call runs a plugin method, recording its error and any panic it raised.
func (s *leakSink) call(what string, fn func() error) {
	defer func() {
		if r := recover(); r != nil {
			s.add(what+" panicked", fmt.Sprint(r))
		}
	}()
	if err := fn(); err != nil {
		s.add(what, err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err))
	}
}

// stats records a plugin's counters by name and value.
func (s *leakSink) stats(what string, p *PagerDutyPlugin) {
	s.add(what+" stats", fmt.Sprintf("%v", p.Stats()))
}

// check fails t for every gathered text that betrays the key.
func (s *leakSink) check(t *testing.T) {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	require.NotEmpty(t, s.texts, "the scenario let nothing out to check")
	for _, text := range s.texts {
		if how := findLeak(text, secretKey); how != "" {
			what, _, _ := strings.Cut(text, ": ")
			t.Errorf("%s leaks %s", what, how)
		}
	}
}

// loadSecret loads p with secretKey, kv and fast retries, logging at debug level.
func loadSecret(t *testing.T, p *PagerDutyPlugin, tweak func(*options), kv ...any) (
	*logCapture, error) {
	t.Helper()
	logger, logs := newCaptureLogger(slog.LevelDebug)
	cfg := map[string]any{"routingKey": secretKey}
	for i := 0; i < len(kv); i += 2 {
		cfg[kv[i].(string)] = kv[i+1]
	}
	o := defaultOptions()
	o.retry = fastFaultRetry()
	if tweak != nil {
		tweak(&o)
	}
	return logs, p.load(cfg, logger, o)
}

func TestRoutingKeyNeverLeaksUnderFaults(t *testing.T) {
	for _, fc := range faultCases() {
		t.Run(fc.name, func(t *testing.T) {
			t.Parallel()
			e := runFaultCase(t, fc, secretKey)
			sink := &leakSink{}
			sink.add("log", e.logs.all())
			for _, err := range e.errs {
				sink.add("error", err.Error())
			}
			sink.stats("plugin", e.p)
			sink.check(t)
		})
	}
}

func TestRoutingKeyNeverLeaksFromConfig(t *testing.T) {
	lower := strings.ToLower(secretKey)
	configs := [][]any{
		{"routingKey", secretKey + "x"},
		{"routingKey", secretKey[:31] + "-"},
		{"routingKey", " " + secretKey},
		{"routingKey", []any{secretKey}},
		{"routingKey", map[string]any{"key": secretKey}},
		{"region", secretKey},
		{"region", lower},
		{"source", "prod-" + secretKey},
		{"sessionHibernatedSeverity", lower},
		{"rateLimit", secretKey},
		{"autoResolve", "yes " + secretKey},
		{"eventsURL", "https://" + lower + ".example.com/v2/enqueue"},
		{"eventsURL", "https://example.com/v2/enqueue?key=" + secretKey},
		{"eventsURL", "http://example.com/" + secretKey},
		{"eventsURL", "ftp://" + secretKey},
		{"eventsURL", "https://user:" + secretKey + "@example.com/"},
		{"region", "eu", "eventsURL", "https://events.pagerduty.com/" + secretKey},
		{"streamspaceURL", "https://streamspace.example.com/" + secretKey},
		{secretKey, true},
		{"x" + lower, "a value"},
	}
	for _, kv := range configs {
		sink := &leakSink{}
		var p PagerDutyPlugin
		sink.call("OnLoad", func() error {
			logs, err := loadSecret(t, &p, nil, kv...)
			sink.add("log", logs.all())
			return err
		})
		sink.call("OnUnload", p.OnUnload)
		raw := map[string]any{"routingKey": secretKey}
		for i := 0; i < len(kv); i += 2 {
			raw[kv[i].(string)] = kv[i+1]
		}
		sink.call("ParseConfig", func() error {
			c, unknown, err := ParseConfig(raw)
			sink.add("unknown keys", unknown...)
			sink.add("parsed config", c.String())
			return err
		})
		t.Run(redactSecret(fmt.Sprint(kv[0]), secretKey), sink.check)
	}
}

func TestConfigPrintsWithoutRoutingKey(t *testing.T) {
	c, _, err := ParseConfig(map[string]any{"routingKey": secretKey,
		"notifyOnUserCreated": true, "source": "prod-eu-1"})
	require.NoError(t, err)
	sink := &leakSink{}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X"} {
		sink.add("Config "+verb, fmt.Sprintf(verb, c))
		sink.add("*Config "+verb, fmt.Sprintf(verb, &c))
	}
	logger, logs := newCaptureLogger(slog.LevelDebug)
	logger.Info("config", "value", c, "pointer", &c, "any", slog.AnyValue(c))
	sink.add("slog", logs.all())
	sink.check(t)
	assert.Contains(t, fmt.Sprintf("%#v", c), "prod-eu-1", "%#v still describes the config")
	assert.Contains(t, logs.json.String(), "prod-eu-1")
}

func TestRoutingKeyNeverLeaksFromBadPayloads(t *testing.T) {
	srv, err := pdreceiver.Start("")
	require.NoError(t, err)
	defer srv.Close()
	var p PagerDutyPlugin
	logs, err := loadSecret(t, &p, nil, "eventsURL", srv.URL(),
		"notifyOnSessionCreated", true, "notifyOnUserCreated", true)
	require.NoError(t, err)
	cyclic := map[string]any{"id": "loop"}
	cyclic["spec"] = cyclic
	var nilRow *apiSession
	sink := &leakSink{}
	for _, v := range []any{nil, 42, "s-1", []any{"s-1"}, map[string]any(nil), nilRow,
		cyclic, &hostile{ID: "h-1", Ch: make(chan int), Fn: func() {}},
		map[int]string{1: "x"}, map[string]any{"user": "no id"}} {
		for name, hook := range map[string]func(any) error{
			"OnSessionCreated": p.OnSessionCreated, "OnSessionHibernated": p.OnSessionHibernated,
			"OnSessionWoken": p.OnSessionWoken, "OnSessionDeleted": p.OnSessionDeleted,
			"OnUserCreated": p.OnUserCreated} {
			sink.call(fmt.Sprintf("%s(%T)", name, v), func() error { return hook(v) })
		}
	}
	sink.call("OnUnload", p.OnUnload)
	sink.add("log", logs.all())
	sink.stats("plugin", &p)
	sink.add("plugin after unload", fmt.Sprintf("%+v", &p), fmt.Sprintf("%#v", &p))
	sink.check(t)
}

// echoBody is an error answer that repeats the routing key back, in every case and cut
// where the plugin cuts long texts.
func echoBody() string {
	long := strings.Repeat("x", maxFieldRunes-leakWindow-4) + secretKey
	return fmt.Sprintf(`{"status":"invalid event","message":"routing key %s is unknown",`+
		`"errors":["%s","%s","%s","%s","key %s"]}`, secretKey, secretKey,
		strings.ToLower(secretKey), strings.ToUpper(secretKey), long, secretKey)
}

func TestRoutingKeyNeverLeaksWhenPagerDutyEchoesIt(t *testing.T) {
	srv, err := pdreceiver.Start("")
	require.NoError(t, err)
	defer srv.Close()
	hosts := []string{secretKey, strings.ToLower(secretKey),
		strings.Repeat("a", 100-leakWindow-4) + secretKey}
	faults := []pdreceiver.Fault{pdreceiver.Respond(503, echoBody()),
		pdreceiver.Respond(400, echoBody()),
		pdreceiver.Respond(429, echoBody()).WithRetryAfter("0")}
	for _, h := range hosts {
		faults = append(faults, pdreceiver.Redirect("https://"+h+".example.com/v2/enqueue?k="+
			secretKey))
	}
	require.NoError(t, srv.Script(faults...))

	var p PagerDutyPlugin
	logs, err := loadSecret(t, &p, func(o *options) { o.unloadDeadline = 200 * time.Millisecond },
		"eventsURL", srv.URL(), "autoResolve", true)
	require.NoError(t, err)
	sink := &leakSink{}
	for _, s := range sessionSteps("echo", 8) {
		sink.call("hook", func() error { return s.call(&p) })
	}
	(&harness{t: t, p: &p, srv: srv}).waitStat("failed", int64(1+len(hosts)))
	// PagerDuty now keeps failing with the echo until the unload gives up.
	require.NoError(t, srv.SetAlways(pdreceiver.Respond(500, echoBody())))
	sink.call("hook", func() error { return sessionSteps("late", 1)[0].call(&p) })
	sink.call("OnUnload", p.OnUnload)
	sink.add("log", logs.all())
	sink.stats("plugin", &p)
	sink.check(t)
	assert.Contains(t, logs.all(), "[routing key]", "the echo reached the log, scrubbed")
	assert.NotEmpty(t, logs.withMsg("events not delivered before unload"))
}
