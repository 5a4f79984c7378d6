package redact

import (
	"strings"
	"testing"

	"github.com/bouncescan/bouncescan"
)

func TestNewNeedsKey(t *testing.T) {
	if _, err := New(nil); err != ErrNoKey {
		t.Fatalf("New(nil) = %v, want ErrNoKey", err)
	}
}

func TestAddress(t *testing.T) {
	r, _ := New([]byte("k1"))
	r2, _ := New([]byte("k2"))
	a := r.Address("Bob@Example.com")
	if !strings.HasSuffix(a, "@Example.com") || !strings.HasPrefix(a, Prefix) || len(a) != len(Prefix)+hashLen+len("@Example.com") {
		t.Fatalf("Address = %q", a)
	}
	if strings.Contains(strings.ToLower(a), "bob") {
		t.Fatalf("local part left in %q", a)
	}
	if b := r.Address("bob@example.com"); b[:len(Prefix)+hashLen] != a[:len(Prefix)+hashLen] {
		t.Errorf("case of the local part changes the hash: %q %q", a, b)
	}
	if b := r2.Address("bob@example.com"); b == r.Address("bob@example.com") {
		t.Errorf("two keys give the same hash %q", b)
	}
	if b := r.Address("alice@example.com"); b == r.Address("bob@example.com") {
		t.Errorf("two addresses give the same hash %q", b)
	}
	if got := r.Address(a); got != a {
		t.Errorf("redacting twice changes %q to %q", a, got)
	}
	for _, keep := range []string{"", "<>"} {
		if got := r.Address(keep); got != keep {
			t.Errorf("Address(%q) = %q", keep, got)
		}
	}
	if got := r.Address("|/usr/bin/procmail"); strings.Contains(got, "procmail") {
		t.Errorf("pipe kept: %q", got)
	}
}

func TestText(t *testing.T) {
	r, _ := New([]byte("key"))
	bob := r.Address("bob@example.com")
	cases := []struct{ in, want string }{
		{"550 5.1.1 <bob@example.com>: Recipient address rejected: User unknown", "550 5.1.1 <" + bob + ">: Recipient address rejected: User unknown"},
		{"no address here", "no address here"},
		{"mailbox bob@example.com. is full", "mailbox " + bob + ". is full"},
		{"x BOB@example.com y", "x " + r.Local("bob") + "@example.com y"},
		{"to root@localhost", "to " + r.Local("root") + "@localhost"},
		{"lit a.b@[192.0.2.1] end", "lit " + r.Local("a.b") + "@[192.0.2.1] end"},
		{"two a@x.test,b@y.test", "two " + r.Local("a") + "@x.test," + r.Local("b") + "@y.test"},
		{"lone @ sign and @@", "lone @ sign and @@"},
		{bob + " again", bob + " again"},
	}
	for _, c := range cases {
		if got := r.Text(c.in); got != c.want {
			t.Errorf("Text(%q)\n got %q\nwant %q", c.in, got, c.want)
		}
	}
}

func TestEvent(t *testing.T) {
	r, _ := New([]byte("key"))
	e := bouncescan.Event{Sender: "s@a.test", Recipient: "bob@b.test", OrigRecipient: "alias@b.test", Domain: "b.test",
		Text: "<bob@b.test>: unknown", Verdict: &bouncescan.Verdict{Evidence: "bob@b.test"}}
	r.Event(&e)
	for _, f := range []string{e.Sender, e.Recipient, e.OrigRecipient, e.Text, e.Verdict.Evidence} {
		if strings.Contains(f, "bob@") || strings.Contains(f, "s@") || strings.Contains(f, "alias@") {
			t.Errorf("not redacted: %q", f)
		}
	}
	if e.Domain != "b.test" || !strings.HasSuffix(e.Recipient, "@b.test") {
		t.Errorf("domain lost: %+v", e)
	}
}

func BenchmarkText(b *testing.B) {
	r, _ := New([]byte("key"))
	s := "550 5.1.1 <someone.long@example.com>: Recipient address rejected: User unknown in virtual mailbox table"
	b.ReportAllocs()
	b.SetBytes(int64(len(s)))
	for b.Loop() {
		_ = r.Text(s)
	}
}
