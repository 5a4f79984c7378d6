package live

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bouncescan/bouncescan"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// postfixLog writes a Postfix log of 90 minutes from 10:00: mail to
// Microsoft (outlook.com, hotmail.com through *.protection.outlook.com),
// Gmail, Yahoo, a small domain and a dead one, and inbound rejections
// by our own smtpd for a Spamhaus listing. From minute 40 to 59 Microsoft
// refuses everything with 550 5.7.606 (banned sending IP); from minute 60
// it delivers again.
func postfixLog() string {
	var b strings.Builder
	q := 0x1A2B3C000
	const ip = "203.0.113.5"
	type dest struct {
		domain, relay string
		n             int
	}
	dests := []dest{
		{"outlook.com", "outlook-com.olc.protection.outlook.com[52.101.68.2]:25", 4},
		{"hotmail.com", "hotmail-com.olc.protection.outlook.com[52.101.8.44]:25", 4},
		{"gmail.com", "gmail-smtp-in.l.google.com[142.250.27.26]:25", 6},
		{"yahoo.com", "mta7.am0.yahoodns.net[67.195.204.72]:25", 4},
		{"example.org", "mx.example.org[198.51.100.7]:25", 1},
		{"broken.example", "", 1},
	}
	for m := 0; m < 90; m++ {
		sec := 0
		stamp := func() string {
			return fmt.Sprintf("Nov 22 %02d:%02d:%02d", 10+m/60, m%60, sec)
		}
		if m%7 == 3 {
			fmt.Fprintf(&b, "%s mta postfix/smtpd[6001]: NOQUEUE: reject: RCPT from unknown[192.0.2.44]: 554 5.7.1 Service unavailable; Client host [192.0.2.44] blocked using zen.spamhaus.org; https://www.spamhaus.org/query/ip/192.0.2.44; from=<offers@bad.example> to=<info@ourcompany.example> proto=ESMTP helo=<bad.example>\n", stamp())
		}
		for _, d := range dests {
			for i := 0; i < d.n; i++ {
				q++
				sec += 2
				id := fmt.Sprintf("%X", q)
				rcpt := fmt.Sprintf("user%d.%d@%s", m, i, d.domain)
				fmt.Fprintf(&b, "%s mta postfix/pickup[5100]: %s: uid=1000 from=<news@ourcompany.example>\n", stamp(), id)
				fmt.Fprintf(&b, "%s mta postfix/cleanup[5148]: %s: message-id=<%s@ourcompany.example>\n", stamp(), id, id)
				fmt.Fprintf(&b, "%s mta postfix/qmgr[5101]: %s: from=<news@ourcompany.example>, size=4242, nrcpt=1 (queue active)\n", stamp(), id)
				host, _, _ := strings.Cut(d.relay, ":")
				ms := d.domain == "outlook.com" || d.domain == "hotmail.com"
				switch {
				case d.relay == "":
					fmt.Fprintf(&b, "%s mta postfix/smtp[5150]: %s: to=<%s>, relay=none, delay=30, delays=0.01/0/30/0, dsn=4.4.1, status=deferred (connect to mx.broken.example[198.51.100.9]:25: Connection timed out)\n", stamp(), id, rcpt)
					continue
				case ms && m >= 40 && m < 60:
					fmt.Fprintf(&b, "%s mta postfix/smtp[5150]: %s: to=<%s>, relay=%s, delay=0.4, delays=0.01/0/0.2/0.2, dsn=5.7.606, status=bounced (host %s said: 550 5.7.606 Access denied, banned sending IP [%s]. To request removal from this list please visit https://sender.office.com/ and follow the directions. For more information please go to  http://go.microsoft.com/fwlink/?LinkID=526655 AS(1430) [DB5EUR03FT012.eop-EUR03.prod.protection.outlook.com] (in reply to RCPT TO command))\n", stamp(), id, rcpt, d.relay, host, ip)
				case d.domain == "outlook.com" && i == 0 && m%10 == 5:
					fmt.Fprintf(&b, "%s mta postfix/smtp[5150]: %s: to=<%s>, relay=%s, delay=0.4, delays=0.01/0/0.2/0.2, dsn=5.1.10, status=bounced (host %s said: 550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient %s not found by SMTP address lookup (in reply to RCPT TO command))\n", stamp(), id, rcpt, d.relay, host, rcpt)
				case d.domain == "gmail.com" && i == 0 && m%5 == 2:
					fmt.Fprintf(&b, "%s mta postfix/smtp[5150]: %s: to=<%s>, relay=%s, delay=0.3, delays=0.01/0/0.1/0.2, dsn=5.1.1, status=bounced (host %s said: 550-5.1.1 The email account that you tried to reach does not exist. Please try 550-5.1.1 double-checking the recipient's email address for typos or 550-5.1.1 unnecessary spaces. For more information, go to 550 5.1.1  https://support.google.com/mail/?p=NoSuchUser a1si1234567 - gsmtp (in reply to RCPT TO command))\n", stamp(), id, rcpt, d.relay, host)
				default:
					fmt.Fprintf(&b, "%s mta postfix/smtp[5150]: %s: to=<%s>, relay=%s, delay=0.5, delays=0.01/0/0.2/0.3, dsn=2.0.0, status=sent (250 2.0.0 OK  1732270000 a1si1234567 - accepted)\n", stamp(), id, rcpt, d.relay)
				}
				fmt.Fprintf(&b, "%s mta postfix/qmgr[5101]: %s: removed\n", stamp(), id)
			}
		}
	}
	return b.String()
}

func TestAlertsProviderTurnsToBlocks(t *testing.T) {
	dir := t.TempDir()
	log := writeFile(t, dir, "mail.log", postfixLog())
	m := NewMetrics(MetricsOptions{NoRuntime: true})
	var mu sync.Mutex
	var got []Alert
	var activeAtRate []Alert
	var a *Alerts
	a = NewAlerts(AlertOptions{Metrics: m, OnAlert: func(al Alert) {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, al)
		if al.Kind == KindRate && al.State == StateFiring {
			activeAtRate = a.Active()
		}
	}})
	s := NewSummary(SummaryOptions{Alerts: a})
	run(t, []string{log}, a, m, s)

	var lines []string
	for _, al := range got {
		lines = append(lines, fmt.Sprintf("%s %s %s/%s %s %s", al.Time.Format("15:04"), al.State, al.Kind, al.Status, al.Provider, al.Domain))
	}
	want := []string{
		"10:40 firing blocklist/ microsoft outlook.com",
		"10:42 firing rate/bounce microsoft ",
		"11:07 resolved rate/bounce microsoft ",
		"11:10 resolved blocklist/ microsoft outlook.com",
	}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Fatalf("alerts:\n%s\nwant:\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
	bl, rate := got[0], got[1]
	if bl.Reason != "blocked" || bl.Count != 1 || bl.ReplyCode != 550 || bl.EnhancedCode != "5.7.606" || !strings.Contains(bl.Example, "Access denied, banned sending IP [203.0.113.5]") || bl.Rule == "" || bl.Window != "10m0s" {
		t.Errorf("blocklist alert %+v", bl)
	}
	if rate.Rate <= 0.3 || rate.Baseline >= 0.1 || rate.Count < 20 || rate.Total < rate.Count || rate.Reason != "blocked" {
		t.Errorf("rate alert %+v", rate)
	}
	if res := got[3]; res.Count != 160 || !res.Since.Equal(bl.Time) {
		t.Errorf("resolved blocklist alert: %d blocks (want 20 min × 8), since %v", res.Count, res.Since)
	}
	if len(activeAtRate) != 2 {
		t.Errorf("active when the rate alert fired: %+v", activeAtRate)
	}
	if act := a.Active(); len(act) != 0 {
		t.Errorf("still active at the end: %+v", act)
	}
	js, err := json.Marshal(bl)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{`"time":`, `"kind":"blocklist"`, `"provider":"microsoft"`, `"domain":"outlook.com"`, `"rate":`, `"baseline":`, `"count":1`, `"window":"10m0s"`, `"example":`, `"reason":"blocked"`} {
		if !strings.Contains(string(js), k) {
			t.Errorf("alert JSON has no %s: %s", k, js)
		}
	}
	t.Logf("%s", js)

	// the metrics counted them
	var buf strings.Builder
	fams, err := m.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fams {
		if strings.HasPrefix(f.GetName(), "bouncescan_alerts") {
			if _, err := expfmt.MetricFamilyToText(&buf, f); err != nil {
				t.Fatal(err)
			}
		}
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	parsed, err := p.TextToMetricFamilies(strings.NewReader(buf.String()))
	if err != nil {
		t.Fatal(err)
	}
	total := map[string]float64{}
	for _, s := range parsed["bouncescan_alerts_total"].GetMetric() {
		k, _ := label(s, "kind")
		pr, _ := label(s, "provider")
		total[k+"/"+pr] = s.GetCounter().GetValue()
	}
	if fmt.Sprint(total) != "map[blocklist/microsoft:1 rate/microsoft:1]" {
		t.Errorf("alerts_total %v", total)
	}
	if g := parsed["bouncescan_alerts_active"].GetMetric(); len(g) != 1 || g[0].GetGauge().GetValue() != 0 {
		t.Errorf("alerts_active %v", g)
	}
	_ = dto.MetricType_COUNTER
}

// ev makes a classified event for the synthetic alert tests.
func ev(t time.Time, status bouncescan.Status, domain, provider, reason string) bouncescan.Event {
	v := &bouncescan.Verdict{Class: bouncescan.ClassSuccess, Reason: reason, Provider: provider, Subject: bouncescan.SubjectOther}
	switch status {
	case bouncescan.StatusDeferred:
		v.Class, v.Subject = bouncescan.ClassTransient, bouncescan.SubjectNetwork
	case bouncescan.StatusBounced:
		v.Class, v.Subject = bouncescan.ClassPermanent, bouncescan.SubjectMailbox
	}
	return bouncescan.Event{Time: t, Status: status, Domain: domain, Verdict: v, Text: "451 4.3.0 try later"}
}

func TestAlertsDomainRate(t *testing.T) {
	t0 := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	var got []string
	a := NewAlerts(AlertOptions{OnAlert: func(al Alert) {
		got = append(got, fmt.Sprintf("%s %s %s/%s %q %s %.2f", al.Time.Sub(t0), al.State, al.Kind, al.Status, al.Provider, al.Domain, al.Rate))
	}})
	var batch []bouncescan.Event
	for s := 0; s < 3600; s += 20 { // one hour, 3 events a minute per domain
		tm := t0.Add(time.Duration(s) * time.Second)
		// corp.example (no provider) defers everything from 00:30 to 00:45
		st := bouncescan.StatusSent
		if s >= 1800 && s < 2700 {
			st = bouncescan.StatusDeferred
		}
		batch = append(batch, ev(tm, st, "corp.example", "", "undefined"))
		// tiny.example defers always but has too few events (1 a minute)
		if s%60 == 0 {
			batch = append(batch, ev(tm, bouncescan.StatusDeferred, "tiny.example", "", "networkerror"))
		}
		// steady.example defers 40% all the time
		st = bouncescan.StatusSent
		if s%100 < 40 {
			st = bouncescan.StatusDeferred
		}
		batch = append(batch, ev(tm, st, "steady.example", "", "undefined"))
	}
	for i := 0; i < len(batch); i += 7 { // in odd-sized batches
		_ = a.Consume(batch[i:min(i+7, len(batch))])
	}
	want := []string{
		// 20 events at 6m20s, 40% deferred, no baseline yet: it fires,
		// and stays active while its rate stays above the threshold
		`6m20s firing rate/deferral "" steady.example 0.40`,
		// deferrals from 30:00: at 33:00 the window (buckets 24..33) holds
		// 10 deferrals of 28
		`33m0s firing rate/deferral "" corp.example 0.36`,
		// the last deferral at 44:40: at 52:00 the window (43..52) holds
		// 6 of 27
		`52m0s resolved rate/deferral "" corp.example 0.22`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("alerts:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestIsBlock(t *testing.T) {
	reasons := []string{"blocked", "badreputation"}
	for _, c := range []struct {
		v    bouncescan.Verdict
		want bool
	}{
		{bouncescan.Verdict{Class: bouncescan.ClassPermanent, Reason: "blocked"}, true},
		{bouncescan.Verdict{Class: bouncescan.ClassTransient, Reason: "badreputation"}, true},
		{bouncescan.Verdict{Class: bouncescan.ClassTransient, Reason: "ratelimited", Subject: bouncescan.SubjectSecurity}, true},
		{bouncescan.Verdict{Class: bouncescan.ClassTransient, Reason: "ratelimited", Subject: bouncescan.SubjectNetwork}, false},
		{bouncescan.Verdict{Class: bouncescan.ClassPermanent, Reason: "userunknown"}, false},
		{bouncescan.Verdict{Class: bouncescan.ClassSuccess, Reason: "blocked"}, false},
	} {
		if got := IsBlock(&c.v, reasons); got != c.want {
			t.Errorf("IsBlock(%+v) = %v", c.v, got)
		}
	}
	if IsBlock(nil, reasons) {
		t.Error("IsBlock(nil)")
	}
}

func TestAlertsBounded(t *testing.T) {
	a := NewAlerts(AlertOptions{MaxKeys: 50})
	t0 := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	var batch []bouncescan.Event
	for i := 0; i < 5000; i++ {
		batch = append(batch, ev(t0.Add(time.Duration(i)*time.Second), bouncescan.StatusBounced, fmt.Sprintf("d%d.example", i), "", "blocked"))
	}
	_ = a.Consume(batch)
	a.mu.Lock()
	n, nb := a.nkeys, len(a.blocks)
	a.mu.Unlock()
	if n > 50 || nb > 50 || a.Stats().Evicted == 0 {
		t.Errorf("%d keys, %d block keys, stats %+v", n, nb, a.Stats())
	}
}
