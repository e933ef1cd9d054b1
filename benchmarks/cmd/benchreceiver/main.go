// Command benchreceiver serves the strict Events API v2 stand-in (pdreceiver) on a loopback
// port, in a process of its own, so that the benchmarks count only the allocations and
// garbage collection of the client they measure. It prints the enqueue URL as its first
// line of output and exits when its standard input closes.
package main

import (
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"sync/atomic"
	"time"

	"github.com/streamspace/streamspace-pagerduty/pdreceiver"
)

// forgetEvery is how many requests the receiver logs before it forgets them, so that its
// memory stays flat over a long benchmark.
const forgetEvery = 1000

func main() {
	latency := flag.Duration("latency", 0, "time added before every answer, like a round "+
		"trip to PagerDuty")
	flag.Parse()
	if err := run(*latency); err != nil {
		slog.Error("benchreceiver: stopped", "error", err)
		os.Exit(1)
	}
}

// run serves until standard input closes.
func run(latency time.Duration) error {
	rc := pdreceiver.New(pdreceiver.WithLogBodyLimit(0))
	if err := rc.SetLatency(latency); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", pdreceiver.DefaultAddr)
	if err != nil {
		return fmt.Errorf("benchreceiver: listen: %w", err)
	}
	var served atomic.Int64
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rc.ServeHTTP(w, r)
		if served.Add(1)%forgetEvery == 0 {
			rc.Reset()
		}
	})
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	fmt.Printf("http://%s%s\n", ln.Addr(), pdreceiver.EnqueuePath)

	_, _ = io.Copy(io.Discard, os.Stdin)
	rc.Close()
	return srv.Close()
}
