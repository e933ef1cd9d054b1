package pdreceiver

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"unicode/utf8"
)

// MaxBodyBytes is the largest request body the Events API v2 accepts
// (512 KB). A body of MaxBodyBytes+1 bytes or more is rejected.
const MaxBodyBytes = 512_000

// errBodyTooLarge is the validation error for a body over MaxBodyBytes.
var errBodyTooLarge = fmt.Sprintf(
	"Request body is too large (should be at most %d bytes)", MaxBodyBytes)

// checkEncoding returns the validation error for a body that is not valid
// UTF-8, not valid JSON, or that escapes an unpaired UTF-16 surrogate in a
// string, or "" when the body is well-formed. Invalid UTF-8 is checked
// first because encoding/json would silently replace it.
func checkEncoding(body []byte) string {
	if off, ok := firstInvalidUTF8(body); !ok {
		return fmt.Sprintf("Event object contains invalid UTF-8 (at byte offset %d)", off)
	}
	if !json.Valid(body) {
		return "Event object is not valid JSON (" + syntaxProblem(body) + ")"
	}
	if off, ok := firstLoneSurrogate(body); !ok {
		return fmt.Sprintf(
			"Event object contains an unpaired UTF-16 surrogate (at byte offset %d)", off)
	}
	return ""
}

// firstInvalidUTF8 returns the offset of the first byte that does not start
// a valid UTF-8 sequence, and false; or 0 and true when all of body is valid.
func firstInvalidUTF8(body []byte) (int, bool) {
	for off := 0; off < len(body); {
		r, size := utf8.DecodeRune(body[off:])
		if r == utf8.RuneError && size <= 1 {
			return off, false
		}
		off += size
	}
	return 0, true
}

// syntaxProblem describes why body is not JSON, naming the byte offset
// where the decoder gave up. It never quotes the body, not even the one
// offending character, since that could belong to the routing key.
func syntaxProblem(body []byte) string {
	if len(body) == 0 {
		return "the body is empty"
	}
	var v any
	err := json.Unmarshal(body, &v)
	var syn *json.SyntaxError
	if errors.As(err, &syn) {
		return fmt.Sprintf("syntax error at byte offset %d", syn.Offset)
	}
	return "syntax error"
}

// firstLoneSurrogate scans the strings of a syntactically valid JSON body
// for \u escapes of a UTF-16 surrogate that is not part of a high-low pair.
// It returns the offset of the backslash and false when it finds one.
func firstLoneSurrogate(body []byte) (int, bool) {
	inString := false
	for i := 0; i < len(body); i++ {
		c := body[i]
		if !inString {
			inString = c == '"'
			continue
		}
		switch {
		case c == '"':
			inString = false
		case c == '\\' && body[i+1] == 'u':
			width, ok := surrogateEscapeWidth(body[i:])
			if !ok {
				return i, false
			}
			i += width - 1
		case c == '\\':
			i++
		}
	}
	return 0, true
}

// surrogateEscapeWidth inspects the \uXXXX escape at the start of s (taken
// from a valid JSON string). It returns how many bytes the escape spans (12
// for a surrogate pair, 6 otherwise) and false for an unpaired surrogate.
func surrogateEscapeWidth(s []byte) (int, bool) {
	r := hex4(s[2:6])
	switch {
	case r >= 0xDC00 && r <= 0xDFFF:
		return 6, false
	case r < 0xD800 || r > 0xDBFF:
		return 6, true
	}
	if len(s) >= 12 && s[6] == '\\' && s[7] == 'u' {
		if low := hex4(s[8:12]); low >= 0xDC00 && low <= 0xDFFF {
			return 12, true
		}
	}
	return 6, false
}

// hex4 decodes four hexadecimal digits; JSON validity guarantees them.
func hex4(b []byte) rune {
	v, _ := strconv.ParseUint(string(b), 16, 32)
	return rune(v)
}
