package parsers

import (
	"bytes"
	"testing"
)

// FuzzDetect: any first lines: no panic, and the format chosen is one of
// the registry's (or none).
func FuzzDetect(f *testing.F) {
	f.Add([]byte("Nov 22 03:14:15 mx postfix/smtp[1]: ABC: to=<a@b.example>, status=sent\n"))
	f.Add([]byte("2026-11-22 03:14:15 1tXyZa-000123-AB ** a@b.example R=dnslookup T=remote_smtp: SMTP error\n"))
	f.Add([]byte("#Fields: date-time,client-ip,client-hostname\n2026-11-22T03:14:15.000Z,1.2.3.4,x\n"))
	f.Add([]byte("{\"__REALTIME_TIMESTAMP\":\"1\",\"MESSAGE\":\"x\"}\n\x00\xff\n"))
	f.Add([]byte("\"Received\",\"SenderAddress\",\"RecipientAddress\"\r\n"))
	formats := Builtin()
	f.Fuzz(func(t *testing.T, data []byte) {
		head := bytes.Split(data, []byte("\n"))
		if len(head) > 50 {
			head = head[:50]
		}
		got, ok := Detect(formats, head)
		if !ok {
			return
		}
		if _, known := Lookup(formats, got.Name); !known || got.New == nil {
			t.Fatalf("Detect chose %q, which is not in the registry", got.Name)
		}
	})
}
