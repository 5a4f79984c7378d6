package sendmail

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
	files, _ := filepath.Glob("../../samples/sendmail/*")
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
	f.Add([]byte("sm-mta[1]: 5AM3EFxq004242: to=<a@b>,<c@d>, [more], stat=Deferred: 451 4.3.5 x"))
	f.Add([]byte("Jun 17 14:37:39 <mail.notice> robin sm-mta[2794]: 55HIbcGI002794: <baduser@yourhost.com>... User unknown"))
	f.Add([]byte("Nov 22 03:14:15 h sendmail[1]: 5AM3EFxq004242: 5AM3EFxq004243: DSN: Cannot send message for 5 days"))
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
	})
}

// benchInput is the maillog sample with its queue ids made unique per
// copy, repeated to about 20 000 lines.
func benchInput(b *testing.B) ([][]byte, int) {
	data, err := os.ReadFile("../../samples/sendmail/maillog")
	if err != nil {
		b.Fatal(err)
	}
	all := bytes.Split(bytes.TrimRight(data, "\n"), []byte("\n"))
	var lines [][]byte
	size := 0
	for r := 0; len(lines) < 20000; r++ {
		tag := []byte(fmt.Sprintf("%04d", r%10000))
		for _, l := range all {
			// queue ids end in a pid: vary their last 4 digits per copy
			c := bytes.ReplaceAll(l, []byte("00: "), append(tag, ": "...))
			lines = append(lines, c)
			size += len(c) + 1
		}
	}
	return lines, size
}

func BenchmarkParse(b *testing.B) {
	lines, size := benchInput(b)
	b.ReportAllocs()
	b.SetBytes(int64(size))
	n := 0
	emit := func(*bouncescan.Event) { n++ }
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		p := New(parsekit.Options{Year: 2026, Location: time.UTC})
		p.Begin(parsekit.File{Name: "bench", Fingerprint: 1})
		var off int64
		for j, l := range lines {
			_ = p.Parse(l, bouncescan.Pos{Source: "bench", Line: int64(j + 1), Offset: off}, emit)
			off += int64(len(l)) + 1
		}
		p.Flush(emit)
	}
	b.ReportMetric(float64(len(lines))*float64(b.N)/b.Elapsed().Seconds(), "lines/s")
}
