package postfix

import (
	"bytes"
	"math/rand/v2"
	"testing"
)

// queueIDByRanges is queueID as first written (two passes, one range
// test a class): the reference for the one-pass version.
func queueIDByRanges(msg []byte) (qid, rest []byte) {
	i := 0
	for i < len(msg) && i < 32 {
		c := msg[i]
		if (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') {
			i++
			continue
		}
		break
	}
	if i < 5 || i+1 >= len(msg) || msg[i] != ':' || msg[i+1] != ' ' {
		return nil, msg
	}
	id := msg[:i]
	if !bytes.Equal(id, []byte("NOQUEUE")) {
		digits, hex := 0, true
		for _, c := range id {
			if c >= '0' && c <= '9' {
				digits++
			} else if c < 'A' || c > 'F' {
				hex = false
			}
		}
		if digits == 0 && !(hex && len(id) >= 6) {
			return nil, msg
		}
	}
	return id, msg[i+2:]
}

func TestQueueIDLikeReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	alphabet := []byte("0123456789ABCDEFGZaz@[`{/:: \x80\xff")
	fixed := []string{"NOQUEUE: x", "4F1A2B3C4D: to=<", "ABCDEFAB: x", "warning: x", "3Tq5Lq2Yz8zKx9: x", "ABCDE: x", "GHIJKLMN: x"}
	for n := 0; n < 300000; n++ {
		var b []byte
		if n < len(fixed) {
			b = []byte(fixed[n])
		} else {
			for k := rng.IntN(40); k >= 0; k-- {
				b = append(b, alphabet[rng.IntN(len(alphabet))])
			}
			if rng.IntN(2) == 0 {
				b = append(b, ": rest"...)
			}
		}
		q1, r1 := queueID(b)
		q2, r2 := queueIDByRanges(b)
		if !bytes.Equal(q1, q2) || (q1 == nil) != (q2 == nil) || !bytes.Equal(r1, r2) {
			t.Fatalf("%q: got (%q, %q), reference (%q, %q)", b, q1, r1, q2, r2)
		}
	}
}

func TestLastIndexLikeBytes(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	for n := 0; n < 100000; n++ {
		var b []byte
		for k := rng.IntN(12); k >= 0; k-- {
			b = append(b, []string{"queued as ", "queued", " as ", "q", "x", "queued as queued as "}[rng.IntN(6)]...)
		}
		if got, want := lastIndex(b, "queued as "), bytes.LastIndex(b, []byte("queued as ")); got != want {
			t.Fatalf("%q: %d, bytes.LastIndex %d", b, got, want)
		}
	}
}

// TestIDClass checks the table queueID reads against the classes it
// stands for.
func TestIDClass(t *testing.T) {
	for c := 0; c < 256; c++ {
		var want byte
		switch {
		case c >= '0' && c <= '9':
			want = classDigit
		case c >= 'A' && c <= 'F':
			want = classHex
		case c >= 'G' && c <= 'Z' || c >= 'a' && c <= 'z':
			want = classLetter
		}
		if got := idClass[c]; got != want {
			t.Errorf("idClass[%#x] = %d, want %d", c, got, want)
		}
	}
}

// BenchmarkQueueID splits the messages of a generated log (after the
// syslog header): queue ids, NOQUEUE and words.
func BenchmarkQueueID(b *testing.B) {
	lines := benchLog(b, "postfix")
	var msgs [][]byte
	for _, l := range lines {
		if i := bytes.Index(l, []byte("]: ")); i > 0 {
			msgs = append(msgs, l[i+3:])
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	n := 0
	for b.Loop() {
		for _, m := range msgs {
			if q, _ := queueID(m); q != nil {
				n++
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(msgs)), "ns/msg")
}

// BenchmarkQueueIDByRanges is the reference, for comparison.
func BenchmarkQueueIDByRanges(b *testing.B) {
	lines := benchLog(b, "postfix")
	var msgs [][]byte
	for _, l := range lines {
		if i := bytes.Index(l, []byte("]: ")); i > 0 {
			msgs = append(msgs, l[i+3:])
		}
	}
	b.ResetTimer()
	for b.Loop() {
		for _, m := range msgs {
			queueIDByRanges(m)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(msgs)), "ns/msg")
}
