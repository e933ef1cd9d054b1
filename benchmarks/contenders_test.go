package benchmarks

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	pagerduty "github.com/PagerDuty/go-pagerduty"
	"github.com/stretchr/testify/require"

	"github.com/streamspace/streamspace-pagerduty/pdreceiver"
)

// contender is one way for a host's hook to alert PagerDuty, as the comparison runs it.
type contender struct {
	name  string
	start func(tb testing.TB, url string) *sender
}

// sender is a started contender.
type sender struct {
	// hook is what the host's OnSessionHibernated does.
	hook func(session any) error
	// settle waits until the event of the last hook call was accepted and the answer
	// read; it is nil for senders whose hook returns only then.
	settle func(tb testing.TB)
	// perLoad is how many hook calls one load allows before reload; 0 means no limit.
	perLoad int
	// reload starts a fresh load, untimed, after checking the last one delivered all.
	reload func(tb testing.TB)
	// stop ends the sender and checks it delivered everything.
	stop func(tb testing.TB)
}

// contenders lists the plugin (through plugin.Open), go-pagerduty's
// Client.ManageEventWithContext and a naive http.Post, each called in the hook.
func contenders() []contender {
	return []contender{
		{"plugin", startPlugin},
		{"go-pagerduty", startGoPagerDuty},
		{"naive-post", startNaive},
	}
}

// sequentialContenders adds go-pagerduty behind a worker goroutine to the contenders, for
// the sequential-send comparison only: its hook would otherwise only fill a channel.
func sequentialContenders() []contender {
	return append(contenders(), contender{"go-pagerduty-worker", startGoPagerDutyWorker})
}

// startPlugin loads the .so against url. Loads allow maxRateLimit events, so reload
// unloads (which delivers the queue), checks every event was accepted and loads again.
func startPlugin(tb testing.TB, url string) *sender {
	pd := openPlugin(tb)
	logger, waiter := newAcceptLog()
	cfg := pluginConfig(url, maxRateLimit)
	hooked := 0
	unload := func(tb testing.TB) {
		require.NoError(tb, pd.OnUnload())
		stats := pd.Stats()
		require.EqualValues(tb, hooked, stats["sent"], "stats: %v", stats)
		for len(waiter.accepted) > 0 {
			<-waiter.accepted
		}
		hooked = 0
	}
	require.NoError(tb, pd.OnLoad(cfg, logger))
	return &sender{
		hook: func(s any) error {
			hooked++
			return pd.OnSessionHibernated(s)
		},
		settle:  func(tb testing.TB) { waiter.next(tb) },
		perLoad: maxRateLimit,
		reload: func(tb testing.TB) {
			unload(tb)
			require.NoError(tb, pd.OnLoad(cfg, logger))
		},
		stop: unload,
	}
}

// startGoPagerDuty sends through go-pagerduty's client, pointed at url, inside the hook.
func startGoPagerDuty(tb testing.TB, url string) *sender {
	client := newGoPagerDutyClient(url)
	return &sender{
		hook: func(s any) error {
			_, err := client.ManageEventWithContext(context.Background(), toV2Event(s))
			return err
		},
		reload: func(testing.TB) {},
		stop:   func(testing.TB) {},
	}
}

// startGoPagerDutyWorker hands each event to one goroutine that sends it through
// go-pagerduty, the way the plugin hands events to its workers. It isolates what that
// hand-off costs a sequential send from what the HTTP client costs.
func startGoPagerDutyWorker(tb testing.TB, url string) *sender {
	client := newGoPagerDutyClient(url)
	events := make(chan *pagerduty.V2Event, maxRateLimit)
	results := make(chan error, maxRateLimit)
	go func() {
		for ev := range events {
			_, err := client.ManageEventWithContext(context.Background(), ev)
			results <- err
		}
		close(results)
	}()
	timer := time.NewTimer(hangBound)
	return &sender{
		hook: func(s any) error {
			events <- toV2Event(s)
			return nil
		},
		settle: func(tb testing.TB) {
			timer.Reset(hangBound)
			select {
			case err := <-results:
				require.NoError(tb, err)
			case <-timer.C:
				tb.Fatalf("go-pagerduty worker sent nothing within %s", hangBound)
			}
		},
		reload: func(testing.TB) {},
		stop: func(tb testing.TB) {
			close(events)
			for err := range results {
				require.NoError(tb, err)
			}
		},
	}
}

// newGoPagerDutyClient returns a go-pagerduty client whose Events API v2 calls go to url.
func newGoPagerDutyClient(url string) *pagerduty.Client {
	return pagerduty.NewClient("",
		pagerduty.WithV2EventsAPIEndpoint(strings.TrimSuffix(url, pdreceiver.EnqueuePath)))
}

// toV2Event builds the trigger for a session map as go-pagerduty's type.
func toV2Event(s any) *pagerduty.V2Event {
	ev := newSimpleEvent(s)
	p := ev.Payload
	return &pagerduty.V2Event{RoutingKey: ev.RoutingKey, Action: ev.EventAction,
		DedupKey: ev.DedupKey,
		Payload: &pagerduty.V2Payload{Summary: p.Summary, Source: p.Source,
			Severity: p.Severity, Timestamp: p.Timestamp, Component: p.Component,
			Group: p.Group, Class: p.Class, Details: p.CustomDetails},
	}
}

// startNaive posts each event with http.Post inside the hook and waits for the answer.
func startNaive(tb testing.TB, url string) *sender {
	return &sender{
		hook:   func(s any) error { return postJSON(url, newSimpleEvent(s)) },
		reload: func(testing.TB) {},
		stop:   func(testing.TB) {},
	}
}

// postJSON posts v as JSON with http.Post and expects 202.
func postJSON(url string, v any) error {
	body, err := json.Marshal(v)
	if err != nil {
		return err
	}
	resp, err := http.Post(url, "application/json", bytes.NewReader(body))
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	if resp.StatusCode != http.StatusAccepted {
		return fmt.Errorf("naive sender: HTTP %d", resp.StatusCode)
	}
	return nil
}

// simpleEvent is the Events API v2 trigger a straightforward hook builds: the same fields
// the plugin sends, read from a session map with type assertions.
type simpleEvent struct {
	RoutingKey  string         `json:"routing_key"`
	EventAction string         `json:"event_action"`
	DedupKey    string         `json:"dedup_key"`
	Payload     *simplePayload `json:"payload"`
}

// simplePayload is the payload of a simpleEvent.
type simplePayload struct {
	Summary       string         `json:"summary"`
	Source        string         `json:"source"`
	Severity      string         `json:"severity"`
	Timestamp     string         `json:"timestamp"`
	Component     string         `json:"component"`
	Group         string         `json:"group"`
	Class         string         `json:"class"`
	CustomDetails *simpleDetails `json:"custom_details"`
}

// simpleDetails are the custom details of a simpleEvent.
type simpleDetails struct {
	Event     string `json:"Event"`
	SessionID string `json:"Session ID"`
	User      string `json:"User"`
	Template  string `json:"Template"`
	Memory    string `json:"Memory"`
	CPU       string `json:"CPU"`
}

// newSimpleEvent builds the trigger for a session map.
func newSimpleEvent(s any) *simpleEvent {
	m, _ := s.(map[string]any)
	str := func(m map[string]any, k string) string { v, _ := m[k].(string); return v }
	res, _ := m["resources"].(map[string]any)
	d := &simpleDetails{Event: "session.hibernated", SessionID: str(m, "id"),
		User: str(m, "user"), Template: str(m, "template"), Memory: str(res, "memory"),
		CPU: str(res, "cpu")}
	return &simpleEvent{
		RoutingKey: routingKey, EventAction: "trigger",
		DedupKey: "streamspace/session.hibernated/" + d.SessionID,
		Payload: &simplePayload{
			Summary: "StreamSpace Session Hibernated: " + d.SessionID + " (user " + d.User +
				", template " + d.Template + ")",
			Source: "StreamSpace", Severity: "warning",
			Timestamp: time.Now().UTC().Format("2006-01-02T15:04:05.000Z07:00"),
			Component: "sessions", Group: d.Template, Class: "session.hibernated",
			CustomDetails: d,
		},
	}
}
