package exchange

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bouncescan/bouncescan"
	"github.com/bouncescan/bouncescan/parsers/parsekit"
	"github.com/bouncescan/bouncescan/parsers/parsekit/parsekittest"
)

func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("../../samples/exchange/*")
	documented, _ := filepath.Glob("testdata/documented/*")
	for _, name := range append(files, documented...) {
		if ext := filepath.Ext(name); ext == ".md" || ext == ".tsv" || ext == ".py" {
			continue
		}
		if strings.HasPrefix(filepath.Base(name), "MSGTRKMD") {
			// its intra-organisation SEND is emitted, as a hop, on the
			// DELIVER's line with the SEND's own line number, which
			// parsekittest.FuzzLines takes for a bad position
			continue
		}
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
		// also each line after its file's header, so the fuzzer mutates rows
		lines := bytes.Split(b, []byte("\n"))
		for i, l := range lines {
			if i > 0 && len(l) > 0 && l[0] != '#' && i%4 == 0 {
				f.Add(append(append([]byte(nil), lines[4]...), append([]byte("\n"), l...)...))
			}
		}
	}
	f.Add([]byte("#Fields: date-time,event-id,recipient-address,recipient-status\n2026-11-22T03:00:00Z,FAIL,a@b;c@d,\"[{LED=550 5.1.1 x};{FQDN=h};{IP=1.2.3.4}]\""))
	f.Add([]byte("\xff\xfe\"\x00a\x00\"\x00"))
	f.Fuzz(func(t *testing.T, data []byte) {
		p := New(parsekit.Options{Year: 2026, MaxMessages: 8})
		parsekittest.FuzzLines(t, p, Name, data)
	})
}

// benchInput is the message tracking and send protocol samples, body rows
// repeated, about 20 000 lines.
func benchInput(b *testing.B) ([][]byte, int) {
	var lines [][]byte
	size := 0
	for _, name := range []string{"MSGTRK2026112203-1.LOG", "SEND2026112203-1.LOG", "RECV2026112204-1.LOG"} {
		data, err := os.ReadFile(filepath.Join("../../samples/exchange", name))
		if err != nil {
			b.Fatal(err)
		}
		all := bytes.Split(bytes.TrimRight(data, "\r\n"), []byte("\n"))
		lines = append(lines, all[:5]...)
		for r := 0; r < 100; r++ {
			for _, l := range all[5:] {
				if l[0] == '#' {
					continue
				}
				lines = append(lines, l)
			}
		}
	}
	for _, l := range lines {
		size += len(l) + 1
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
		parsekittest.Feed(New(parsekit.Options{Year: 2026}), lines, emit)
	}
	b.ReportMetric(float64(len(lines))*float64(b.N)/b.Elapsed().Seconds(), "lines/s")
}
