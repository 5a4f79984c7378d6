package exim

import (
	"bytes"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"unsafe"

	"github.com/bouncescan/bouncescan"
	"github.com/bouncescan/bouncescan/parsers/parsekit"
	"github.com/bouncescan/bouncescan/parsers/parsekit/parsekittest"
)

// TestPackSharing: an event's varying strings share one allocation, but
// for a deferral's text, which the deferral memory may drop on its own;
// an arrival's strings share one of their own.
func TestPackSharing(t *testing.T) {
	lines := []string{
		arrive,
		l("03:00:01", `=> a@example.net <A@example.net> R=dnslookup T=remote_smtp H=mx.example.net [192.0.2.20] C="250 2.0.0 OK id=1"`),
		l("03:00:02", `== b@example.net R=dnslookup T=remote_smtp defer (-44) H=mx.example.net [192.0.2.20]: SMTP error from remote mail server after RCPT TO:<b@example.net>: 451 4.7.1 later`),
		l("03:00:03", `** c@example.net F=<s@example.org> R=dnslookup T=remote_smtp H=mx.example.net [192.0.2.20]: SMTP error from remote mail server after RCPT TO:<c@example.net>: 550 5.1.1 gone`),
		"2026-11-22 03:00:04 H=(helo) [203.0.113.5]:5000 F=<x@y.test> rejected RCPT <d@example.net>: 550 5.7.1 relay not permitted",
	}
	p := New(testOpts())
	p.Begin(parsekit.File{Name: "t", Fingerprint: 7})
	var got []bouncescan.Event
	for i, s := range lines {
		if err := p.Parse([]byte(s), bouncescan.Pos{Source: "t", Line: int64(i + 1), Offset: int64(100 * i)}, func(e *bouncescan.Event) { got = append(got, *e) }); err != nil {
			t.Fatal(err)
		}
	}
	if len(got) != 4 {
		t.Fatalf("%d events", len(got))
	}
	for i, e := range got {
		// the pack runs from its first string to the event id, its last
		first := e.Recipient
		if i == 3 {
			first = e.EnhancedCode // a rejection: the reply is packed first
		}
		start := unsafe.Pointer(unsafe.StringData(first))
		end := unsafe.Add(unsafe.Pointer(unsafe.StringData(e.ID)), len(e.ID))
		whole := unsafe.String((*byte)(start), uintptr(end)-uintptr(start))
		packed := map[string]string{"Recipient": e.Recipient, "RelayIP": e.RelayIP, "EnhancedCode": e.EnhancedCode, "ID": e.ID}
		if e.Status != bouncescan.StatusDeferred {
			packed["Text"] = e.Text
		} else if parsekittest.Inside(e.Text, whole) {
			t.Errorf("event %d: a deferral's text is packed", i)
		}
		if i >= 2 {
			packed["Sender"] = e.Sender
		}
		for name, s := range packed {
			if !parsekittest.Inside(s, whole) {
				t.Errorf("event %d: %s %q not in the pack", i, name, s)
			}
		}
		if e.ID != parsekit.EventID(7, int64(100*(i+1)), 0) {
			t.Errorf("event %d: id %q", i, e.ID)
		}
	}
	if e := got[0]; e.OrigRecipient != "" || e.Recipient != "A@example.net" || e.Domain != "example.net" || e.Text != "OK id=1" {
		t.Errorf("sent event: %+v", e)
	}
	m := p.msgs.Peek([]byte(qid))
	if m == nil {
		t.Fatal("no message state")
	}
	whole := unsafe.String(unsafe.StringData(m.id), len(m.id)+len(m.sender)+len(m.messageID))
	if !parsekittest.Inside(m.sender, whole) || !parsekittest.Inside(m.messageID, whole) {
		t.Errorf("arrival strings not in one allocation: %q %q %q", m.id, m.sender, m.messageID)
	}
}

// TestSetStrings: an arrival sets what changed and keeps the rest.
func TestSetStrings(t *testing.T) {
	var m message
	m.setStrings([]byte("q1"), []byte("s1"), nil, false)
	if m.id != "q1" || m.sender != "s1" || !m.hasSender || m.messageID != "" {
		t.Fatalf("%+v", m)
	}
	m.setStrings([]byte("q2"), []byte("s1"), []byte("m1"), true)
	if m.id != "q1" || m.sender != "s1" || m.messageID != "m1" {
		t.Fatalf("%+v", m)
	}
	m.setStrings([]byte("q2"), []byte(""), []byte(""), true)
	if m.id != "q1" || m.sender != "" || !m.hasSender || m.messageID != "" {
		t.Fatalf("%+v", m)
	}
	if n := testing.AllocsPerRun(100, func() { m.setStrings([]byte("q2"), []byte(""), []byte(""), true) }); n != 0 {
		t.Errorf("%.0f allocs for nothing new", n)
	}
	if n := testing.AllocsPerRun(100, func() { m = message{}; m.setStrings([]byte("q3"), []byte("s3"), []byte("m3"), true) }); n != 1 {
		t.Errorf("%.0f allocs for three new strings", n)
	}
}

// TestArrivalFieldsLikeIndex: arrivalFields finds what bytes.Index(b,
// " S=") and bytes.Index(b, " id=") find, on the samples' and corpus's
// arrival lines and mutations of each.
func TestArrivalFieldsLikeIndex(t *testing.T) {
	ref := func(b []byte, key string) ([]byte, bool) {
		i := bytes.Index(b, []byte(" "+key))
		if i < 0 {
			return nil, false
		}
		v := b[i+1+len(key):]
		if j := bytes.IndexByte(v, ' '); j >= 0 {
			v = v[:j]
		}
		return v, true
	}
	inputs := []string{"", " ", "S=", " S=", " S=1", "xS=1 S=2", "S=1 S=2", "a  S=5 id=x", " id=<a@b> S=9", "S=S=S= S=", "idid= id= id=z"}
	for _, l := range arrivalLines(t) {
		inputs = append(inputs, l)
	}
	rng := rand.New(rand.NewPCG(3, 4))
	alphabet := []byte(" S=id")
	for _, s := range inputs {
		for n := 0; n < 50; n++ {
			b := []byte(s)
			if n > 0 {
				for k := 0; k < 1+rng.IntN(4) && len(b) > 0; k++ {
					b[rng.IntN(len(b))] = alphabet[rng.IntN(len(alphabet))]
				}
			}
			size, id, okS, okID := arrivalFields(b)
			wsize, wokS := ref(b, "S=")
			wid, wokID := ref(b, "id=")
			if okS != wokS || !bytes.Equal(size, wsize) || okID != wokID || !bytes.Equal(id, wid) {
				t.Fatalf("arrivalFields(%q) = %q %v %q %v, bytes.Index finds %q %v %q %v", b, size, okS, id, okID, wsize, wokS, wid, wokID)
			}
		}
	}
}

// arrivalLines are the "<= " parts of the samples' and the shared
// corpus's arrival lines.
func arrivalLines(t testing.TB) []string {
	var out []string
	for _, l := range sampleLines(t) {
		if i := bytes.Index(l, []byte(" <= ")); i >= 0 {
			out = append(out, string(l[i+4:]))
		}
	}
	return out
}

// sampleLines are the lines of the samples and, when ../shared is
// there, of the shared Exim corpus and the real Exim testbed logs.
func sampleLines(t testing.TB) [][]byte {
	t.Helper()
	files, _ := filepath.Glob("../../samples/exim/*")
	more, _ := filepath.Glob("../../../shared/corpus/exim/*.log")
	files = append(files, more...)
	files = append(files, "../../../shared/corpus/real-mta/mainlog", "../../../shared/corpus/real-mta/rejectlog")
	var out [][]byte
	for _, name := range files {
		if filepath.Ext(name) == ".md" {
			continue
		}
		if st, err := os.Stat(name); err != nil || st.IsDir() {
			continue
		}
		out = append(out, parsekittest.HeadLines(t, name, 1<<20)...)
	}
	return out
}

// BenchmarkArrivalFields: S= and id= of an arrival line, by
// arrivalFields against bytes.Index of " S=" and " id=".
func BenchmarkArrivalFields(b *testing.B) {
	line := []byte("jane.doe@ourhost.example H=app1.ourhost.example [192.0.2.20] P=esmtpsa X=TLS1.3:TLS_AES_256_GCM_SHA384:256 CV=no A=dovecot_plain:app S=15125 id=cc8abd6989b4db80@ourhost.example")
	b.Run("arrivalFields", func(b *testing.B) {
		for b.Loop() {
			arrivalFields(line)
		}
	})
	b.Run("Index", func(b *testing.B) {
		for b.Loop() {
			bytes.Index(line, []byte(" S="))
			bytes.Index(line, []byte(" id="))
		}
	})
}
