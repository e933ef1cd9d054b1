package pdreceiver

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"
)

// DefaultAddr is the listen address Start uses for "": loopback, any port.
const DefaultAddr = "127.0.0.1:0"

// closeWait bounds how long Close waits for handlers to finish after every
// connection was closed; it only guards against a hang.
const closeWait = 10 * time.Second

// Server is a Receiver listening on a loopback address. The Receiver's
// methods are available on it directly.
type Server struct {
	*Receiver
	listener  net.Listener
	http      *http.Server
	served    chan struct{}
	closeOnce sync.Once
	closeErr  error
}

// Start returns a new Receiver, built with opts, serving on addr, which
// must be a loopback address with a port such as "127.0.0.1:0", "[::1]:0"
// or "localhost:8080"; "" means DefaultAddr. Any other host is an error,
// so that the stand-in is never reachable from the network.
func Start(addr string, opts ...Option) (*Server, error) {
	if addr == "" {
		addr = DefaultAddr
	}
	if err := checkLoopback(addr); err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("pdreceiver: listen on %s: %w", addr, err)
	}
	if tcp, ok := ln.Addr().(*net.TCPAddr); !ok || !tcp.IP.IsLoopback() {
		_ = ln.Close()
		return nil, fmt.Errorf("pdreceiver: listen address %q resolved to %s, "+
			"which is not loopback", addr, ln.Addr())
	}
	s := &Server{
		Receiver: New(opts...),
		listener: ln,
		served:   make(chan struct{}),
	}
	s.http = &http.Server{Handler: s.Receiver, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		defer close(s.served)
		_ = s.http.Serve(ln)
	}()
	return s, nil
}

// checkLoopback returns an error unless addr is host:port with a loopback
// IP or "localhost" as host.
func checkLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("pdreceiver: listen address %q is invalid "+
			"(should be host:port, for example %s): %w", addr, DefaultAddr, err)
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("pdreceiver: listen address %q is not loopback "+
		"(should be 127.0.0.1, [::1] or localhost with a port)", addr)
}

// Addr returns the address the server listens on, such as 127.0.0.1:41234.
func (s *Server) Addr() string { return s.listener.Addr().String() }

// URL returns the full enqueue URL, such as
// http://127.0.0.1:41234/v2/enqueue.
func (s *Server) URL() string { return "http://" + s.Addr() + EnqueuePath }

// Close ends all stalls, closes the listener and every connection, and
// waits for the handlers to finish. The log and incidents stay readable.
// Calls after the first return the first call's result.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		s.Receiver.Close()
		err := s.http.Close()
		<-s.served
		ctx, cancel := context.WithTimeout(context.Background(), closeWait)
		defer cancel()
		idle := func(snap Snapshot) bool { return snap.InFlight == 0 }
		s.closeErr = errors.Join(err, s.WaitFor(ctx, idle))
	})
	return s.closeErr
}
