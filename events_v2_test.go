package main

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDedupKey(t *testing.T) {
	k := dedupKey(defaultSource, EventSessionHibernated, "john-firefox-abc123")
	assert.Equal(t, "streamspace/session.hibernated/john-firefox-abc123", k)
	assert.Equal(t, k, dedupKey(defaultSource, EventSessionHibernated, "john-firefox-abc123"),
		"the key is deterministic")
	assert.NotEqual(t, k, dedupKey(defaultSource, EventSessionCreated, "john-firefox-abc123"),
		"event types do not share incidents")

	long := strings.Repeat("x", 400)
	lk := dedupKey(defaultSource, EventSessionHibernated, long)
	assert.LessOrEqual(t, len(lk), maxDedupKeyLen)
	assert.Equal(t, lk, dedupKey(defaultSource, EventSessionHibernated, long))
	assert.NotEqual(t, lk, dedupKey(defaultSource, EventSessionHibernated, long+"y"))

	edge := strings.Repeat("x", maxDedupKeyLen-len("streamspace/session.hibernated/"))
	assert.Len(t, dedupKey(defaultSource, EventSessionHibernated, edge), maxDedupKeyLen)
}

func TestEncodeEventShrinksCustomDetailsFirst(t *testing.T) {
	ev := func() *v2Event {
		return &v2Event{RoutingKey: testKey, EventAction: actionTrigger, DedupKey: "k",
			Payload: &v2Payload{Summary: "s", Source: "StreamSpace", Severity: "info",
				CustomDetails: &customDetails{Event: "session.created", SessionID: "id-1",
					Template: strings.Repeat("t", 3000), Memory: strings.Repeat("m", 2000),
					CPU: "1"}}}
	}
	full, err := encodeEvent(ev(), maxEventBytes)
	require.NoError(t, err)
	assert.Contains(t, string(full), `"Template":"ttt`)

	// Just under the full size: only the largest field goes.
	e := ev()
	body, err := encodeEvent(e, len(full)-1)
	require.NoError(t, err)
	assert.LessOrEqual(t, len(body), len(full)-1)
	assert.Empty(t, e.Payload.CustomDetails.Template)
	assert.NotEmpty(t, e.Payload.CustomDetails.Memory)
	assert.Contains(t, e.Payload.CustomDetails.Note, "512 KB")
	assert.Equal(t, "id-1", e.Payload.CustomDetails.SessionID)

	// Too small even for the details: they are dropped, the trigger survives.
	e = ev()
	body, err = encodeEvent(e, 250)
	require.NoError(t, err)
	assert.LessOrEqual(t, len(body), 250)
	assert.Nil(t, e.Payload.CustomDetails)
	assert.Contains(t, string(body), `"summary":"s"`)

	// Too small for anything.
	_, err = encodeEvent(ev(), 20)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "over the 20-byte limit")
	assert.NotContains(t, err.Error(), testKey)
}

func TestEncodedEventShape(t *testing.T) {
	body, err := encodeEvent(&v2Event{RoutingKey: testKey, EventAction: actionTrigger,
		DedupKey: "k", Payload: &v2Payload{Summary: "s", Source: "StreamSpace",
			Severity: "warning", CustomDetails: &customDetails{Event: "session.hibernated",
				SessionID: "john-firefox-abc123", User: "john@example.com", Memory: "2Gi",
				CPU: "1000m"}}}, maxEventBytes)
	require.NoError(t, err)
	var got map[string]any
	require.NoError(t, json.Unmarshal(body, &got))
	details := got["payload"].(map[string]any)["custom_details"].(map[string]any)
	assert.Equal(t, map[string]any{"Event": "session.hibernated",
		"Session ID": "john-firefox-abc123", "User": "john@example.com", "Memory": "2Gi",
		"CPU": "1000m"}, details)
}

func TestTruncateRunes(t *testing.T) {
	s := strings.Repeat("日本", 600) // 1200 runes
	got := truncateRunes(s, maxSummaryRunes)
	assert.Equal(t, maxSummaryRunes, utf8.RuneCountInString(got))
	assert.True(t, utf8.ValidString(got))
	assert.Equal(t, "abc", truncateRunes("abc", 3))
	assert.Equal(t, "ab…", truncateRunes("abcd", 3))
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	cases := map[string]time.Duration{
		"":      0,
		"7":     7 * time.Second,
		" 120 ": 2 * time.Minute,
		"0":     0,
		"-3":    0,
		"soon":  0,
		now.Add(30 * time.Second).Format(http.TimeFormat): 30 * time.Second,
		now.Add(-time.Minute).Format(http.TimeFormat):     0,
		"999999999": 24 * time.Hour,
	}
	for h, want := range cases {
		assert.Equal(t, want, parseRetryAfter(h, now), "Retry-After %q", h)
	}
}

func TestRetryPolicyDelay(t *testing.T) {
	p := defaultRetryPolicy()
	p.jitter = func() float64 { return 0 }
	want := []time.Duration{1, 2, 4, 8, 16, 32, 60, 60, 60}
	for i, w := range want {
		assert.Equal(t, w*time.Second, p.delay(i+1, 0), "after attempt %d", i+1)
	}
	p.jitter = func() float64 { return 1 }
	assert.Equal(t, 800*time.Millisecond, p.delay(1, 0), "jitter takes off up to 20%")
	assert.Equal(t, 48*time.Second, p.delay(20, 0))
	assert.Equal(t, 90*time.Second, p.delay(1, 90*time.Second), "a longer Retry-After wins")
	assert.Equal(t, 800*time.Millisecond, p.delay(1, 100*time.Millisecond),
		"a shorter Retry-After does not shorten the backoff")

	// The default policy gives up within its window.
	p.jitter = func() float64 { return 0 }
	total := time.Duration(0)
	for a := 1; a < p.maxAttempts; a++ {
		total += p.delay(a, 0)
	}
	assert.Less(t, total, p.maxElapsed)
}

func TestSendErrorText(t *testing.T) {
	e := &sendError{Status: 400, Message: "Event object is invalid",
		Errors:    []string{"Length of 'routing_key' is incorrect (should be 32 characters)"},
		permanent: true}
	assert.Equal(t, "pagerduty: HTTP 400: Event object is invalid (Length of 'routing_key' "+
		"is incorrect (should be 32 characters))", e.Error())
	assert.False(t, e.Temporary())
	assert.True(t, (&sendError{Status: 429}).RateLimited())
	assert.True(t, (&sendError{Status: 503}).Temporary())
}

func TestRedirectHost(t *testing.T) {
	assert.Equal(t, "evil.example:8443", redirectHost("https://evil.example:8443/v2?x=1"))
	assert.Equal(t, "an unnamed location", redirectHost(""))
}
