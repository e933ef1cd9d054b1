package main

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"
)

// PagerDuty's Events API v2 endpoints by account region.
var regionURLs = map[string]string{
	"us": "https://events.pagerduty.com/v2/enqueue",
	"eu": "https://events.eu.pagerduty.com/v2/enqueue",
}

// send-test limits: the whole request, and how much of an answer is printed.
const (
	sendTestTimeout   = 15 * time.Second
	maxAnswerBytes    = 64 << 10
	routingKeyLength  = 32
	sendTestComponent = "pdhost send-test"
)

// sendTest runs the send-test command.
func (a *app) sendTest(args []string) int {
	f := newFlags("send-test", "send-test --routing-key-file F [--region us|eu | "+
		"--events-url URL]", "routing-key-file")
	keyFile := f.String("routing-key-file", "", "read the routing key from `file` "+
		"(32 letters or digits; surrounding white space is ignored)")
	region := f.String("region", "us", "the PagerDuty service region of the account: us or eu")
	eventsURL := f.String("events-url", "", "send to `URL` instead of the region's endpoint")
	if ok, code := f.parse(a, args); !ok {
		return code
	}
	target, ok := regionURLs[*region]
	if !ok {
		_, code := f.fail(a, fmt.Sprintf("--region must be us or eu, got %q", *region))
		return code
	}
	if *eventsURL != "" {
		if err := checkEventsURL(*eventsURL); err != nil {
			_, code := f.fail(a, err.Error())
			return code
		}
		target = *eventsURL
	}
	key, err := readRoutingKey(*keyFile)
	if err != nil {
		fmt.Fprintf(a.stderr, "pdhost: %v\n", err)
		return exitFail
	}
	a.secrets.add(key)
	return a.sendTestTo(target, key)
}

// sendTestTo sends a test trigger to target and, when it is accepted, its resolve. It
// prints each answer as received and returns exitOK when both were accepted.
func (a *app) sendTestTo(target, key string) int {
	client := &http.Client{
		Timeout: sendTestTimeout,
		// A redirected POST would carry the routing key to another address.
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
	host, _ := os.Hostname()
	dedup := "streamspace/send-test/" + randomHex(8)
	trigger := map[string]any{
		"routing_key":  key,
		"event_action": "trigger",
		"dedup_key":    dedup,
		"payload": map[string]any{
			"summary": "StreamSpace PagerDuty test alert from pdhost send-test on " +
				firstNonEmpty(host, "an unnamed host") + "; it is resolved right away",
			"source":    firstNonEmpty(host, "pdhost"),
			"severity":  "info",
			"timestamp": time.Now().UTC().Format(time.RFC3339),
			"component": sendTestComponent,
			"class":     "send-test",
		},
	}
	if !a.post(client, target, "trigger", trigger) {
		return exitFail
	}
	resolve := map[string]any{"routing_key": key, "event_action": "resolve",
		"dedup_key": dedup}
	if !a.post(client, target, "resolve", resolve) {
		return exitFail
	}
	fmt.Fprintln(a.stdout, "\nsend-test: OK, PagerDuty accepted the test alert and its "+
		"resolve; the routing key works")
	return exitOK
}

// post sends one event and prints the status and the answer's body word for word. It
// returns whether the event was accepted (any 2xx).
func (a *app) post(client *http.Client, target, action string, event map[string]any) bool {
	body, err := json.Marshal(event)
	if err != nil {
		fmt.Fprintf(a.stderr, "pdhost: encoding the %s: %v\n", action, err)
		return false
	}
	fmt.Fprintf(a.stdout, "POST %s (%s, dedup_key %s)\n", target, action, event["dedup_key"])
	resp, err := client.Post(target, "application/json", bytes.NewReader(body))
	if err != nil {
		fmt.Fprintf(a.stdout, "no answer: %v\n", a.secrets.scrubString(err.Error()))
		fmt.Fprintln(a.stdout, hintNoAnswer)
		return false
	}
	defer resp.Body.Close()
	answer, readErr := io.ReadAll(io.LimitReader(resp.Body, maxAnswerBytes+1))
	fmt.Fprintf(a.stdout, "HTTP %s\n", resp.Status)
	if len(answer) > maxAnswerBytes {
		answer = answer[:maxAnswerBytes]
		defer fmt.Fprintf(a.stdout, "(answer cut at %d bytes)\n", maxAnswerBytes)
	}
	fmt.Fprintln(a.stdout, strings.TrimRight(string(answer), "\n"))
	if readErr != nil {
		fmt.Fprintf(a.stdout, "(reading the answer failed: %v)\n", readErr)
	}
	ok := resp.StatusCode >= 200 && resp.StatusCode < 300
	if !ok {
		fmt.Fprintln(a.stdout, hintForStatus(resp.StatusCode))
	}
	return ok
}

// hintNoAnswer explains a request that got no HTTP answer.
const hintNoAnswer = "send-test: FAILED: no answer from the endpoint. Check that this " +
	"machine can reach it: DNS, firewall, and HTTPS_PROXY/NO_PROXY if you use a proxy."

// hintForStatus explains an answer that is not 2xx.
func hintForStatus(status int) string {
	switch {
	case status == http.StatusBadRequest:
		return "send-test: FAILED: PagerDuty refused the event. \"Invalid routing key\" " +
			"means the key is not an Events API v2 integration key of an existing service."
	case status == http.StatusTooManyRequests:
		return "send-test: FAILED: PagerDuty is throttling this routing key; try again in " +
			"a minute."
	case status >= 300 && status < 400:
		return "send-test: FAILED: the endpoint redirects; redirects are not followed " +
			"because they would carry the routing key elsewhere. Check the URL."
	case status >= 500:
		return "send-test: FAILED: PagerDuty had a server error; try again, and see " +
			"https://status.pagerduty.com."
	}
	return "send-test: FAILED: the endpoint did not accept the event; check the URL."
}

// readRoutingKey reads a routing key from path, trimming white space, and checks it is
// 32 ASCII letters or digits. Its errors never contain the key.
func readRoutingKey(path string) (string, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("--routing-key-file: %w", err)
	}
	key := strings.TrimSpace(string(raw))
	if n := len([]rune(key)); n != routingKeyLength {
		return "", fmt.Errorf("--routing-key-file %s: the routing key must be exactly %d "+
			"letters or digits, found %d characters", path, routingKeyLength, n)
	}
	for i := 0; i < len(key); i++ {
		c := key[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
			return "", fmt.Errorf("--routing-key-file %s: the routing key must be exactly "+
				"%d letters or digits; character %d is not one", path, routingKeyLength, i+1)
		}
	}
	return key, nil
}

// checkEventsURL accepts an https URL, or plain http to a loopback host, like the
// plugin's eventsURL: the routing key must not travel in clear text over a network.
func checkEventsURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.User != nil {
		return fmt.Errorf("--events-url must be an absolute https URL, or http to a " +
			"loopback host, without a user name or password")
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		h := u.Hostname()
		if ip := net.ParseIP(h); strings.EqualFold(h, "localhost") ||
			(ip != nil && ip.IsLoopback()) {
			return nil
		}
		return errors.New("--events-url may use plain http only for a loopback host " +
			"(127.0.0.0/8, ::1, localhost); use https")
	}
	return fmt.Errorf("--events-url must use https (or http to a loopback host), got %q",
		u.Scheme)
}

// randomHex returns n random bytes as hex, for a dedup key no other alert uses.
func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on Linux
	return hex.EncodeToString(b)
}

// firstNonEmpty returns the first of its arguments that is not "".
func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}
