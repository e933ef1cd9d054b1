package pdreceiver_test

import (
	"encoding/json"
	"net/http"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/streamspace/streamspace-pagerduty/pdreceiver"
)

// generatedKey is the form of a dedup key the receiver generates.
var generatedKey = regexp.MustCompile(`^[0-9a-f]{32}$`)

func TestValidEventsAreAcceptedWith202(t *testing.T) {
	full := with(triggerEvent("full-1", "CPU high on node-3"), obj{
		"client":     "StreamSpace",
		"client_url": "https://streamspace.example/sessions/42",
		"links":      []any{obj{"href": "https://a.example", "text": "session"}},
		"images": []any{obj{"src": "https://a.example/i.png", "href": "https://a.example",
			"alt": "graph"}},
		"payload": obj{
			"summary": "CPU high on node-3", "source": "node-3", "severity": "warning",
			"timestamp": "2015-07-17T08:42:58.315+0000", "component": "kubelet",
			"group": "workers", "class": "cpu", "custom_details": obj{"load": 0.75},
		},
	})
	cases := []struct {
		name    string
		body    any // obj, or string for raw bytes
		wantKey string
	}{
		{"minimal trigger with its own dedup key", triggerEvent("sess-1", "s"), "sess-1"},
		{"trigger with every optional field", full, "full-1"},
		{"acknowledge", followUp("acknowledge", "sess-1"), "sess-1"},
		{"resolve", followUp("resolve", "sess-1"), "sess-1"},
		{"dedup key of 255 characters", triggerEvent(repeat("é", 255), "s"), repeat("é", 255)},
		{"summary of 1024 characters", withPayload(obj{"summary": repeat("é", 1024)}), "k1"},
		{"unknown top-level members", with(triggerEvent("k", "s"),
			obj{"service_key": "x", "extra": []int{1}}), "k"},
		{"null optional members", with(triggerEvent("k", "s"),
			obj{"client": nil, "links": nil}), "k"},
		{"explicit nulls", `{"routing_key":"` + testKey + `","event_action":"resolve",` +
			`"dedup_key":"k","client":null,"images":null,"payload":null}`, "k"},
		{"custom details as an array", withPayload(obj{"custom_details": []int{1, 2}}), "k1"},
		{"custom details as a string", withPayload(obj{"custom_details": "text"}), "k1"},
		{"acknowledge ignoring payload values", with(followUp("acknowledge", "k"),
			obj{"payload": obj{"severity": "bogus"}}), "k"},
		{"surrogate pair escape", `{"routing_key":"` + testKey + `","event_action":"trigger",` +
			`"dedup_key":"k","payload":{"summary":"\ud83d\ude00","source":"s",` +
			`"severity":"info"}}`, "k"},
		{"escaped backslash before u", `{"routing_key":"` + testKey +
			`","event_action":"trigger","dedup_key":"k","payload":{"summary":"C:\\ud800",` +
			`"source":"s","severity":"info"}}`, "k"},
	}
	for _, ts := range []string{"2015-07-17T08:42:58Z", "2015-07-17T08:42:58.315-07:00",
		"2015-07-17 08:42:58Z", "2015-07-17T08:42:58+01", "2015-07-17T08:42:58",
		"2015-07-17"} {
		cases = append(cases, struct {
			name    string
			body    any
			wantKey string
		}{"timestamp " + ts, withPayload(obj{"timestamp": ts}), "k1"})
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			body := bodyOf(t, tc.body)
			rc := pdreceiver.New()
			rec := enqueue(t, rc, body)
			require.Equal(t, http.StatusAccepted, rec.Code, rec.Body.String())
			assert.Equal(t, answer{Status: "success", Message: "Event processed",
				DedupKey: tc.wantKey}, decodeAnswer(t, rec.Body.Bytes()))
			require.Len(t, rc.Accepted(), 1)
			assert.Empty(t, rc.Rejected())
			reqs := rc.Requests()
			require.Len(t, reqs, 1)
			assert.Equal(t, tc.wantKey, reqs[0].DedupKey)
			assert.Equal(t, body, reqs[0].Body)
		})
	}
}

func TestAcceptedEventKeepsEveryFieldAsSent(t *testing.T) {
	rc := pdreceiver.New()
	ev := with(triggerEvent("k", "disk full"), obj{
		"client": "StreamSpace", "client_url": "https://s.example",
		"links":  []any{obj{"href": "https://l.example", "text": "open"}},
		"images": []any{obj{"src": "https://i.example/x.png", "alt": "x"}},
		"payload": obj{"summary": "disk full", "source": "node-1", "severity": "error",
			"timestamp": "2025-01-02T03:04:05Z", "component": "disk", "group": "g",
			"class": "c", "custom_details": obj{"used": "99%"}},
	})
	require.Equal(t, http.StatusAccepted, enqueue(t, rc, mustJSON(t, ev)).Code)
	got := rc.Accepted()
	require.Len(t, got, 1)
	assert.Equal(t, pdreceiver.Event{
		RoutingKey: testKey, EventAction: "trigger", DedupKey: "k",
		Payload: &pdreceiver.Payload{Summary: "disk full", Source: "node-1",
			Severity: "error", Timestamp: "2025-01-02T03:04:05Z", Component: "disk",
			Group: "g", Class: "c", CustomDetails: json.RawMessage(`{"used":"99%"}`)},
		Client: "StreamSpace", ClientURL: "https://s.example",
		Links:  []pdreceiver.Link{{Href: "https://l.example", Text: "open"}},
		Images: []pdreceiver.Image{{Src: "https://i.example/x.png", Alt: "x"}},
	}, got[0])
}

func TestTriggerWithoutDedupKeyGetsAFreshGeneratedKey(t *testing.T) {
	cases := []struct {
		name string
		ev   obj
	}{
		{"dedup key absent", triggerEvent("", "s")},
		{"dedup key empty", with(triggerEvent("", "s"), obj{"dedup_key": ""})},
		{"dedup key blank", with(triggerEvent("", "s"), obj{"dedup_key": "  "})},
		{"dedup key null", with(triggerEvent("", "s"), obj{"dedup_key": json.RawMessage("null")})},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rc := pdreceiver.New()
			seen := map[string]bool{}
			for range 20 {
				rec := enqueue(t, rc, mustJSON(t, tc.ev))
				require.Equal(t, http.StatusAccepted, rec.Code)
				key := decodeAnswer(t, rec.Body.Bytes()).DedupKey
				require.Regexp(t, generatedKey, key)
				require.False(t, seen[key], "key %s generated twice", key)
				seen[key] = true
				inc, ok := rc.Incident(key)
				require.True(t, ok)
				assert.Equal(t, pdreceiver.StatusTriggered, inc.Status)
			}
			assert.Len(t, rc.Incidents(), 20)
			for _, r := range rc.Requests() {
				assert.True(t, seen[r.DedupKey], "the log files the request under its key")
				assert.NotEqual(t, r.DedupKey, r.Event.DedupKey,
					"the event keeps the dedup key as sent, not the generated one")
			}
		})
	}
}
