package exim

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/bouncescan/bouncescan"
	"github.com/bouncescan/bouncescan/parsers/parsekit"
)

func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("../../samples/exim/*")
	for _, name := range files {
		if filepath.Ext(name) == ".md" {
			continue
		}
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
		for _, l := range bytes.Split(b, []byte("\n")) {
			if len(l) > 0 {
				f.Add(l)
			}
		}
	}
	f.Add([]byte("2026-11-22 03:14:15 1tXyZa-000123-AB ** a@b: retry timeout exceeded"))
	f.Add([]byte("2026-11-22 03:14:15 1tXyZa-000123-AB == a@b <A@b> R=r T=t defer (110): Connection timed out H=h [1.2.3.4]:25*: SMTP timeout after end of data"))
	f.Add([]byte(`2026-11-22 03:14:15 1tXyZa-000123-AB ** "a b"@c <x> R=r T=t H=h (helo) [ip]:PORT X=a:b CV=yes DN="q\"x" K C="250 \" ok": x`))
	f.Add([]byte("x exim[1]: 2026-11-22 03:14:15 [12] unqualified sender rejected: <"))
	f.Add([]byte("2026-11-22 03:14:15 rejected MAIL FROM:<"))
	f.Fuzz(func(t *testing.T, data []byte) {
		wd := time.AfterFunc(3*time.Second, func() { panic(fmt.Sprintf("WATCHDOG %q", data)) })
		defer wd.Stop()
		p := New(parsekit.Options{Year: 2026, Location: time.UTC, MaxMessages: 8})
		p.Begin(parsekit.File{Name: "fuzz", Fingerprint: 1})
		var off int64
		for n, line := range bytes.Split(data, []byte("\n")) {
			keep := string(line)
			err := p.Parse(line, bouncescan.Pos{Source: "fuzz", Line: int64(n + 1), Offset: off}, func(e *bouncescan.Event) {
				if e.MTA != Name || e.Line != int64(n+1) {
					t.Fatalf("bad event position %+v", e)
				}
			})
			if err != nil {
				var pe *bouncescan.ParseError
				if !errors.As(err, &pe) || !(errors.Is(err, bouncescan.ErrUnparsed) || errors.Is(err, bouncescan.ErrNotMine)) {
					t.Fatalf("error %v is not a ParseError with a sentinel", err)
				}
			}
			if string(line) != keep {
				t.Fatalf("Parse modified its input line")
			}
			off += int64(len(line)) + 1
		}
		p.Flush(func(*bouncescan.Event) {})
		if p.Stats().Messages != 0 {
			t.Fatalf("Flush left state")
		}
		_ = Detect(bytes.Split(data, []byte("\n")))
	})
}
