package pdreceiver

import "time"

// timestampLayouts are the ISO 8601 forms accepted in payload.timestamp:
// RFC 3339 with a 'T' or a space, offsets written +hh:mm, +hhmm or +hh, a
// local time without offset, and a plain date. Fractional seconds are
// accepted after any seconds field.
var timestampLayouts = []string{
	"2006-01-02T15:04:05Z07:00",
	"2006-01-02 15:04:05Z07:00",
	"2006-01-02T15:04:05Z0700",
	"2006-01-02T15:04:05Z07",
	"2006-01-02T15:04:05",
	"2006-01-02",
}

// validTimestamp reports whether s parses as one of timestampLayouts.
func validTimestamp(s string) bool {
	for _, layout := range timestampLayouts {
		if _, err := time.Parse(layout, s); err == nil {
			return true
		}
	}
	return false
}
