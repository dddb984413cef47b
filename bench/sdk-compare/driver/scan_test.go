package main

import "testing"

func TestScanEvent(t *testing.T) {
	cases := []struct {
		line      string
		ok        bool
		event     string
		session   string
		noSession bool
		kind      string
	}{
		{line: `{"event":"session","session_id":"a-1","data":{"type":"stream","data":{"type":"text","message":{"text":"x}\"{"}}}}`, ok: true, event: "session", session: "a-1", kind: "stream"},
		{line: `{"session_id": "b\"2", "event": "session", "data": {"data": {"type": "text"}, "type": "end"}}` + "\n", ok: true, event: "session", session: `b"2`, kind: "end"},
		{line: `{"event": "heartbeat", "session_id": null, "data": {}}`, ok: true, event: "heartbeat", noSession: true},
		{line: `{"event":"log","data":[1,2,{"a":[true,false,null]}],"session_id":"c","n":-1.5e3}`, ok: true, event: "log", session: "c"},
		{line: `not json`, ok: false},
		{line: `{"event":"session","session_id":"x"`, ok: false},
		{line: `[1,2]`, ok: false},
	}
	for _, c := range cases {
		e, ok := scanEvent([]byte(c.line))
		if ok != c.ok {
			t.Fatalf("%s: ok %v, want %v", c.line, ok, c.ok)
		}
		if !ok {
			continue
		}
		if e.Event != c.event || e.Data.Type != c.kind {
			t.Fatalf("%s: got event %q type %q", c.line, e.Event, e.Data.Type)
		}
		if c.noSession != (e.SessionID == nil) || (e.SessionID != nil && *e.SessionID != c.session) {
			t.Fatalf("%s: session %v", c.line, e.SessionID)
		}
	}
}
