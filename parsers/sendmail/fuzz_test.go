package sendmail

import (
	"bytes"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/bouncescan/bouncescan"
	"github.com/bouncescan/bouncescan/parsers/parsekit"
	"github.com/bouncescan/bouncescan/parsers/parsekit/parsekittest"
)

func FuzzParse(f *testing.F) {
	parsekittest.SampleSeeds(f, "sendmail")
	f.Add([]byte("sm-mta[1]: 5AM3EFxq004242: to=<a@b>,<c@d>, [more], stat=Deferred: 451 4.3.5 x"))
	f.Add([]byte("Jun 17 14:37:39 <mail.notice> robin sm-mta[2794]: 55HIbcGI002794: <baduser@yourhost.com>... User unknown"))
	f.Add([]byte("Nov 22 03:14:15 h sendmail[1]: 5AM3EFxq004242: 5AM3EFxq004243: DSN: Cannot send message for 5 days"))
	f.Fuzz(func(t *testing.T, data []byte) {
		p := New(parsekit.Options{Year: 2026, Location: time.UTC, MaxMessages: 8})
		parsekittest.FuzzLines(t, p, Name, data)
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
		parsekittest.Feed(New(parsekit.Options{Year: 2026, Location: time.UTC}), lines, emit)
	}
	b.ReportMetric(float64(len(lines))*float64(b.N)/b.Elapsed().Seconds(), "lines/s")
}
