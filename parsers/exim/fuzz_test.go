package exim

import (
	"bytes"
	"testing"
	"time"

	"github.com/bouncescan/bouncescan/parsers/parsekit"
	"github.com/bouncescan/bouncescan/parsers/parsekit/parsekittest"
)

func FuzzParse(f *testing.F) {
	parsekittest.SampleSeeds(f, "exim")
	f.Add([]byte("2026-11-22 03:14:15 1tXyZa-000123-AB ** a@b: retry timeout exceeded"))
	f.Add([]byte("2026-11-22 03:14:15 1tXyZa-000123-AB == a@b <A@b> R=r T=t defer (110): Connection timed out H=h [1.2.3.4]:25*: SMTP timeout after end of data"))
	f.Add([]byte(`2026-11-22 03:14:15 1tXyZa-000123-AB ** "a b"@c <x> R=r T=t H=h (helo) [ip]:PORT X=a:b CV=yes DN="q\"x" K C="250 \" ok": x`))
	f.Add([]byte("x exim[1]: 2026-11-22 03:14:15 [12] unqualified sender rejected: <"))
	f.Add([]byte("2026-11-22 03:14:15 rejected MAIL FROM:<"))
	f.Fuzz(func(t *testing.T, data []byte) {
		p := New(parsekit.Options{Year: 2026, Location: time.UTC, MaxMessages: 8})
		parsekittest.FuzzLines(t, p, Name, data)
		if p.Stats().Messages != 0 {
			t.Fatalf("Flush left state")
		}
		_ = Detect(bytes.Split(data, []byte("\n")))
	})
}
