package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/streamspace/streamspace-pagerduty/pdreceiver"
)

// These benchmarks isolate the Events API v2 client from the delivery pipeline (queue,
// workers, logging): the client's own cost per send, next to a bare http.Post of the same
// body on the same kind of client. benchmarks/ compares the whole plugin with go-pagerduty.

// benchBody is the encoded trigger of a realistic hibernation.
func benchBody(b *testing.B) []byte {
	cfg, _, err := ParseConfig(withKey())
	require.NoError(b, err)
	inst := &instance{cfg: cfg, now: time.Now}
	rec, err := asRecord("session", session("john-firefox-abc123"))
	require.NoError(b, err)
	j, err := inst.buildJob(EventSessionHibernated, rec)
	require.NoError(b, err)
	return j.body
}

func BenchmarkClientSend(b *testing.B) {
	srv, err := pdreceiver.Start("")
	require.NoError(b, err)
	defer srv.Close()
	body := benchBody(b)

	b.Run("eventsClient", func(b *testing.B) {
		c := &eventsClient{url: srv.URL(), http: newHTTPClient(1, requestTimeout),
			secret: testKey, now: time.Now, timeout: requestTimeout}
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			if err := c.send(context.Background(), body); err != nil {
				b.Fatal(err)
			}
		}
		reportSends(b)
	})
	b.Run("http.Post", func(b *testing.B) {
		hc := &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			resp, err := hc.Post(srv.URL(), "application/json", bytes.NewReader(body))
			if err != nil {
				b.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusAccepted {
				b.Fatal(fmt.Sprint("status ", resp.StatusCode))
			}
		}
		reportSends(b)
	})
	require.Zero(b, srv.Snapshot().Rejected)
}

// reportSends adds sends per second to a benchmark's output.
func reportSends(b *testing.B) {
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "sends/s")
}
