package pdreceiver_test

import (
	"fmt"
	"io"
	"net/http"
	"sort"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/streamspace/streamspace-pagerduty/pdreceiver"
)

func TestConcurrentPostsAreAllLoggedAndApplied(t *testing.T) {
	const (
		workers   = 16
		perWorker = 25
		keys      = 10
	)
	srv := startServer(t)
	client := &http.Client{}

	waited := make(chan error, 1)
	go func() {
		waited <- srv.WaitFor(waitCtx(t), func(s pdreceiver.Snapshot) bool {
			return s.Accepted == workers*perWorker
		})
	}()
	stopReading := make(chan struct{})
	readerDone := make(chan struct{})
	go func() {
		defer close(readerDone)
		for {
			select {
			case <-stopReading:
				return
			case <-srv.Changed():
				_ = srv.Incidents()
				_ = srv.Requests()
				_ = srv.WriteEvents(io.Discard)
			}
		}
	}()

	var wg sync.WaitGroup
	statuses := make(chan int, workers*perWorker)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perWorker {
				key := fmt.Sprintf("session-%d", (w*perWorker+i)%keys)
				resp, _, err := post(t.Context(), client, srv.URL(),
					mustJSON(t, triggerEvent(key, fmt.Sprintf("w%d-%d", w, i))))
				if err != nil {
					t.Errorf("post: %v", err)
					return
				}
				statuses <- resp.StatusCode
			}
		}()
	}
	wg.Wait()
	close(statuses)
	require.NoError(t, <-waited)
	close(stopReading)
	<-readerDone

	for status := range statuses {
		require.Equal(t, http.StatusAccepted, status)
	}
	reqs := srv.Requests()
	require.Len(t, reqs, workers*perWorker)
	var seqs []int
	for _, r := range reqs {
		seqs = append(seqs, r.Seq)
	}
	sort.Ints(seqs)
	for i, s := range seqs {
		require.Equal(t, i+1, s, "every request has its own sequence number")
	}
	incidents := srv.Incidents()
	require.Len(t, incidents, keys)
	var opened, absorbed int
	for _, r := range reqs {
		switch r.Outcome {
		case pdreceiver.OutcomeOpened:
			opened++
		case pdreceiver.OutcomeAbsorbed:
			absorbed++
		}
	}
	assert.Equal(t, keys, opened)
	assert.Equal(t, workers*perWorker-keys, absorbed)
	for _, inc := range incidents {
		assert.Equal(t, workers*perWorker/keys, inc.Events, inc.DedupKey)
		assert.Equal(t, 1, inc.Opened, inc.DedupKey)
	}
}

func TestAccessorsReturnCopies(t *testing.T) {
	rc := pdreceiver.New()
	ev := with(triggerEvent("k", "s"), obj{"links": []any{obj{"href": "https://a"}}})
	require.Equal(t, http.StatusAccepted, enqueue(t, rc, mustJSON(t, ev)).Code)

	reqs := rc.Requests()
	reqs[0].Body[0] = 'X'
	reqs[0].Event.Payload.Summary = "changed"
	reqs[0].Event.Links[0].Href = "changed"
	accepted := rc.Accepted()
	accepted[0].Payload.Summary = "changed"
	incidents := rc.Incidents()
	incidents[0].Status = pdreceiver.StatusResolved
	rc.Snapshot().Incidents["k"] = pdreceiver.Incident{}

	again := rc.Requests()[0]
	assert.Equal(t, byte('{'), again.Body[0])
	assert.Equal(t, "s", again.Event.Payload.Summary)
	assert.Equal(t, "https://a", again.Event.Links[0].Href)
	assert.Equal(t, "s", rc.Accepted()[0].Payload.Summary)
	inc, _ := rc.Incident("k")
	assert.Equal(t, pdreceiver.StatusTriggered, inc.Status)
	assert.Equal(t, "k", rc.Snapshot().Incidents["k"].DedupKey)
}
