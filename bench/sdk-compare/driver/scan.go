package main

import "strconv"

// scanEvent reads `event`, `session_id` and `data.type` from one JSON line in
// a single pass, skipping every other value: encoding/json's reflection cost
// (several µs a line) would otherwise sit inside every measured round trip.
// It reports false for anything that is not a JSON object.
func scanEvent(line []byte) (event, bool) {
	s := scanner{data: line}
	var e event
	ok := s.object(func(key string) bool {
		switch key {
		case "event":
			value, isString := s.stringOrSkip()
			e.Event = value
			return isString || s.err == nil
		case "session_id":
			if value, isString := s.stringOrSkip(); isString {
				e.SessionID = &value
			}
		case "data":
			s.space()
			if s.peek() != '{' {
				s.skipValue()
				break
			}
			return s.object(func(inner string) bool {
				if inner == "type" {
					e.Data.Type, _ = s.stringOrSkip()
				} else {
					s.skipValue()
				}
				return s.err == nil
			})
		default:
			s.skipValue()
		}
		return s.err == nil
	})
	return e, ok && s.err == nil
}

type scanner struct {
	data []byte
	pos  int
	err  error
}

type syntaxError struct{}

func (syntaxError) Error() string { return "not JSON" }

func (s *scanner) fail() { s.err = syntaxError{} }

func (s *scanner) space() {
	for s.pos < len(s.data) {
		switch s.data[s.pos] {
		case ' ', '\t', '\r', '\n':
			s.pos++
		default:
			return
		}
	}
}

func (s *scanner) peek() byte {
	if s.pos < len(s.data) {
		return s.data[s.pos]
	}
	return 0
}

// object calls member for each key, positioned at its value, which member must consume.
func (s *scanner) object(member func(key string) bool) bool {
	s.space()
	if s.peek() != '{' {
		s.fail()
		return false
	}
	s.pos++
	s.space()
	if s.peek() == '}' {
		s.pos++
		return true
	}
	for s.err == nil {
		s.space()
		key, ok := s.str()
		if !ok {
			return false
		}
		s.space()
		if s.peek() != ':' {
			s.fail()
			return false
		}
		s.pos++
		if !member(key) {
			return false
		}
		s.space()
		switch s.peek() {
		case ',':
			s.pos++
		case '}':
			s.pos++
			return true
		default:
			s.fail()
		}
	}
	return false
}

// str reads a string at the cursor (escapes decoded only when present).
func (s *scanner) str() (string, bool) {
	if s.peek() != '"' {
		s.fail()
		return "", false
	}
	start := s.pos
	s.pos++
	escaped := false
	for s.pos < len(s.data) {
		switch s.data[s.pos] {
		case '\\':
			escaped = true
			s.pos += 2
			continue
		case '"':
			s.pos++
			raw := s.data[start:s.pos]
			if !escaped {
				return string(raw[1 : len(raw)-1]), true
			}
			value, err := strconv.Unquote(string(raw))
			if err != nil {
				s.fail()
				return "", false
			}
			return value, true
		}
		s.pos++
	}
	s.fail()
	return "", false
}

// stringOrSkip reads a string value, or skips a value of another kind.
func (s *scanner) stringOrSkip() (string, bool) {
	s.space()
	if s.peek() == '"' {
		return s.str()
	}
	s.skipValue()
	return "", false
}

func (s *scanner) skipValue() {
	s.space()
	switch c := s.peek(); {
	case c == '"':
		s.str()
	case c == '{' || c == '[':
		depth := 0
		for s.pos < len(s.data) && s.err == nil {
			switch s.data[s.pos] {
			case '"':
				s.str()
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					s.pos++
					return
				}
			}
			s.pos++
		}
		s.fail()
	default:
		start := s.pos
		for s.pos < len(s.data) {
			switch s.data[s.pos] {
			case ',', '}', ']', ' ', '\t', '\r', '\n':
				if s.pos == start {
					s.fail()
				}
				return
			}
			s.pos++
		}
		if s.pos == start {
			s.fail()
		}
	}
}
