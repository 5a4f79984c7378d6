package aggregate

import (
	"testing"
	"time"

	"github.com/bouncescan/bouncescan"
)

func ev(status bouncescan.Status, rcpt string, code int, enh, text string, reason string) *bouncescan.Event {
	e := &bouncescan.Event{
		Time: time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC), MTA: "postfix", Status: status,
		Recipient: rcpt, Domain: domainOf(rcpt), ReplyCode: code, EnhancedCode: enh, Text: text,
	}
	if reason != "" {
		e.Verdict = &bouncescan.Verdict{Class: bouncescan.ClassPermanent, Subject: bouncescan.SubjectAddressing, Reason: reason, Provider: "gmail"}
	}
	return e
}

func domainOf(a string) string {
	for i := len(a) - 1; i >= 0; i-- {
		if a[i] == '@' {
			return a[i+1:]
		}
	}
	return ""
}

func TestAddCountsAndRates(t *testing.T) {
	r := New(Limits{})
	r.Add(ev(bouncescan.StatusSent, "a@x.test", 250, "2.0.0", "Ok", ""))
	r.Add(ev(bouncescan.StatusSent, "b@x.test", 250, "2.0.0", "Ok", ""))
	r.Add(ev(bouncescan.StatusDeferred, "c@x.test", 452, "4.2.2", "mailbox full for c@x.test", ""))
	r.Add(ev(bouncescan.StatusExpired, "c@x.test", 452, "4.2.2", "mailbox full for c@x.test", ""))
	r.Add(ev(bouncescan.StatusBounced, "d@y.test", 550, "5.1.1", "user d@y.test unknown", "userunknown"))
	r.Add(ev(bouncescan.StatusBounced, "e@y.test", 550, "5.1.1", "user e@y.test unknown", "userunknown"))
	r.Finish(0)

	if r.Events != 6 || r.ByStatus["sent"] != 2 || r.ByStatus["bounced"] != 2 || r.ByReason["userunknown"] != 2 || r.ByProvider["gmail"] != 2 {
		t.Errorf("counts: events %d status %v reason %v provider %v", r.Events, r.ByStatus, r.ByReason, r.ByProvider)
	}
	if len(r.Domains) != 2 {
		t.Fatalf("domains: %+v", r.Domains)
	}
	x := r.Domains[0]
	if x.Name != "x.test" || x.Recipients != 3 || x.Sent != 2 || x.Deferred != 1 || x.Expired != 1 {
		t.Errorf("x.test: %+v", x)
	}
	if want := 1.0 / 3; x.BounceRate < want-1e-9 || x.BounceRate > want+1e-9 {
		t.Errorf("x.test bounce rate %v, want %v", x.BounceRate, want)
	}
	if y := r.Domains[1]; y.BounceRate != 1 || y.Recipients != 2 {
		t.Errorf("y.test: %+v", y)
	}
	// the two "user X unknown" texts are one template; the deferral and the
	// expiry with the same text are two rows (status is part of the key)
	if len(r.Top) != 3 || r.Top[0].Count != 2 || r.Top[0].Template != "user <addr> unknown" || r.Top[0].Domains != 1 {
		t.Errorf("top diagnostics: %+v %+v", r.Top[0], r.Top)
	}
}

func TestLimitsCountDrops(t *testing.T) {
	r := New(Limits{Domains: 2, Recipients: 2, Templates: 1})
	for _, a := range []string{"a@d1.test", "b@d2.test", "c@d3.test", "d@d4.test"} {
		r.Add(ev(bouncescan.StatusBounced, a, 550, "", "no "+a[:1], ""))
	}
	r.Finish(0)
	if r.Dropped.Domains != 2 || r.Dropped.Recipients != 2 || r.Dropped.Templates != 3 {
		t.Errorf("dropped %+v", r.Dropped)
	}
	var other *Domain
	for _, d := range r.Domains {
		if d.Name == otherDomain {
			other = d
		}
	}
	if other == nil || other.Events != 2 {
		t.Errorf("(other) domain: %+v", other)
	}
}

func TestMerge(t *testing.T) {
	a, b := New(Limits{}), New(Limits{})
	a.Add(ev(bouncescan.StatusSent, "a@x.test", 250, "", "", ""))
	b.Add(ev(bouncescan.StatusBounced, "b@x.test", 550, "5.1.1", "unknown", "userunknown"))
	b.Input.Lines = 10
	a.Merge(b)
	a.Finish(0)
	if a.Events != 2 || a.Input.Lines != 10 || a.Domains[0].Sent != 1 || a.Domains[0].Bounced != 1 || len(a.Top) != 1 {
		t.Errorf("merged: events %d lines %d domain %+v top %d", a.Events, a.Input.Lines, a.Domains[0], len(a.Top))
	}
}

func TestTemplate(t *testing.T) {
	for in, want := range map[string]string{
		"Ok: queued as SINK000001":                                      "Ok: queued as #",
		"<bob@example.com>: Recipient address rejected: User unknown":   "<addr>: Recipient address rejected: User unknown",
		"Client host [192.0.2.1] blocked using zen.spamhaus.org":        "Client host [<ip>] blocked using zen.spamhaus.org",
		"see https://support.google.com/mail/?p=NoSuchUser x12 - gsmtp": "see https://support.google.com/… # - gsmtp",
		"[TSS04] Messages from 192.0.2.25 temporarily deferred":         "[TSS04] Messages from <ip> temporarily deferred",
		"550 5.7.1 rejected":                                            "550 5.7.1 rejected",
	} {
		if got := Template(in); got != want {
			t.Errorf("Template(%q) = %q, want %q", in, got, want)
		}
	}
}
