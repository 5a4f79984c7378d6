package postfix

import (
	"bytes"
	"math/rand/v2"
	"strconv"
	"testing"
)

// corpusFroms returns the "from=<…" parts of the qmgr lines of the shared
// Postfix corpus and of the testbed log.
func corpusFroms(t testing.TB) [][]byte {
	t.Helper()
	return corpusParts(t, "qmgr from=", 50, func(l []byte) []byte {
		if bytes.Contains(l, []byte("qmgr")) {
			if i := bytes.Index(l, []byte(": from=<")); i >= 0 {
				return l[i+2:]
			}
		}
		return nil
	})
}

// TestQueueActiveLikeSearch: where queueActive reads a qmgr line, it
// finds what the three searches find, on the corpus's lines and on
// mutations of them; and it reads most of the corpus's lines.
func TestQueueActiveLikeSearch(t *testing.T) {
	rng := rand.New(rand.NewPCG(31, 32))
	read, lines := 0, corpusFroms(t)
	check := func(rest []byte, orig bool) {
		sender := addrAt(rest[min(5, len(rest)):])
		if !bytes.HasPrefix(rest, []byte("from=<")) || sender == nil {
			return
		}
		f, ok := queueActive(sender, rest[len("from=<")+len(sender):])
		if !ok {
			return
		}
		if orig {
			read++
		}
		want := searchQmgrFields(rest)
		if !bytes.Equal(f.size, want.size) || !bytes.Equal(f.nrcpt, want.nrcpt) || (f.status == nil) != (want.status == nil) ||
			(f.size == nil) != (want.size == nil) || (f.nrcpt == nil) != (want.nrcpt == nil) {
			t.Fatalf("%q: got %q, searches %q", rest, f, want)
		}
	}
	for _, l := range lines {
		check(l, true)
		for n := 0; n < 300; n++ {
			check(mutate(rng, l), false)
		}
	}
	for _, s := range []string{"from=<a@b>, size=12, nrcpt=1 (queue active)", "from=<SRS0=x=y=b.test=a@c.test>, size=3, nrcpt=2 (queue active)"} {
		check([]byte(s), true)
	}
	if read < len(lines)/2 {
		t.Errorf("queueActive read %d of %d lines", read, len(lines))
	}
	for _, s := range []string{"from=<a size=9@b>, size=12, nrcpt=1 (queue active)", "from=<a@b>, size=12, nrcpt=1 (queue active), status=x"} {
		b := []byte(s)
		sender := addrAt(b[5:])
		if _, ok := queueActive(sender, b[len("from=<")+len(sender):]); ok {
			t.Errorf("%q read", s)
		}
	}
}

// TestParseSize: parseSize gives strconv.ParseInt's value.
func TestParseSize(t *testing.T) {
	for _, s := range []string{"0", "1234", "000123", "999999999999999999", "9223372036854775807", "9223372036854775808",
		"99999999999999999999", "", "-5", "+5", "1_000", "12a", " 1"} {
		want, _ := strconv.ParseInt(s, 10, 64)
		if got := parseSize([]byte(s)); got != want {
			t.Errorf("parseSize(%q) = %d, want %d", s, got, want)
		}
	}
}

// BenchmarkQmgrFields reads the qmgr from= lines of a generated log;
// /search is the three parsekit.Field searches queueActive saves.
func BenchmarkQmgrFields(b *testing.B) {
	var rests [][]byte
	for _, l := range benchLog(b, "postfix") {
		if i := bytes.Index(l, []byte("qmgr[")); i >= 0 {
			if j := bytes.Index(l[i:], []byte(": from=<")); j >= 0 {
				rests = append(rests, l[i+j+2:])
			}
		}
	}
	b.Run("queueActive", func(b *testing.B) {
		for b.Loop() {
			for _, r := range rests {
				sender := addrAt(r[5:])
				if _, ok := queueActive(sender, r[len("from=<")+len(sender):]); !ok {
					searchQmgrFields(r)
				}
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(rests)), "ns/line")
	})
	b.Run("search", func(b *testing.B) {
		for b.Loop() {
			for _, r := range rests {
				searchQmgrFields(r)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(rests)), "ns/line")
	})
}
