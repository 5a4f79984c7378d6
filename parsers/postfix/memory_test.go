package postfix

import (
	"bufio"
	"os"
	"runtime"
	"testing"
	"time"

	"github.com/bouncescan/bouncescan"
	"github.com/bouncescan/bouncescan/parsers/parsekit"
)

// TestDeferralMemory reads the log named by BOUNCESCAN_DEFERRAL_LOG (for
// example 150 messages × 1000 deferred recipients × 4 KB replies, issue
// #9) and reports the heap the parser holds at the end, before Flush.
// Skipped without the variable: the log is hundreds of MB.
func TestDeferralMemory(t *testing.T) {
	path := os.Getenv("BOUNCESCAN_DEFERRAL_LOG")
	if path == "" {
		t.Skip("set BOUNCESCAN_DEFERRAL_LOG to a deferral-heavy Postfix log")
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	p := New(parsekit.Options{Year: 2026, Location: time.UTC})
	p.Begin(parsekit.File{Name: path, Fingerprint: 1})
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	var off int64
	events := 0
	for n := int64(1); sc.Scan(); n++ {
		_ = p.Parse(sc.Bytes(), bouncescan.Pos{Source: path, Line: n, Offset: off}, func(*bouncescan.Event) { events++ })
		off += int64(len(sc.Bytes())) + 1
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	t.Logf("%d events; heap in use after GC %.1f MiB; stats %+v", events, float64(ms.HeapAlloc)/(1<<20), p.Stats())
	runtime.KeepAlive(p)
}
