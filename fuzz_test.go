package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/streamspace/streamspace-pagerduty/pdreceiver"
)

// The fuzz targets run their seeds (testdata/fuzz/<Name>/ and the f.Add calls) on every
// `go test`; `make fuzz` runs each for FUZZTIME.

// ---- FuzzConfig ----

func FuzzConfig(f *testing.F) {
	f.Add([]byte(`{"routingKey":"` + testKey + `","rateLimit":20,"region":"eu"}`))
	f.Add([]byte(`{"routingKey":"` + testKey + `","source":"x` + testKey + `"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var raw map[string]any
		if json.Unmarshal(data, &raw) != nil || raw == nil {
			return // only objects are configurations
		}
		key, _ := raw["routingKey"].(string)
		if !isRoutingKey(key) {
			key = "" // an invalid key is not a secret the plugin holds
		}
		c, unknown, err := ParseConfig(raw)
		if err != nil {
			checkConfigError(t, err, key)
		} else {
			checkAcceptedConfig(t, raw, c)
			for _, u := range unknown {
				require.Negative(t, indexFold(u, key), "an unknown key name shows the key")
			}
		}

		// OnLoad agrees, and neither its error nor its log shows the key.
		var p PagerDutyPlugin
		logger, logs := newCaptureLogger(slog.LevelDebug)
		loadErr := p.load(raw, logger, defaultOptions())
		require.Equal(t, err == nil, loadErr == nil, "OnLoad and ParseConfig disagree: %v, %v",
			err, loadErr)
		require.NoError(t, p.OnUnload())
		require.Negative(t, indexFold(logs.all(), key), "the log shows the routing key")
	})
}

// isRoutingKey reports whether s is a key the plugin would accept: 32 ASCII letters or
// digits.
func isRoutingKey(s string) bool {
	return parseRoutingKey(s, new(string)) == nil
}

// checkConfigError asserts that a refused configuration's error starts with "config: ",
// names an accepted key, and does not show the routing key.
func checkConfigError(t *testing.T, err error, key string) {
	msg := err.Error()
	require.True(t, strings.HasPrefix(msg, "config: "), "error without prefix: %q", msg)
	named := false
	for _, k := range configKeys {
		named = named || strings.Contains(msg, k.name)
	}
	require.True(t, named, "error names no config key: %q", msg)
	require.Negative(t, indexFold(msg, key), "the error shows the routing key")
}

// checkAcceptedConfig asserts, independently of the parser, that an accepted
// configuration is valid and holds what raw asked for.
func checkAcceptedConfig(t *testing.T, raw map[string]any, c Config) {
	require.True(t, isRoutingKey(c.RoutingKey))
	require.True(t, c.RateLimit >= 1 && c.RateLimit <= 200, "rateLimit %d", c.RateLimit)
	for _, et := range eventTypes {
		require.Contains(t, severities, c.Severity[et])
	}
	require.Contains(t, []string{"us", "eu"}, c.Region)
	u, err := url.Parse(c.EventsURL)
	require.NoError(t, err)
	require.Nil(t, u.User)
	require.True(t, u.Scheme == "https" || u.Scheme == "http" && isLoopbackHost(u.Hostname()),
		"eventsURL %q", c.EventsURL)
	n := utf8.RuneCountInString(c.Source)
	require.True(t, n >= 1 && n <= 255 && utf8.ValidString(c.Source) &&
		strings.TrimSpace(c.Source) == c.Source, "source %q", c.Source)
	if c.StreamSpaceURL != "" {
		s, err := url.Parse(c.StreamSpaceURL)
		require.NoError(t, err)
		require.Equal(t, "https", s.Scheme)
		require.NotEmpty(t, s.Host)
	}
	for name, got := range map[string]bool{"autoResolve": c.AutoResolve,
		"includeDetails":            c.IncludeDetails,
		"notifyOnSessionHibernated": c.Notify[EventSessionHibernated],
		"resolveOnSessionWoken":     c.ResolveOn[EventSessionWoken]} {
		if want, ok := raw[name].(bool); ok {
			require.Equal(t, want, got, name)
		}
	}
	if n, ok := raw["rateLimit"].(float64); ok {
		require.EqualValues(t, n, c.RateLimit)
	}
}

// ---- FuzzSessionPayload and FuzzUserPayload ----

func FuzzSessionPayload(f *testing.F) {
	for shape := range byte(shapeCount) {
		f.Add([]byte("john-firefox-abc123\x00john@example.com\x00firefox\x002Gi\x001000m"),
			shape)
	}
	f.Fuzz(func(t *testing.T, data []byte, shape byte) {
		fuzzHooks(t, buildShape(data, shape, sessionFieldNames), shape)
	})
}

func FuzzUserPayload(f *testing.F) {
	for shape := range byte(shapeCount) {
		f.Add([]byte("u-7\x00ann\x00ann@example.com\x00Ann Lee\x00enterprise"), shape)
	}
	f.Fuzz(func(t *testing.T, data []byte, shape byte) {
		fuzzHooks(t, buildShape(data, shape, userFieldNames), shape)
	})
}

// Field names the generated shapes fill, in the order of the parts of the fuzz bytes.
var (
	sessionFieldNames = []string{"id", "user", "template", "memory", "cpu", "state"}
	userFieldNames    = []string{"id", "username", "email", "fullName", "tier", "name"}
)

// shapeCount is how many kinds of value buildShape makes; bit 3 of the shape byte
// switches autoResolve on.
const shapeCount = 8

// buildShape turns fuzz bytes into a hook argument of the kind shape selects: decoded
// JSON, a flat map, nested pointers, cycles, a struct with channels and functions, huge
// strings, deep nesting, or a struct type with fuzz-chosen JSON tags. The bytes are
// split at NUL into the values of names, invalid UTF-8 and all.
func buildShape(data []byte, shape byte, names []string) any {
	parts := strings.SplitN(string(data), "\x00", len(names)+1)
	flat := map[string]any{}
	for i, p := range parts {
		if i < len(names) {
			flat[names[i]] = p
		}
	}
	switch shape % shapeCount {
	case 0:
		var v any
		if json.Unmarshal(data, &v) == nil {
			return v
		}
		return flat
	case 1:
		flat["resources"] = map[string]any{"memory": flat["memory"], "cpu": flat["cpu"]}
		return map[string]any{"metadata": map[string]any{"name": parts[0]}, "spec": flat,
			"status": map[string]any{"phase": flat["state"]}}
	case 2:
		var v any = flat
		for i := 0; i < len(data)%(2*maxDerefs+2); i++ {
			p := v
			v = &p
		}
		return v
	case 3:
		flat["spec"] = flat
		self := &fuzzNode{ID: parts[0], Extra: flat}
		self.Next = self
		var iface any
		iface = &iface
		flat["metadata"] = iface
		return &fuzzNode{Next: self, Extra: map[string]any{"spec": self}}
	case 4:
		return &hostile{ID: parts[0], Ch: make(chan int), Fn: func() {},
			Self: &hostile{ID: parts[len(parts)-1]}}
	case 5:
		huge := strings.Repeat(string(data)+"\xff", 1+(8<<10)/(len(data)+1))
		for _, n := range names {
			flat[n] = huge
		}
		return flat
	case 6:
		var v any = flat
		for i := 0; i < 200+len(data); i++ {
			if i%2 == 0 {
				v = map[string]any{"spec": v, "resources": []any{v}}
			} else {
				v = map[string]any{"metadata": v}
			}
		}
		return v
	}
	return taggedStruct(parts, names)
}

// fuzzNode is a struct that can point back at itself.
type fuzzNode struct {
	ID    string
	Next  *fuzzNode
	Extra map[string]any
}

// taggedStruct builds a value of a struct type made at run time whose JSON tags are the
// fuzz parts, holding the field names' values, so that tag matching sees any tag.
func taggedStruct(parts, names []string) any {
	var fields []reflect.StructField
	for i, n := range names {
		tag := n
		if i < len(parts) {
			tag = parts[i]
		}
		fields = append(fields, reflect.StructField{Name: fmt.Sprintf("F%d", i),
			Type: reflect.TypeFor[string](), Tag: reflect.StructTag(`json:` +
				fmt.Sprintf("%q", tag))})
	}
	v := reflect.New(reflect.StructOf(fields))
	for i, n := range names {
		v.Elem().Field(i).SetString(n + "-" + fmt.Sprint(len(parts)))
	}
	return v.Interface()
}

// inProcess delivers requests straight to a strict stand-in's handler, without a
// network, so that a fuzz run can check every event the plugin builds.
type inProcess struct{ rc *pdreceiver.Receiver }

func (ip inProcess) RoundTrip(req *http.Request) (*http.Response, error) {
	defer req.Body.Close()
	rec := httptest.NewRecorder()
	ip.rc.ServeHTTP(rec, req)
	return rec.Result(), nil
}

// fuzzHooks passes v to every hook of a freshly loaded plugin, which must neither
// panic nor block, and checks every event it sent against the strict stand-in.
func fuzzHooks(t *testing.T, v any, shape byte) {
	rc := pdreceiver.New(pdreceiver.WithLogBodyLimit(pdreceiver.MaxBodyBytes + 1))
	var p PagerDutyPlugin
	logger, logs := newCaptureLogger(slog.LevelDebug)
	o := defaultOptions()
	o.unloadDeadline = 5 * time.Second
	require.NoError(t, p.load(withKey("eventsURL", "http://127.0.0.1:9/v2/enqueue",
		"notifyOnSessionCreated", true, "notifyOnUserCreated", true, "rateLimit", 200,
		"autoResolve", shape&shapeCount != 0, "source", "fuzz-cluster",
		"streamspaceURL", "https://streamspace.example.com"), logger, o))
	p.state().active.delivery.client.http.Transport = inProcess{rc}

	type result struct {
		errs  []error
		panic any
	}
	done := make(chan result, 1)
	go func() {
		var r result
		defer func() {
			r.panic = recover()
			done <- r
		}()
		for _, hook := range []func(any) error{p.OnSessionCreated, p.OnSessionHibernated,
			p.OnUserCreated, p.OnSessionWoken, p.OnSessionDeleted} {
			r.errs = append(r.errs, hook(v))
		}
		r.errs = append(r.errs, p.OnUnload())
	}()
	var r result
	select {
	case r = <-done:
	case <-time.After(hangBound):
		t.Fatalf("hooks or unload blocked on a %T", v)
	}
	require.Nil(t, r.panic, "a hook panicked")
	failed := 0
	for _, err := range r.errs {
		var in *inputError
		if err != nil {
			require.True(t, errors.As(err, &in), "unexpected error: %v", err)
			failed++
		}
	}
	st := p.Stats()
	require.EqualValues(t, failed, st["invalid_input"])
	require.Zero(t, st["failed"]+st["undelivered_at_unload"], "events lost: %v", st)
	checkBuiltEvents(t, rc)
	if failed == 0 {
		require.GreaterOrEqual(t, int64(len(rc.Requests())), int64(3), "triggers missing")
	}
	require.Negative(t, indexFold(logs.all(), testKey))
}

// checkBuiltEvents asserts that the stand-in accepted every event, and that each is
// within PagerDuty's limits.
func checkBuiltEvents(t *testing.T, rc *pdreceiver.Receiver) {
	require.Empty(t, rc.Rejected(), "the strict stand-in rejected an event")
	for _, r := range rc.Requests() {
		require.Equal(t, http.StatusAccepted, r.Status, "request %s", r)
		require.LessOrEqual(t, r.BodySize, maxEventBytes)
		require.True(t, utf8.Valid(r.Body), "a body is not valid UTF-8")
		require.NotNil(t, r.Event)
		require.LessOrEqual(t, utf8.RuneCountInString(r.Event.DedupKey), maxDedupKeyLen)
		if r.Event.Payload != nil {
			assert.LessOrEqual(t, utf8.RuneCountInString(r.Event.Payload.Summary),
				maxSummaryRunes)
		}
	}
}
