package pdreceiver_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/streamspace/streamspace-pagerduty/pdreceiver"
)

func TestStatusFaultsAnswerAsScriptedWithoutChangingIncidents(t *testing.T) {
	const invalidBody = `{"status":"invalid event","message":"Event object is invalid",` +
		`"errors":["x"]}`
	cases := []struct {
		name       string
		fault      pdreceiver.Fault
		status     int
		retryAfter string
		body       string
	}{
		{"bad request with PagerDuty's body", pdreceiver.Respond(400, invalidBody), 400, "",
			invalidBody},
		{"throttled with Retry-After", pdreceiver.Throttle("30"), 429, "30", ""},
		{"throttled without Retry-After", pdreceiver.Throttle(""), 429, "", ""},
		{"internal error", pdreceiver.Respond(500, ""), 500, "", ""},
		{"bad gateway", pdreceiver.Respond(502, "<html>bad gateway</html>"), 502, "",
			"<html>bad gateway</html>"},
		{"unavailable with Retry-After", pdreceiver.Respond(503, `{"x":1}`).WithRetryAfter("5"),
			503, "5", `{"x":1}`},
		{"gateway timeout", pdreceiver.Respond(504, ""), 504, "", ""},
		{"scripted 202 is still a fault", pdreceiver.Respond(202, `{"status":"success"}`),
			202, "", `{"status":"success"}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := startServer(t)
			require.NoError(t, srv.Script(tc.fault))
			event := mustJSON(t, triggerEvent("k", "disk full"))

			resp, body := mustPost(t, srv.URL(), event)
			assert.Equal(t, tc.status, resp.StatusCode)
			assert.Equal(t, tc.retryAfter, resp.Header.Get("Retry-After"))
			assert.Equal(t, tc.body, string(body))
			_, ok := srv.Incident("k")
			assert.False(t, ok, "a faulted request must not change incidents")

			resp, _ = mustPost(t, srv.URL(), event)
			assert.Equal(t, http.StatusAccepted, resp.StatusCode, "the script is used up")
			reqs := srv.Requests()
			require.Len(t, reqs, 2)
			assert.Equal(t, pdreceiver.FaultStatus, reqs[0].Fault)
			assert.Equal(t, pdreceiver.OutcomeFaulted, reqs[0].Outcome)
			assert.Equal(t, tc.status, reqs[0].Status)
			require.NotNil(t, reqs[0].Event, "a faulted request still logs the parsed event")
			assert.Equal(t, "disk full", reqs[0].Event.Payload.Summary)
			assert.Equal(t, pdreceiver.OutcomeOpened, reqs[1].Outcome)
			assert.Len(t, srv.Accepted(), 1)
			inc, ok := srv.Incident("k")
			require.True(t, ok)
			assert.Equal(t, 1, inc.Events)
		})
	}
}

func TestScriptedFaultsAreUsedInOrderBeforeTheStandingFault(t *testing.T) {
	srv := startServer(t)
	require.NoError(t, srv.SetAlways(pdreceiver.Respond(503, "")))
	require.NoError(t, srv.Script(pdreceiver.Throttle("1"), pdreceiver.Respond(500, "")))
	assert.Equal(t, 2, srv.Snapshot().Scripted)
	event := mustJSON(t, triggerEvent("k", "s"))
	var got []int
	for range 4 {
		resp, _ := mustPost(t, srv.URL(), event)
		got = append(got, resp.StatusCode)
	}
	assert.Equal(t, []int{429, 500, 503, 503}, got)
	assert.Equal(t, 0, srv.Snapshot().Scripted)
	srv.ClearFaults()
	resp, _ := mustPost(t, srv.URL(), event)
	assert.Equal(t, http.StatusAccepted, resp.StatusCode)
	assert.Equal(t, 4, srv.Snapshot().Faulted)
	assert.Equal(t, 1, srv.Snapshot().Accepted)
}

func TestClearFaultsDropsUnusedScript(t *testing.T) {
	srv := startServer(t)
	require.NoError(t, srv.Script(pdreceiver.Respond(500, ""), pdreceiver.Respond(500, "")))
	srv.ClearFaults()
	resp, _ := mustPost(t, srv.URL(), mustJSON(t, triggerEvent("k", "s")))
	assert.Equal(t, http.StatusAccepted, resp.StatusCode)
}

func TestInvalidFaultsAreRefusedAndNothingIsQueued(t *testing.T) {
	cases := []struct {
		name  string
		fault pdreceiver.Fault
		want  string
	}{
		{"status below 200", pdreceiver.Respond(42, ""),
			"pdreceiver: fault status 42 is invalid (should be 200 to 599)"},
		{"status above 599", pdreceiver.Respond(600, ""),
			"pdreceiver: fault status 600 is invalid (should be 200 to 599)"},
		{"negative huge body", pdreceiver.HugeBody(-1), "pdreceiver: huge-body size -1 is " +
			"invalid (should be 0 for the default or positive)"},
		{"relative redirect", pdreceiver.Redirect("/v2/enqueue"), `pdreceiver: redirect ` +
			`location "/v2/enqueue" is invalid (should be an absolute http or https URL)`},
		{"redirect to ftp", pdreceiver.Redirect("ftp://x/y"), `pdreceiver: redirect ` +
			`location "ftp://x/y" is invalid (should be an absolute http or https URL)`},
		{"zero fault", pdreceiver.Fault{}, "pdreceiver: fault kind 0 is unknown (should be " +
			"one of status, stall, hang-up, malformed, huge-body, redirect)"},
		{"unknown kind", pdreceiver.Fault{Kind: 99}, "pdreceiver: fault kind 99 is unknown " +
			"(should be one of status, stall, hang-up, malformed, huge-body, redirect)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rc := pdreceiver.New()
			err := rc.Script(pdreceiver.HangUp(), tc.fault)
			require.EqualError(t, err, "pdreceiver: script fault 1: "+tc.want)
			require.EqualError(t, rc.SetAlways(tc.fault), tc.want)
			assert.Equal(t, 0, rc.Snapshot().Scripted)
			rec := enqueue(t, rc, mustJSON(t, triggerEvent("k", "s")))
			assert.Equal(t, http.StatusAccepted, rec.Code, "no fault was installed")
		})
	}
}

func TestStallHoldsTheRequestUntilTheClientTimesOut(t *testing.T) {
	srv := startServer(t)
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	require.NoError(t, srv.Script(pdreceiver.Stall(release)))

	client := &http.Client{Timeout: 50 * time.Millisecond}
	_, _, err := post(t.Context(), client, srv.URL(), mustJSON(t, triggerEvent("k", "s")))
	var netErr net.Error
	require.ErrorAs(t, err, &netErr)
	assert.True(t, netErr.Timeout(), "the client gave up on its timeout: %v", err)

	require.NoError(t, srv.WaitFor(waitCtx(t), func(s pdreceiver.Snapshot) bool {
		return s.Unanswered == 1 && s.InFlight == 0
	}))
	requireSoleRequest(t, srv.Receiver, pdreceiver.FaultStall, pdreceiver.OutcomeUnanswered, 0)
}

func TestStallEndsWhenTheClientCancels(t *testing.T) {
	srv := startServer(t)
	require.NoError(t, srv.Script(pdreceiver.Stall(nil)))
	ctx, cancel := context.WithCancel(t.Context())
	done := postAsync(ctx, t, srv.Receiver, srv.URL(), mustJSON(t, triggerEvent("k", "s")))
	cancel()
	require.ErrorIs(t, (<-done).err, context.Canceled)
	require.NoError(t, srv.WaitFor(waitCtx(t), func(s pdreceiver.Snapshot) bool {
		return s.Unanswered == 1 && s.Stalled == 0
	}))
}

func TestReleasedStallIsHandledNormally(t *testing.T) {
	srv := startServer(t)
	release := make(chan struct{})
	require.NoError(t, srv.Script(pdreceiver.Stall(release)))
	done := postAsync(t.Context(), t, srv.Receiver, srv.URL(),
		mustJSON(t, triggerEvent("k", "s")))
	assert.Empty(t, srv.Incidents(), "nothing is applied while stalled")
	close(release)
	r := <-done
	require.NoError(t, r.err)
	assert.Equal(t, http.StatusAccepted, r.resp.StatusCode)
	assert.Equal(t, "k", decodeAnswer(t, r.body).DedupKey)
	reqs := srv.Requests()
	require.Len(t, reqs, 1)
	assert.Equal(t, pdreceiver.FaultStall, reqs[0].Fault)
	assert.Equal(t, pdreceiver.OutcomeOpened, reqs[0].Outcome)
	_, ok := srv.Incident("k")
	assert.True(t, ok)
}

func TestServerCloseEndsStalls(t *testing.T) {
	srv, err := pdreceiver.Start("")
	require.NoError(t, err)
	require.NoError(t, srv.SetAlways(pdreceiver.Stall(nil)))
	done := postAsync(t.Context(), t, srv.Receiver, srv.URL(),
		mustJSON(t, triggerEvent("k", "s")))
	require.NoError(t, srv.Close())
	assert.Error(t, (<-done).err, "the stalled client gets no answer")
	assert.Equal(t, 1, srv.Snapshot().Unanswered)
	assert.Equal(t, 0, srv.Snapshot().InFlight)
}

func TestStallEndedByReceiverCloseAnswersNothing(t *testing.T) {
	srv := startServer(t)
	require.NoError(t, srv.SetAlways(pdreceiver.Stall(nil)))
	done := postAsync(t.Context(), t, srv.Receiver, srv.URL(),
		mustJSON(t, triggerEvent("k", "s")))
	srv.Receiver.Close()
	r := <-done
	require.Error(t, r.err, "no implicit 200 may stand in for the missing answer")
	assert.Nil(t, r.resp)
	requireSoleRequest(t, srv.Receiver, pdreceiver.FaultStall, pdreceiver.OutcomeUnanswered, 0)

	_, _, err := post(t.Context(), &http.Client{}, srv.URL(), mustJSON(t, triggerEvent("k", "s")))
	require.Error(t, err, "a stall after Close ends at once, unanswered")
	assert.Equal(t, 2, srv.Snapshot().Unanswered)
}

func TestHangUpClosesTheConnectionWithoutAnswer(t *testing.T) {
	srv := startServer(t)
	require.NoError(t, srv.Script(pdreceiver.HangUp()))
	client := &http.Client{}
	resp, _, err := post(t.Context(), client, srv.URL(), mustJSON(t, triggerEvent("k", "s")))
	require.Error(t, err)
	assert.Nil(t, resp)
	assert.False(t, errors.Is(err, context.DeadlineExceeded), "not a timeout: %v", err)

	requireSoleRequest(t, srv.Receiver, pdreceiver.FaultHangUp, pdreceiver.OutcomeFaulted, 0)

	resp, _, err = post(t.Context(), client, srv.URL(), mustJSON(t, triggerEvent("k", "s")))
	require.NoError(t, err, "the next request is served on a new connection")
	assert.Equal(t, http.StatusAccepted, resp.StatusCode)
}

func TestHangUpWithoutAConnectionAnswers500(t *testing.T) {
	rc := pdreceiver.New()
	require.NoError(t, rc.Script(pdreceiver.HangUp()))
	rec := enqueue(t, rc, mustJSON(t, triggerEvent("k", "s")))
	require.Equal(t, http.StatusInternalServerError, rec.Code)
	got := decodeAnswer(t, rec.Body.Bytes())
	require.Len(t, got.Errors, 1)
	assert.Contains(t, got.Errors[0], "pdreceiver: hang-up fault needs a hijackable connection")
	assert.Empty(t, rc.Incidents())
}

func TestMalformedFaultAnswers202WithBrokenJSON(t *testing.T) {
	srv := startServer(t)
	require.NoError(t, srv.Script(pdreceiver.Malformed()))
	resp, body := mustPost(t, srv.URL(), mustJSON(t, triggerEvent("k", "s")))
	assert.Equal(t, http.StatusAccepted, resp.StatusCode)
	assert.Equal(t, "application/json", resp.Header.Get("Content-Type"))
	assert.False(t, json.Valid(body), "body %q must not be valid JSON", body)
	assert.NotEmpty(t, body)
	requireSoleRequest(t, srv.Receiver, pdreceiver.FaultMalformed, pdreceiver.OutcomeFaulted,
		http.StatusAccepted)
}

func TestHugeBodyFaultStreamsTheWholeBody(t *testing.T) {
	cases := []struct {
		name     string
		size     int64
		want     int64
		streamed bool
	}{
		{"three megabytes", 3 << 20, 3 << 20, true},
		{"default size", 0, pdreceiver.DefaultHugeBodyBytes, true},
		{"smaller than the JSON frame", 10, 63, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := startServer(t)
			require.NoError(t, srv.Script(pdreceiver.HugeBody(tc.size)))
			resp, body := mustPost(t, srv.URL(), mustJSON(t, triggerEvent("k", "s")))
			assert.Equal(t, http.StatusAccepted, resp.StatusCode)
			if tc.streamed {
				assert.Equal(t, int64(-1), resp.ContentLength, "the body is streamed")
			}
			assert.Equal(t, tc.want, int64(len(body)))
			var a answer
			require.NoError(t, json.Unmarshal(body, &a))
			assert.Equal(t, "success", a.Status)
			assert.Empty(t, srv.Incidents())
		})
	}
}

func TestHugeBodyStopsWhenTheClientStopsReading(t *testing.T) {
	srv := startServer(t)
	require.NoError(t, srv.Script(pdreceiver.HugeBody(1<<40)))
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, srv.URL(),
		jsonReader(t, triggerEvent("k", "s")))
	require.NoError(t, err)
	resp, err := (&http.Client{}).Do(req)
	require.NoError(t, err)
	_, err = io.CopyN(io.Discard, resp.Body, 1<<20)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	require.NoError(t, srv.WaitFor(waitCtx(t), func(s pdreceiver.Snapshot) bool {
		return s.InFlight == 0
	}), "the handler must stop streaming a terabyte nobody reads")
}

func TestRedirectFaultAnswers307(t *testing.T) {
	srv := startServer(t)
	other := startServer(t)
	redirect := pdreceiver.Redirect(other.URL())
	require.NoError(t, srv.Script(redirect, redirect))
	event := mustJSON(t, triggerEvent("k", "s"))

	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}
	resp, _, err := post(t.Context(), noFollow, srv.URL(), event)
	require.NoError(t, err)
	assert.Equal(t, http.StatusTemporaryRedirect, resp.StatusCode)
	assert.Equal(t, other.URL(), resp.Header.Get("Location"))

	resp, _ = mustPost(t, srv.URL(), event)
	assert.Equal(t, http.StatusAccepted, resp.StatusCode, "a following client re-posts")
	assert.Len(t, other.Accepted(), 1)
	assert.Empty(t, srv.Incidents())
	assert.Equal(t, 2, srv.Snapshot().Faulted)
}

func TestLatencyIsAddedBeforeEveryAnswer(t *testing.T) {
	var slept []time.Duration
	sleeper := func(ctx context.Context, d time.Duration) error {
		slept = append(slept, d)
		return ctx.Err()
	}
	rc := pdreceiver.New(pdreceiver.WithSleeper(sleeper))
	require.NoError(t, rc.SetLatency(100*time.Millisecond))
	require.NoError(t, rc.Script(pdreceiver.Respond(500, "")))
	assert.Equal(t, 500, enqueue(t, rc, mustJSON(t, triggerEvent("k", "s"))).Code)
	assert.Equal(t, 202, enqueue(t, rc, mustJSON(t, triggerEvent("k", "s"))).Code)
	assert.Equal(t, []time.Duration{100 * time.Millisecond, 100 * time.Millisecond}, slept)

	require.NoError(t, rc.SetLatency(0))
	assert.Equal(t, 202, enqueue(t, rc, mustJSON(t, triggerEvent("k", "s"))).Code)
	assert.Len(t, slept, 2, "no latency, no wait")
	require.EqualError(t, rc.SetLatency(-time.Second),
		"pdreceiver: latency -1s is invalid (should be 0 or more)")
}

func TestLatencyCutShortByTheClientLeavesTheRequestUnanswered(t *testing.T) {
	sleeper := func(context.Context, time.Duration) error { return context.Canceled }
	rc := pdreceiver.New(pdreceiver.WithSleeper(sleeper))
	require.NoError(t, rc.SetLatency(time.Hour))
	enqueue(t, rc, mustJSON(t, triggerEvent("k", "s")))
	requireSoleRequest(t, rc, 0, pdreceiver.OutcomeUnanswered, 0)
}

func TestDefaultLatencyTimerServesOverTheNetwork(t *testing.T) {
	srv := startServer(t)
	require.NoError(t, srv.SetLatency(time.Millisecond))
	resp, _ := mustPost(t, srv.URL(), mustJSON(t, triggerEvent("k", "s")))
	assert.Equal(t, http.StatusAccepted, resp.StatusCode)
}

func TestFaultKindNames(t *testing.T) {
	cases := map[pdreceiver.FaultKind]string{
		pdreceiver.FaultStatus: "status", pdreceiver.FaultStall: "stall",
		pdreceiver.FaultHangUp: "hang-up", pdreceiver.FaultMalformed: "malformed",
		pdreceiver.FaultHugeBody: "huge-body", pdreceiver.FaultRedirect: "redirect",
		0: "FaultKind(0)",
	}
	for kind, want := range cases {
		assert.Equal(t, want, kind.String())
	}
}
