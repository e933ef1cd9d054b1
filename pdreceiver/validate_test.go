package pdreceiver_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/streamspace/streamspace-pagerduty/pdreceiver"
)

// with returns a copy of ev with the top-level members in set replaced;
// a nil value deletes the member.
func with(ev obj, set obj) obj {
	out := obj{}
	for k, v := range ev {
		out[k] = v
	}
	for k, v := range set {
		if v == nil {
			delete(out, k)
			continue
		}
		out[k] = v
	}
	return out
}

// withPayload returns a copy of a trigger event whose payload members in
// set are replaced; a nil value deletes the member.
func withPayload(set obj) obj {
	ev := triggerEvent("k1", "disk full")
	return with(ev, obj{"payload": with(ev["payload"].(obj), set)})
}

func TestValidationRejectsWithPagerDutysErrors(t *testing.T) {
	const (
		keyLength   = "Length of 'routing_key' is incorrect (should be 32 characters)"
		badAction   = "'event_action' is invalid (should be one of trigger, acknowledge, resolve)"
		badSeverity = "'payload.severity' is invalid " +
			"(should be one of critical, error, warning, info)"
		badTimestamp = "'payload.timestamp' is invalid (should be an ISO 8601 timestamp)"
	)
	missing := func(field string) string { return "'" + field + "' is missing or blank" }
	wrongType := func(field string) string {
		return "'" + field + "' is invalid (should be a string)"
	}
	cases := []struct {
		name string
		body any // obj, or string for raw bytes
		want []string
	}{
		{"routing key of 31 characters", with(triggerEvent("k", "s"),
			obj{"routing_key": repeat("a", 31)}), []string{keyLength}},
		{"routing key of 33 characters", with(triggerEvent("k", "s"),
			obj{"routing_key": repeat("a", 33)}), []string{keyLength}},
		{"routing key counted in characters, not bytes", with(triggerEvent("k", "s"),
			obj{"routing_key": repeat("é", 31)}), []string{keyLength}},
		{"routing key missing", with(triggerEvent("k", "s"), obj{"routing_key": nil}),
			[]string{missing("routing_key")}},
		{"routing key blank", with(triggerEvent("k", "s"), obj{"routing_key": ""}),
			[]string{missing("routing_key")}},
		{"routing key not a string", with(triggerEvent("k", "s"), obj{"routing_key": 42}),
			[]string{wrongType("routing_key")}},
		{"event action missing", with(triggerEvent("k", "s"), obj{"event_action": nil}),
			[]string{missing("event_action")}},
		{"event action unknown", with(triggerEvent("k", "s"),
			obj{"event_action": "escalate"}), []string{badAction}},
		{"event action in capitals", with(triggerEvent("k", "s"),
			obj{"event_action": "TRIGGER"}), []string{badAction}},
		{"dedup key of 256 characters", triggerEvent(repeat("d", 256), "s"),
			[]string{"Length of 'dedup_key' is too long (should be at most 255 characters)"}},
		{"dedup key not a string", with(triggerEvent("k", "s"), obj{"dedup_key": 7}),
			[]string{wrongType("dedup_key")}},
		{"acknowledge without dedup key", with(followUp("acknowledge", "k"),
			obj{"dedup_key": nil}), []string{missing("dedup_key")}},
		{"resolve with blank dedup key", followUp("resolve", "   "),
			[]string{missing("dedup_key")}},
		{"resolve with a dedup key that is not a string", with(followUp("resolve", "k"),
			obj{"dedup_key": []int{1}}), []string{wrongType("dedup_key")}},
		{"trigger without payload", with(triggerEvent("k", "s"), obj{"payload": nil}),
			[]string{missing("payload")}},
		{"trigger with a payload that is not an object", with(triggerEvent("k", "s"),
			obj{"payload": "disk full"}), []string{"'payload' is invalid (should be an object)"}},
		{"summary missing", withPayload(obj{"summary": nil}),
			[]string{missing("payload.summary")}},
		{"summary blank", withPayload(obj{"summary": " \t "}),
			[]string{missing("payload.summary")}},
		{"summary not a string", withPayload(obj{"summary": 5}),
			[]string{wrongType("payload.summary")}},
		{"summary of 1025 characters", withPayload(obj{"summary": repeat("é", 1025)}),
			[]string{"Length of 'payload.summary' is too long " +
				"(should be at most 1024 characters)"}},
		{"source missing", withPayload(obj{"source": nil}), []string{missing("payload.source")}},
		{"source blank", withPayload(obj{"source": ""}), []string{missing("payload.source")}},
		{"severity missing", withPayload(obj{"severity": nil}),
			[]string{missing("payload.severity")}},
		{"severity unknown", withPayload(obj{"severity": "fatal"}), []string{badSeverity}},
		{"severity in capitals", withPayload(obj{"severity": "CRITICAL"}), []string{badSeverity}},
		{"timestamp not ISO 8601", withPayload(obj{"timestamp": "yesterday at noon"}),
			[]string{badTimestamp}},
		{"timestamp with an impossible date",
			withPayload(obj{"timestamp": "2025-02-30T10:00:00Z"}),
			[]string{badTimestamp}},
		{"timestamp as a number", withPayload(obj{"timestamp": 1700000000}),
			[]string{wrongType("payload.timestamp")}},
		{"component, group and class not strings", withPayload(obj{
			"component": 1, "group": true, "class": obj{"a": 1},
		}), []string{wrongType("payload.component"), wrongType("payload.group"),
			wrongType("payload.class")}},
		{"client and client_url not strings", with(triggerEvent("k", "s"),
			obj{"client": 1, "client_url": []string{"x"}}),
			[]string{wrongType("client"), wrongType("client_url")}},
		{"links not an array", with(triggerEvent("k", "s"), obj{"links": obj{"href": "x"}}),
			[]string{"'links' is invalid (should be an array of objects)"}},
		{"link not an object", with(triggerEvent("k", "s"), obj{"links": []any{"x"}}),
			[]string{"'links[0]' is invalid (should be an object)"}},
		{"link without href and with a numeric text", with(triggerEvent("k", "s"),
			obj{"links": []any{obj{"href": "https://a"}, obj{"text": 3}}}),
			[]string{missing("links[1].href"), wrongType("links[1].text")}},
		{"image without src and with a numeric alt", with(triggerEvent("k", "s"),
			obj{"images": []any{obj{"href": "https://a", "alt": 9}}}),
			[]string{missing("images[0].src"), wrongType("images[0].alt")}},
		{"acknowledge with a payload that is not an object", with(followUp("acknowledge", "k"),
			obj{"payload": []int{1}}), []string{"'payload' is invalid (should be an object)"}},
		{"resolve with a payload member of the wrong type", with(followUp("resolve", "k"),
			obj{"payload": obj{"summary": 5}}), []string{wrongType("payload.summary")}},
		{"every error of a bad event collected in order", obj{
			"routing_key": "short", "event_action": "trigger", "dedup_key": repeat("d", 300),
			"payload": obj{"summary": "", "severity": "loud", "timestamp": "never"},
			"client":  false,
		}, []string{keyLength,
			"Length of 'dedup_key' is too long (should be at most 255 characters)",
			missing("payload.summary"), missing("payload.source"), badSeverity, badTimestamp,
			wrongType("client")}},
		{"empty object", obj{}, []string{missing("routing_key"), missing("event_action")}},
		{"empty body", "", []string{"Event object is not valid JSON (the body is empty)"}},
		{"truncated JSON", `{"routing_key":"abc`,
			[]string{"Event object is not valid JSON (syntax error at byte offset 19)"}},
		{"JSON syntax error does not quote the body", `{"routing_key": R0utingKey}`,
			[]string{"Event object is not valid JSON (syntax error at byte offset 17)"}},
		{"JSON array", `[1,2]`, []string{"Event object is invalid (should be a JSON object)"}},
		{"JSON null", `null`, []string{"Event object is invalid (should be a JSON object)"}},
		{"invalid UTF-8 in a string", `{"routing_key":"` + "\xff" + `"}`,
			[]string{"Event object contains invalid UTF-8 (at byte offset 16)"}},
		{"unpaired high surrogate escape", `{"x":"ab\ud800"}`,
			[]string{"Event object contains an unpaired UTF-16 surrogate (at byte offset 8)"}},
		{"unpaired low surrogate escape", `{"x":"\udc00\ud83d\ude00"}`,
			[]string{"Event object contains an unpaired UTF-16 surrogate (at byte offset 6)"}},
		{"high surrogate followed by a non-surrogate escape", `{"x":"\ud83d\u0041"}`,
			[]string{"Event object contains an unpaired UTF-16 surrogate (at byte offset 6)"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			body := bodyOf(t, tc.body)
			rc := pdreceiver.New()
			rec := enqueue(t, rc, body)
			require.Equal(t, http.StatusBadRequest, rec.Code)
			assert.Equal(t, "application/json", rec.Header().Get("Content-Type"))
			got := decodeAnswer(t, rec.Body.Bytes())
			assert.Equal(t, answer{Status: "invalid event", Message: "Event object is invalid",
				Errors: tc.want}, got)
			rejected := rc.Rejected()
			require.Len(t, rejected, 1)
			assert.Equal(t, tc.want, rejected[0].Errors)
			assert.Equal(t, pdreceiver.OutcomeRejected, rejected[0].Outcome)
			assert.Equal(t, http.StatusBadRequest, rejected[0].Status)
			assert.Empty(t, rc.Accepted())
			assert.Empty(t, rc.Incidents())
		})
	}
}

func TestValidationRejectsOtherMethodsAndPaths(t *testing.T) {
	body := mustJSON(t, triggerEvent("k", "s"))
	cases := []struct {
		name, method, path string
		status             int
		allow              string
		want               answer
	}{
		{"GET is not allowed", http.MethodGet, "/v2/enqueue", http.StatusMethodNotAllowed, "POST",
			answer{Status: "invalid request", Message: "Method Not Allowed",
				Errors: []string{"Method GET is not allowed (should be POST)"}}},
		{"PUT is not allowed", http.MethodPut, "/v2/enqueue", http.StatusMethodNotAllowed, "POST",
			answer{Status: "invalid request", Message: "Method Not Allowed",
				Errors: []string{"Method PUT is not allowed (should be POST)"}}},
		{"change events are not served", http.MethodPost, "/v2/change/enqueue",
			http.StatusNotFound, "", answer{Status: "invalid request", Message: "Not Found",
				Errors: []string{`Path "/v2/change/enqueue" is not an Events API v2 endpoint ` +
					`(should be /v2/enqueue)`}}},
		{"root is not served", http.MethodPost, "/", http.StatusNotFound, "",
			answer{Status: "invalid request", Message: "Not Found",
				Errors: []string{`Path "/" is not an Events API v2 endpoint ` +
					`(should be /v2/enqueue)`}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rc := pdreceiver.New()
			rec := serve(t, rc, tc.method, tc.path, body)
			require.Equal(t, tc.status, rec.Code)
			assert.Equal(t, tc.allow, rec.Header().Get("Allow"))
			assert.Equal(t, tc.want, decodeAnswer(t, rec.Body.Bytes()))
			require.Len(t, rc.Rejected(), 1)
			assert.Equal(t, tc.method, rc.Rejected()[0].Method)
			assert.Equal(t, tc.path, rc.Rejected()[0].Path)
			assert.Empty(t, rc.Incidents())
		})
	}
}
