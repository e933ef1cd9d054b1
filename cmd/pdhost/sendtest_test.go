package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/streamspace/streamspace-pagerduty/pdreceiver"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// writeKeyFile writes text to a key file in a temporary directory and returns its path.
func writeKeyFile(t *testing.T, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "routing-key")
	require.NoError(t, os.WriteFile(p, []byte(text), 0o600))
	return p
}

// startReceiver starts a PagerDuty stand-in for one test.
func startReceiver(t *testing.T) *pdreceiver.Server {
	t.Helper()
	srv, err := pdreceiver.Start("")
	require.NoError(t, err)
	t.Cleanup(func() { _ = srv.Close() })
	return srv
}

func TestSendTestPrintsTheAnswersAndResolves(t *testing.T) {
	srv := startReceiver(t)
	keyFile := writeKeyFile(t, "  "+testRoutingKey+"\n")
	r := runCmd(t, "send-test", "--routing-key-file", keyFile, "--events-url", srv.URL())
	require.Equal(t, exitOK, r.code, "stdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
	assert.Equal(t, 2, strings.Count(r.stdout, "HTTP 202 Accepted\n"))
	assert.Regexp(t, `\nHTTP 202 Accepted\n\{.*"message":"Event processed".*\}\n`, r.stdout,
		"PagerDuty's answer is printed as received")
	assert.Contains(t, r.stdout, "send-test: OK")

	accepted := srv.Accepted()
	require.Len(t, accepted, 2)
	assert.Equal(t, pdreceiver.ActionTrigger, accepted[0].EventAction)
	assert.Equal(t, pdreceiver.ActionResolve, accepted[1].EventAction)
	assert.Equal(t, testRoutingKey, string(accepted[0].RoutingKey),
		"the key is sent trimmed of white space")
	inc, ok := srv.Incident(accepted[0].DedupKey)
	require.True(t, ok)
	assert.Equal(t, pdreceiver.StatusResolved, inc.Status)
}

func TestSendTestRedactsTheKeyInARefusal(t *testing.T) {
	srv := startReceiver(t)
	require.NoError(t, srv.Script(pdreceiver.Respond(400,
		`{"status":"invalid event","message":"Event object is invalid","errors":`+
			`["Invalid routing key `+testRoutingKey+`"]}`)))
	r := runCmd(t, "send-test", "--routing-key-file", writeKeyFile(t, testRoutingKey),
		"--events-url", srv.URL())
	assert.Equal(t, exitFail, r.code)
	assert.Contains(t, r.stdout, "HTTP 400 Bad Request\n")
	assert.Contains(t, r.stdout, `"errors":["Invalid routing key `+
		pdreceiver.RoutingKey(testRoutingKey).Redacted()+`"]}`,
		"the answer is printed word for word but for the key")
	assert.Contains(t, r.stdout, "send-test: FAILED: PagerDuty refused the event")
	assert.Len(t, srv.Requests(), 1, "no resolve follows a refused trigger")
}

func TestSendTestReportsNoAnswer(t *testing.T) {
	srv := startReceiver(t)
	url := srv.URL()
	require.NoError(t, srv.Close())
	r := runCmd(t, "send-test", "--routing-key-file", writeKeyFile(t, testRoutingKey),
		"--events-url", url)
	assert.Equal(t, exitFail, r.code)
	assert.Contains(t, r.stdout, "no answer:")
	assert.Contains(t, r.stdout, "send-test: FAILED: no answer from the endpoint")
}

func TestSendTestRejectsABadKeyFileWithoutEchoingIt(t *testing.T) {
	tests := []struct {
		name, content, want string
	}{
		{"too short", testRoutingKey[:31], "must be exactly 32 letters or digits, " +
			"found 31 characters"},
		{"too long", testRoutingKey + "X", "found 33 characters"},
		{"not a letter or digit", testRoutingKey[:10] + "-" + testRoutingKey[11:],
			"character 11 is not one"},
		{"two keys", testRoutingKey + "\n" + testRoutingKey, "found 65 characters"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := startReceiver(t)
			r := runCmd(t, "send-test", "--routing-key-file", writeKeyFile(t, tt.content),
				"--events-url", srv.URL())
			assert.Equal(t, exitFail, r.code)
			assert.Contains(t, r.stderr, tt.want)
			assert.NotContains(t, r.stderr, tt.content)
			assert.NotContains(t, r.stderr, testRoutingKey[:10])
			assert.Empty(t, srv.Requests(), "nothing is sent with a bad key")
		})
	}
	r := runCmd(t, "send-test", "--routing-key-file", filepath.Join(t.TempDir(), "none"))
	assert.Equal(t, exitFail, r.code)
	assert.Contains(t, r.stderr, "--routing-key-file: open")
}
