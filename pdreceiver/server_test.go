package pdreceiver_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/streamspace/streamspace-pagerduty/pdreceiver"
)

func TestStartServesTheEnqueueURLOnLoopback(t *testing.T) {
	cases := []struct {
		name, addr, wantURL string
	}{
		{"default address", "", `^http://127\.0\.0\.1:[0-9]+/v2/enqueue$`},
		{"explicit IPv4 loopback", "127.0.0.1:0", `^http://127\.0\.0\.1:[0-9]+/v2/enqueue$`},
		{"other IPv4 loopback", "127.0.0.2:0", `^http://127\.0\.0\.2:[0-9]+/v2/enqueue$`},
		{"localhost", "localhost:0", `^http://(127\.0\.0\.1|\[::1\]):[0-9]+/v2/enqueue$`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv, err := pdreceiver.Start(tc.addr)
			require.NoError(t, err)
			t.Cleanup(func() { require.NoError(t, srv.Close()) })
			assert.Regexp(t, tc.wantURL, srv.URL())
			resp, body := mustPost(t, srv.URL(), mustJSON(t, triggerEvent("k", "s")))
			assert.Equal(t, http.StatusAccepted, resp.StatusCode)
			assert.Equal(t, "k", decodeAnswer(t, body).DedupKey)
			assert.Len(t, srv.Accepted(), 1)
		})
	}
}

func TestStartRefusesNonLoopbackAddresses(t *testing.T) {
	notLoopback := `pdreceiver: listen address %q is not loopback ` +
		`(should be 127.0.0.1, [::1] or localhost with a port)`
	cases := []struct {
		name, addr, want string
	}{
		{"all interfaces", "0.0.0.0:0", notLoopback},
		{"all interfaces without host", ":0", notLoopback},
		{"all IPv6 interfaces", "[::]:0", notLoopback},
		{"routable address", "192.0.2.1:8080", notLoopback},
		{"host name", "example.com:80", notLoopback},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv, err := pdreceiver.Start(tc.addr)
			require.EqualError(t, err, fmt.Sprintf(tc.want, tc.addr))
			assert.Nil(t, srv)
		})
	}
	_, err := pdreceiver.Start("127.0.0.1")
	require.ErrorContains(t, err, `pdreceiver: listen address "127.0.0.1" is invalid `+
		`(should be host:port, for example 127.0.0.1:0)`)
}

func TestStartReportsAnAddressInUse(t *testing.T) {
	srv := startServer(t)
	_, err := pdreceiver.Start(srv.Addr())
	require.ErrorContains(t, err, "pdreceiver: listen on "+srv.Addr())
}

func TestServerCloseIsIdempotentAndKeepsTheLog(t *testing.T) {
	srv, err := pdreceiver.Start("")
	require.NoError(t, err)
	mustPost(t, srv.URL(), mustJSON(t, triggerEvent("k", "s")))
	require.NoError(t, srv.Close())
	require.NoError(t, srv.Close())
	_, _, err = post(t.Context(), &http.Client{}, srv.URL(), mustJSON(t, triggerEvent("k", "s")))
	require.Error(t, err, "a closed server accepts nothing")
	assert.Len(t, srv.Accepted(), 1)
}
