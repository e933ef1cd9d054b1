package main

import (
	"bytes"
	"io"
	"sync"

	"github.com/streamspace/streamspace-pagerduty/pdreceiver"
)

// secrets is the set of strings pdhost must never print: the routing keys it has read.
// It is shared by every redactor of one app.
type secrets struct {
	mu   sync.RWMutex
	list [][2][]byte // each secret with its printable stand-in
}

// add registers s as a secret. Empty strings are ignored.
func (s *secrets) add(secret string) {
	if secret == "" {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.list = append(s.list, [2][]byte{[]byte(secret),
		[]byte(pdreceiver.RoutingKey(secret).Redacted())})
}

// scrub returns p with every secret replaced by its stand-in. It returns p itself when
// there is nothing to replace.
func (s *secrets) scrub(p []byte) []byte {
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, pair := range s.list {
		if bytes.Contains(p, pair[0]) {
			p = bytes.ReplaceAll(p, pair[0], pair[1])
		}
	}
	return p
}

// scrubString is scrub for a string.
func (s *secrets) scrubString(v string) string { return string(s.scrub([]byte(v))) }

// redactor is a writer that scrubs the app's secrets from each write before passing it on.
// Writes are serialised. A secret split across two writes would pass unnoticed, but every
// writer in pdhost writes whole lines.
type redactor struct {
	mu      sync.Mutex
	w       io.Writer
	secrets *secrets
}

// newRedactor returns a writer that writes to w without the secrets in s.
func newRedactor(w io.Writer, s *secrets) *redactor {
	return &redactor{w: w, secrets: s}
}

// Write writes p to the underlying writer with every secret replaced. It reports len(p)
// on success, as the caller's bytes were all consumed.
func (r *redactor) Write(p []byte) (int, error) {
	out := r.secrets.scrub(p)
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, err := r.w.Write(out); err != nil {
		return 0, err
	}
	return len(p), nil
}
