package postfix

import (
	"bufio"
	"bytes"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/bouncescan/bouncescan/parsers/parsekit/parsekittest"
)

// scanFieldsByIndex is scanFields as first written (a search for '=',
// a check of the key, bytes.Index for the value's end): the reference for
// the one-pass version.
func scanFieldsByIndex(b []byte) (f deliveryFields, ok bool) {
	for len(b) > 2 && b[0] == ',' && b[1] == ' ' {
		b = b[2:]
		eq := bytes.IndexByte(b, '=')
		if eq <= 0 {
			return f, false
		}
		key, val := b[:eq], b[eq+1:]
		for _, c := range key {
			if (c < 'a' || c > 'z') && c != '_' {
				return f, false
			}
		}
		if string(key) == "status" {
			f.status = val
			return f, true
		}
		from := 0
		if len(val) > 0 && val[0] == '<' {
			if from = bytes.IndexByte(val, '>'); from < 0 {
				return f, false
			}
		}
		end := bytes.Index(val[from:], []byte(", "))
		if end < 0 {
			return f, false
		}
		end += from
		switch string(key) {
		case "orig_to":
			f.origTo = val[:end]
		case "relay":
			f.relay = val[:end]
		case "delay":
			f.delay = val[:end]
		case "dsn":
			f.dsn = val[:end]
		}
		b = val[end:]
	}
	return f, false
}

// corpusDeliveries returns the to= parts ("to=<…>, …") of the delivery
// lines of the shared Postfix corpus and of the testbed log.
func corpusDeliveries(t testing.TB) [][]byte {
	t.Helper()
	return corpusParts(t, "delivery", 100, func(l []byte) []byte {
		if i := bytes.Index(l, []byte(": to=<")); i >= 0 {
			return l[i+2:]
		}
		return nil
	})
}

// corpusParts returns part(line) of every line of the shared Postfix
// corpus and of the testbed log for which it is not nil (copies), and
// fails with fewer than min of them (what names them in the message).
func corpusParts(t testing.TB, what string, min int, part func(line []byte) []byte) [][]byte {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(parsekittest.Shared(t, "corpus/postfix"), "*.log"))
	files = append(files, filepath.Join(parsekittest.Shared(t, "corpus/real-mta"), "postfix.log"))
	var out [][]byte
	for _, name := range files {
		fh, err := os.Open(name)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(fh)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			if p := part(sc.Bytes()); p != nil {
				out = append(out, append([]byte(nil), p...))
			}
		}
		fh.Close()
	}
	if len(out) < min {
		t.Fatalf("only %d %s lines in the corpus", len(out), what)
	}
	return out
}

// mutate returns b with a few random edits: bytes that matter to the
// field syntax (", ", '=', '<', '>', letters) put in, cut out or swapped.
func mutate(rng *rand.Rand, b []byte) []byte {
	b = append([]byte(nil), b...)
	pieces := []string{", ", ",", " ", "=", "<", ">", "a", "_", "Z", "status=", ", relay=", "delay=", "(", ")", "[", "]", ":", "\x00", "é"}
	for k := rng.IntN(3); k >= 0; k-- {
		i := 0
		if len(b) > 0 {
			i = rng.IntN(len(b) + 1)
		}
		switch rng.IntN(3) {
		case 0:
			p := pieces[rng.IntN(len(pieces))]
			b = append(b[:i], append([]byte(p), b[i:]...)...)
		case 1:
			if i < len(b) {
				b = append(b[:i], b[min(len(b), i+1+rng.IntN(4)):]...)
			}
		default:
			b = b[:i]
		}
	}
	return b
}

// TestScanFieldsLikeReference: the one-pass scanFields reads what the
// reference reads, on the corpus's delivery lines and on mutations of
// them.
func TestScanFieldsLikeReference(t *testing.T) {
	lines := corpusDeliveries(t)
	rng := rand.New(rand.NewPCG(21, 22))
	check := func(b []byte) {
		f1, ok1 := scanFields(b)
		f2, ok2 := scanFieldsByIndex(b)
		if ok1 != ok2 || !bytes.Equal(f1.origTo, f2.origTo) || !bytes.Equal(f1.relay, f2.relay) || !bytes.Equal(f1.delay, f2.delay) ||
			!bytes.Equal(f1.dsn, f2.dsn) || !bytes.Equal(f1.status, f2.status) ||
			(f1.origTo == nil) != (f2.origTo == nil) || (f1.relay == nil) != (f2.relay == nil) || (f1.dsn == nil) != (f2.dsn == nil) {
			t.Fatalf("%q: got %v %q, reference %v %q", b, ok1, f1, ok2, f2)
		}
	}
	for _, l := range lines {
		rest := l[bytes.IndexByte(l, '>')+1:]
		check(rest)
		for n := 0; n < 200; n++ {
			check(mutate(rng, rest))
		}
	}
}

// BenchmarkScanFields reads the fields of the delivery lines of a
// generated log; /reference is the version it replaced.
func BenchmarkScanFields(b *testing.B) {
	var rests [][]byte
	for _, l := range benchLog(b, "postfix") {
		if i := bytes.Index(l, []byte(": to=<")); i >= 0 {
			r := l[i+2:]
			rests = append(rests, r[bytes.IndexByte(r, '>')+1:])
		}
	}
	for _, c := range []struct {
		name string
		f    func([]byte) (deliveryFields, bool)
	}{{"onepass", scanFields}, {"reference", scanFieldsByIndex}} {
		b.Run(c.name, func(b *testing.B) {
			n := 0
			for b.Loop() {
				for _, r := range rests {
					if _, ok := c.f(r); ok {
						n++
					}
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(rests)), "ns/line")
		})
	}
}
