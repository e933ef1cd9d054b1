// Package pdreceiver is a strict local stand-in for the PagerDuty Events
// API v2 alert endpoint, POST /v2/enqueue.
//
// The plugin's tests use it as a receiver that fails loudly on anything
// PagerDuty would refuse, and the demo and troubleshooting tools use it in
// place of PagerDuty. It never talks to PagerDuty itself.
//
// A Receiver is an http.Handler. For each request it
//
//   - reads at most MaxBodyBytes+1 bytes of the body;
//   - lets the next scripted Fault (see Receiver.Script), or else the
//     standing one (Receiver.SetAlways), answer instead of the normal
//     rules: an error status with an optional Retry-After, a stall, a
//     hang-up, a malformed or enormous 202, or a redirect;
//   - otherwise validates the event as PagerDuty does, answering 400 with
//     PagerDuty's body {"status":"invalid event","message":"Event object
//     is invalid","errors":[...]} listing every problem found, 405 for a
//     method other than POST and 404 for another path;
//   - applies a valid event to the incident filed under its dedup key
//     (generating a 32-hex-digit key for a trigger without one) and
//     answers 202 {"status":"success","message":"Event processed",
//     "dedup_key":"..."}.
//
// Every request is logged, with the answer, before the answer is written.
// Requests, Accepted, Rejected, Dropped, Incidents and Incident return
// copies; Snapshot, Changed and WaitFor let a test wait for a state, such
// as "three events accepted", without sleeping.
//
// Start serves a new Receiver on a loopback address only. WriteEvents and
// WriteIncidents render the log and the incidents as text tables.
//
// The routing key is a secret. The receiver stores it as sent, but the
// RoutingKey type prints redacted through fmt and slog, Request prints
// without its body, the log lines never carry it, and the tables replace
// any routing key they have seen wherever it appears.
package pdreceiver
