package main

import (
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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
