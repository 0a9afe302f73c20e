package model

import (
	"strconv"
	"unicode/utf8"
)

// The shape rules for identifiers, names and descriptions that several resources share.

// identifier reports whether s is 1 to max bytes, each one accepted by ok: the shape of ids that end
// up in map keys, answers and logs.
func identifier(s string, max int, ok func(c byte) bool) bool {
	if s == "" || len(s) > max {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !ok(s[i]) {
			return false
		}
	}
	return true
}

// validText accepts printable UTF-8 up to max runes, for names and descriptions.
func validText(s string, max int) bool {
	if !utf8.ValidString(s) || utf8.RuneCountInString(s) > max {
		return false
	}
	for _, r := range s {
		if r < ' ' && r != '\t' && r != '\n' && r != '\r' || r == 0x7f {
			return false
		}
	}
	return true
}

// checkDescription applies the common description rule: at most max printable characters.
func checkDescription(param, s string, max int) error {
	if !validText(s, max) {
		return invalid(param, "at most "+strconv.Itoa(max)+" printable characters")
	}
	return nil
}
