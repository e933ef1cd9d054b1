package pdreceiver_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/streamspace/streamspace-pagerduty/pdreceiver"
)

// testKey is a well-formed routing key used by the tests.
const testKey = "R0utingKeyForTests0123456789abcd"

// hangBound only catches hangs; no test expects to come near it.
const hangBound = 20 * time.Second

// obj is a JSON object under construction.
type obj = map[string]any

// triggerEvent returns a valid trigger event with dedup key key ("" for
// none) and summary.
func triggerEvent(key, summary string) obj {
	ev := obj{
		"routing_key":  testKey,
		"event_action": "trigger",
		"payload": obj{
			"summary":  summary,
			"source":   "streamspace-api",
			"severity": "critical",
		},
	}
	if key != "" {
		ev["dedup_key"] = key
	}
	return ev
}

// followUp returns an acknowledge or resolve event for key.
func followUp(action, key string) obj {
	return obj{"routing_key": testKey, "event_action": action, "dedup_key": key}
}

// mustJSON marshals v.
func mustJSON(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return b
}

// bodyOf returns v itself when it is a string of raw bytes, or else v
// marshalled.
func bodyOf(t testing.TB, v any) []byte {
	t.Helper()
	if raw, ok := v.(string); ok {
		return []byte(raw)
	}
	return mustJSON(t, v)
}

// jsonReader returns a reader of v marshalled.
func jsonReader(t testing.TB, v any) io.Reader {
	t.Helper()
	return bytes.NewReader(mustJSON(t, v))
}

// serve runs one request through rc without a network and returns the
// recorded answer.
func serve(t testing.TB, rc http.Handler, method, path string,
	body []byte) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequestWithContext(t.Context(), method, path, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	rc.ServeHTTP(rec, req)
	return rec
}

// enqueue posts body to rc's enqueue path without a network.
func enqueue(t testing.TB, rc http.Handler, body []byte) *httptest.ResponseRecorder {
	t.Helper()
	return serve(t, rc, http.MethodPost, pdreceiver.EnqueuePath, body)
}

// answer is a decoded Events API v2 response body.
type answer struct {
	Status   string   `json:"status"`
	Message  string   `json:"message"`
	DedupKey string   `json:"dedup_key"`
	Errors   []string `json:"errors"`
}

// decodeAnswer decodes a response body strictly.
func decodeAnswer(t testing.TB, body []byte) answer {
	t.Helper()
	var a answer
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	require.NoError(t, dec.Decode(&a), "body: %s", body)
	return a
}

// startServer starts a receiver on loopback, closed when the test ends.
func startServer(t testing.TB, opts ...pdreceiver.Option) *pdreceiver.Server {
	t.Helper()
	srv, err := pdreceiver.Start("", opts...)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, srv.Close()) })
	return srv
}

// post sends body to url with client and returns the response and its
// body, or the client's error.
func post(ctx context.Context, client *http.Client, url string,
	body []byte) (*http.Response, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return nil, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	got, err := io.ReadAll(resp.Body)
	return resp, got, err
}

// mustPost posts body to url with a fresh client and requires an answer.
func mustPost(t testing.TB, url string, body []byte) (*http.Response, []byte) {
	t.Helper()
	resp, got, err := post(t.Context(), &http.Client{}, url, body)
	require.NoError(t, err)
	return resp, got
}

// result is the outcome of a post made in the background.
type result struct {
	resp *http.Response
	body []byte
	err  error
}

// postAsync posts body to url in the background and waits until rc holds
// the request in a stall.
func postAsync(ctx context.Context, t testing.TB, rc *pdreceiver.Receiver, url string,
	body []byte) <-chan result {
	t.Helper()
	done := make(chan result, 1)
	go func() {
		resp, got, err := post(ctx, &http.Client{}, url, body)
		done <- result{resp, got, err}
	}()
	require.NoError(t, rc.WaitFor(waitCtx(t), func(s pdreceiver.Snapshot) bool {
		return s.Stalled == 1
	}))
	return done
}

// requireSoleRequest requires that rc logged exactly one request, with
// the given fault, outcome and answered status, and holds no incident.
func requireSoleRequest(t testing.TB, rc *pdreceiver.Receiver, fault pdreceiver.FaultKind,
	outcome pdreceiver.Outcome, status int) pdreceiver.Request {
	t.Helper()
	reqs := rc.Requests()
	require.Len(t, reqs, 1)
	assert.Equal(t, fault, reqs[0].Fault)
	assert.Equal(t, outcome, reqs[0].Outcome)
	assert.Equal(t, status, reqs[0].Status)
	assert.Empty(t, rc.Incidents())
	return reqs[0]
}

// waitCtx returns a context that ends at the hang bound.
func waitCtx(t testing.TB) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), hangBound)
	t.Cleanup(cancel)
	return ctx
}

// stepClock is a clock that advances one second at every reading.
type stepClock struct {
	mu  sync.Mutex
	now time.Time
}

// newStepClock returns a stepClock whose first reading is 12:00:01 UTC.
func newStepClock() *stepClock {
	return &stepClock{now: time.Date(2025, 3, 4, 12, 0, 0, 0, time.UTC)}
}

// Now advances the clock by a second and returns it.
func (c *stepClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(time.Second)
	return c.now
}

// at returns the clock's n-th reading, counting from 1.
func at(n int) time.Time {
	return time.Date(2025, 3, 4, 12, 0, n, 0, time.UTC)
}

// repeat returns s repeated n times.
func repeat(s string, n int) string { return strings.Repeat(s, n) }
