package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Limits the PagerDuty Events API v2 enforces (developer.pagerduty.com, "Send an Alert
// Event" and "Events API v2 Overview").
const (
	maxSummaryRunes = 1024    // payload.summary: longer summaries are rejected
	maxDedupKeyLen  = 255     // dedup_key: longer keys are rejected
	maxEventBytes   = 512_000 // the whole encoded event: larger bodies are rejected
)

// Limits of our own on what the client reads back.
const (
	maxResponseBytes = 64 << 10 // a PagerDuty answer is a few hundred bytes
	maxLoggedErrors  = 5        // entries of an error answer's errors[] kept for the log
)

// Event actions of the Events API v2.
const (
	actionTrigger = "trigger"
	actionResolve = "resolve"
)

// v2Event is the JSON body of one Events API v2 request.
type v2Event struct {
	RoutingKey  string     `json:"routing_key"`
	EventAction string     `json:"event_action"`
	DedupKey    string     `json:"dedup_key,omitempty"`
	Payload     *v2Payload `json:"payload,omitempty"`
	Client      string     `json:"client,omitempty"`
	ClientURL   string     `json:"client_url,omitempty"`
	Links       []v2Link   `json:"links,omitempty"`
}

// v2Link is one link shown on the incident.
type v2Link struct {
	Href string `json:"href"`
	Text string `json:"text,omitempty"`
}

// v2Payload is the payload of a trigger.
type v2Payload struct {
	Summary       string         `json:"summary"`
	Source        string         `json:"source"`
	Severity      string         `json:"severity"`
	Timestamp     string         `json:"timestamp,omitempty"`
	Component     string         `json:"component,omitempty"`
	Group         string         `json:"group,omitempty"`
	Class         string         `json:"class,omitempty"`
	CustomDetails *customDetails `json:"custom_details,omitempty"`
}

// customDetails is what the incident page lists under "Custom Details". The keys are
// written for the person reading the incident.
type customDetails struct {
	Event     string `json:"Event"`
	SessionID string `json:"Session ID,omitempty"`
	User      string `json:"User,omitempty"`
	Template  string `json:"Template,omitempty"`
	State     string `json:"State,omitempty"`
	Memory    string `json:"Memory,omitempty"`
	CPU       string `json:"CPU,omitempty"`
	UserID    string `json:"User ID,omitempty"`
	Username  string `json:"Username,omitempty"`
	FullName  string `json:"Full Name,omitempty"`
	Email     string `json:"Email,omitempty"`
	Tier      string `json:"Tier,omitempty"`
	Note      string `json:"Note,omitempty"`
}

// shrinkable lists, largest first when it matters, the detail fields that may be emptied
// to bring an event under maxEventBytes.
func (d *customDetails) shrinkable() []*string {
	return []*string{&d.Template, &d.State, &d.Memory, &d.CPU, &d.FullName, &d.Tier,
		&d.Email, &d.Username, &d.User, &d.UserID, &d.SessionID}
}

// dedupKey derives the key PagerDuty groups repeats under. It depends only on the
// source, the event type and the resource's ID, so the same session hibernating twice
// lands in one incident, and a resolve closes what its trigger opened. A source other than
// the default joins the key, so clusters that reuse session names keep their incidents
// apart. Keys over PagerDuty's 255-character limit are shortened with SHA-256.
func dedupKey(source string, t EventType, id string) string {
	// Built in one concatenation, so the usual key costs the hook a single allocation.
	src, sep := "", ""
	if source != defaultSource {
		src, sep = source, "/"
	}
	if key := "streamspace/" + src + sep + string(t) + "/" + id; len(key) <= maxDedupKeyLen {
		return key
	}
	prefix := "streamspace/" + src + sep + string(t) + "/"
	sum := sha256.Sum256([]byte(id))
	if key := prefix + "sha256:" + hex.EncodeToString(sum[:]); len(key) <= maxDedupKeyLen {
		return key
	}
	sum = sha256.Sum256([]byte(prefix + id))
	return "streamspace/sha256:" + hex.EncodeToString(sum[:])
}

// encodeEvent marshals ev. When the result is over limit bytes it empties custom detail
// fields, largest first, and then drops the details altogether, noting what it did.
func encodeEvent(ev *v2Event, limit int) ([]byte, error) {
	body, err := json.Marshal(ev)
	if err != nil || len(body) <= limit {
		return body, err
	}
	if ev.Payload != nil && ev.Payload.CustomDetails != nil {
		d := ev.Payload.CustomDetails
		d.Note = "some details were left out to fit PagerDuty's 512 KB event limit"
		for len(body) > limit {
			f := largest(d.shrinkable())
			if f == nil || *f == "" {
				break
			}
			*f = ""
			if body, err = json.Marshal(ev); err != nil {
				return nil, err
			}
		}
		if len(body) > limit {
			ev.Payload.CustomDetails = nil
			if body, err = json.Marshal(ev); err != nil {
				return nil, err
			}
		}
	}
	if len(body) > limit {
		return nil, fmt.Errorf("pagerduty: event is %d bytes, over the %d-byte limit "+
			"even without custom details", len(body), limit)
	}
	return body, nil
}

// largest returns the field holding the longest string.
func largest(fields []*string) *string {
	var best *string
	for _, f := range fields {
		if best == nil || len(*f) > len(*best) {
			best = f
		}
	}
	return best
}

// sendError describes an attempt that PagerDuty did not accept.
type sendError struct {
	// Status is the HTTP status, or 0 when no answer arrived.
	Status int
	// Message and Errors come from PagerDuty's JSON answer, when it sent one.
	Message string
	Errors  []string
	// RetryAfter is the wait the server asked for with Retry-After, if any.
	RetryAfter time.Duration
	// Err is the network or protocol failure behind a missing answer.
	Err error
	// permanent marks an answer that will not change on retry.
	permanent bool
}

// Error implements error. It never contains the routing key: the client scrubs it from
// anything the server sent back before building a sendError.
func (e *sendError) Error() string {
	var b strings.Builder
	b.WriteString("pagerduty: ")
	switch {
	case e.Status == 0:
		fmt.Fprintf(&b, "no answer: %v", e.Err)
	default:
		fmt.Fprintf(&b, "HTTP %d", e.Status)
		if e.Message != "" {
			fmt.Fprintf(&b, ": %s", e.Message)
		}
		if len(e.Errors) > 0 {
			fmt.Fprintf(&b, " (%s)", strings.Join(e.Errors, "; "))
		}
		if e.Err != nil {
			fmt.Fprintf(&b, ": %v", e.Err)
		}
	}
	return b.String()
}

// Unwrap returns the underlying network error, if any.
func (e *sendError) Unwrap() error { return e.Err }

// Temporary reports whether a later attempt may succeed: 429, 5xx and network failures.
func (e *sendError) Temporary() bool { return !e.permanent }

// RateLimited reports whether PagerDuty throttled the request (HTTP 429).
func (e *sendError) RateLimited() bool { return e.Status == http.StatusTooManyRequests }

// errRedirect explains a 3xx answer: a redirected POST would carry the routing key to
// another host, so redirects are never followed.
var errRedirect = errors.New("redirect not followed")

// eventsClient posts encoded events to the Events API v2.
type eventsClient struct {
	url     string
	http    *http.Client
	secret  string // scrubbed from anything the server sends back
	now     func() time.Time
	timeout time.Duration // bounds each request, from dialling to the end of the answer
}

// Timeouts of the shared HTTP client. PagerDuty answers in well under a second; these
// bound a stalled network, not a slow server.
const (
	dialTimeout    = 5 * time.Second
	tlsTimeout     = 5 * time.Second
	headerTimeout  = 10 * time.Second
	requestTimeout = 15 * time.Second
)

// newHTTPClient builds the client shared by all deliveries: bounded connect, TLS and
// header times (send bounds the whole request), keep-alive for up to conns connections,
// the environment's proxy settings, and no redirects.
func newHTTPClient(conns int, timeout time.Duration) *http.Client {
	transport := &http.Transport{
		Proxy: http.ProxyFromEnvironment,
		DialContext: (&net.Dialer{Timeout: dialTimeout,
			KeepAlive: 30 * time.Second}).DialContext,
		ForceAttemptHTTP2:     true,
		TLSHandshakeTimeout:   tlsTimeout,
		ResponseHeaderTimeout: min(headerTimeout, timeout),
		ExpectContinueTimeout: time.Second,
		MaxIdleConns:          conns,
		MaxIdleConnsPerHost:   conns,
		IdleConnTimeout:       90 * time.Second,
	}
	return &http.Client{
		Transport: transport,
		// Hand any 3xx back to send, which reports it as a permanent failure.
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}

// v2Answer is the JSON PagerDuty sends back, on success and on error.
type v2Answer struct {
	Status   string   `json:"status"`
	Message  string   `json:"message"`
	DedupKey string   `json:"dedup_key"`
	Errors   []string `json:"errors"`
}

// userAgent names the plugin and its version in every request.
var userAgent = sync.OnceValue(func() string {
	return "streamspace-pagerduty/" + pluginVersion()
})

// send posts one encoded event. It returns nil when PagerDuty accepted it (any 2xx),
// and otherwise a *sendError saying whether a retry may help.
func (c *eventsClient) send(ctx context.Context, body []byte) error {
	// A deadline on the request's context rather than http.Client.Timeout, which costs a
	// goroutine and a timer of its own per request.
	reqCtx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(reqCtx, http.MethodPost, c.url,
		bytes.NewReader(body))
	if err != nil {
		return &sendError{Err: err, permanent: true}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", userAgent())

	resp, err := c.http.Do(req)
	if err != nil {
		if ctx.Err() == nil && errors.Is(err, context.DeadlineExceeded) {
			err = fmt.Errorf("no answer within the %s request timeout: %w", c.timeout, err)
		}
		return &sendError{Err: c.scrubErr(err)}
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		// Read the answer to the end, so the connection can be reused; nothing in it is
		// needed.
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxResponseBytes))
		return nil
	}
	raw, readErr := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes))
	e := &sendError{Status: resp.StatusCode}
	var answer v2Answer
	if json.Unmarshal(raw, &answer) == nil {
		e.Message = c.scrub(answer.Message)
		for i, s := range answer.Errors {
			if i == maxLoggedErrors {
				e.Errors = append(e.Errors, fmt.Sprintf("and %d more", len(answer.Errors)-i))
				break
			}
			e.Errors = append(e.Errors, c.scrub(s))
		}
	} else if readErr != nil {
		e.Err = c.scrubErr(readErr)
	}

	switch {
	case resp.StatusCode == http.StatusTooManyRequests, resp.StatusCode >= 500:
		e.RetryAfter = parseRetryAfter(resp.Header.Get("Retry-After"), c.now())
	case resp.StatusCode >= 300 && resp.StatusCode < 400:
		e.permanent = true
		e.Err = fmt.Errorf("%w (to %s)", errRedirect,
			redirectHost(c.scrub(resp.Header.Get("Location"))))
	default:
		e.permanent = true
	}
	return e
}

// redirectHost reduces a Location header to its host for the log.
func redirectHost(loc string) string {
	if i := strings.Index(loc, "://"); i >= 0 {
		loc = loc[i+3:]
	}
	if i := strings.IndexAny(loc, "/?#"); i >= 0 {
		loc = loc[:i]
	}
	if loc == "" {
		return "an unnamed location"
	}
	return truncateRunes(loc, 100)
}

// scrub removes the routing key, in any letter case, from text the server sent back, and
// only then cleans and cuts the text, so that no cut leaves part of the key behind.
func (c *eventsClient) scrub(s string) string {
	return cleanText(redactSecret(s, c.secret))
}

// scrubErr returns err unchanged unless its text contains the routing key.
func (c *eventsClient) scrubErr(err error) error {
	if indexFold(err.Error(), c.secret) >= 0 {
		return errors.New(c.scrub(err.Error()))
	}
	return err
}

// redactSecret replaces every occurrence of secret in s, ignoring ASCII letter case,
// with "[routing key]". An empty secret leaves s alone.
func redactSecret(s, secret string) string {
	i := indexFold(s, secret)
	if i < 0 {
		return s
	}
	var b strings.Builder
	for ; i >= 0; i = indexFold(s, secret) {
		b.WriteString(s[:i])
		b.WriteString("[routing key]")
		s = s[i+len(secret):]
	}
	b.WriteString(s)
	return b.String()
}

// indexFold returns the index of the first occurrence of the ASCII string sub in s,
// ignoring ASCII letter case, or -1; an empty sub is never found. A routing key is ASCII
// letters and digits, so byte-wise folding finds it however a server re-cased it.
func indexFold(s, sub string) int {
	if sub == "" {
		return -1
	}
	for i := 0; i+len(sub) <= len(s); i++ {
		j := 0
		for j < len(sub) && lowerASCII(s[i+j]) == lowerASCII(sub[j]) {
			j++
		}
		if j == len(sub) {
			return i
		}
	}
	return -1
}

// parseRetryAfter reads a Retry-After header given in seconds or as an HTTP date.
func parseRetryAfter(h string, now time.Time) time.Duration {
	h = strings.TrimSpace(h)
	if h == "" {
		return 0
	}
	if secs, err := strconv.Atoi(h); err == nil {
		if secs <= 0 {
			return 0
		}
		return time.Duration(min(secs, 24*3600)) * time.Second
	}
	if t, err := http.ParseTime(h); err == nil && t.After(now) {
		return min(t.Sub(now), 24*time.Hour)
	}
	return 0
}
