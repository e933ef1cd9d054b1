package pdreceiver_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/streamspace/streamspace-pagerduty/pdreceiver"
)

// tooLarge is the error for a body over the size limit.
const tooLarge = "Request body is too large (should be at most 512000 bytes)"

// paddedEvent returns a valid trigger event of exactly size bytes, padded
// in its custom details.
func paddedEvent(t *testing.T, size int) []byte {
	t.Helper()
	frame := len(mustJSON(t, withPayload(obj{"custom_details": obj{"pad": ""}})))
	body := mustJSON(t, withPayload(obj{"custom_details": obj{"pad": repeat("x", size-frame)}}))
	require.Len(t, body, size)
	return body
}

func TestBodySizeLimitIs512000Bytes(t *testing.T) {
	cases := []struct {
		name     string
		size     int
		status   int
		errors   []string
		bodySize int
	}{
		{"512,000 bytes are accepted", 512_000, http.StatusAccepted, nil, 512_000},
		{"512,001 bytes are rejected", 512_001, http.StatusBadRequest,
			[]string{tooLarge}, 512_001},
		{"two megabytes are rejected after reading the limit", 2 << 20,
			http.StatusBadRequest, []string{tooLarge}, 512_001},
	}
	srv := startServer(t, pdreceiver.WithLogBodyLimit(1<<20))
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv.Reset()
			resp, body := mustPost(t, srv.URL(), paddedEvent(t, tc.size))
			require.Equal(t, tc.status, resp.StatusCode)
			assert.Equal(t, tc.errors, decodeAnswer(t, body).Errors)
			reqs := srv.Requests()
			require.Len(t, reqs, 1)
			assert.Equal(t, tc.bodySize, reqs[0].BodySize)
			assert.Len(t, reqs[0].Body, tc.bodySize)
		})
	}
}

func TestBodyIsReadNoFurtherThanOneByteOverTheLimit(t *testing.T) {
	body := bytes.NewReader(paddedEvent(t, 2<<20))
	req := httptest.NewRequestWithContext(t.Context(), http.MethodPost,
		pdreceiver.EnqueuePath, body)
	rec := httptest.NewRecorder()
	pdreceiver.New().ServeHTTP(rec, req)
	require.Equal(t, http.StatusBadRequest, rec.Code)
	assert.Equal(t, int64(2<<20-512_001), int64(body.Len()), "bytes left unread")
}

func TestLogKeepsOnlyTheBodyLimit(t *testing.T) {
	cases := []struct {
		name  string
		opt   pdreceiver.Option
		wantN int
	}{
		{"default keeps 64 KiB", pdreceiver.WithLogBodyLimit(-1), pdreceiver.DefaultLogBodyBytes},
		{"ten bytes", pdreceiver.WithLogBodyLimit(10), 10},
		{"nothing", pdreceiver.WithLogBodyLimit(0), 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rc := pdreceiver.New(tc.opt)
			sent := paddedEvent(t, 100_000)
			require.Equal(t, http.StatusAccepted, enqueue(t, rc, sent).Code)
			r := rc.Requests()[0]
			assert.Equal(t, sent[:tc.wantN], r.Body)
			assert.Equal(t, 100_000, r.BodySize)
			require.NotNil(t, r.Event, "the event is decoded from the whole body")
			assert.Equal(t, "disk full", r.Event.Payload.Summary)
		})
	}
}
