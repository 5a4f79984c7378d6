package postfix

import (
	"errors"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/bouncescan/bouncescan"
	"github.com/bouncescan/bouncescan/parsers/parsekit"
)

// TestVerifyProbesReal reads real Postfix 3.7 address verification probes
// (testdata/verify.log: `sendmail -bv` against the testbed's local users
// and its SMTP sink, with short and long queue ids): each probe is an
// event with StatusProbe and the probe's answer, next to the ordinary
// deliveries of the same log; no line is unparsed.
func TestVerifyProbesReal(t *testing.T) {
	got := parseFile(t, filepath.Join("testdata", "verify.log"), parsekit.Options{Year: 2026, Location: time.UTC})
	for _, err := range got.errs {
		if !errors.Is(err, bouncescan.ErrNotMine) {
			t.Errorf("unparsed: %v", err)
		}
	}
	want := map[string]string{
		"root@mta.testbed.test":            "local 0 2.0.0 delivers to mailbox",
		"nosuchprobe@mta.testbed.test":     `local 0 5.1.1 unknown user: "nosuchprobe"`,
		"ok+v1@example.test":               "rcpt 250 2.1.5 Ok",
		"ms-550-5111-exch+v1@outlook.test": "rcpt 550 5.1.1 RESOLVER.ADR.ExRecipNotFound; not found [SN1PR11MB0351.namprd11.prod.outlook.com 2026-01-10T12:00:00.000Z 08DE0000AAAA0001]",
		"mc-451-greylist+v1@example.test":  "rcpt 451 4.0.0 Internal resource temporarily unavailable - https://community.mimecast.com/docs/DOC-1369#451",
		"ok+v3@example.test":               "rcpt 250 2.1.5 Ok",
	}
	probes, sent := 0, 0
	for _, e := range got.events {
		switch e.Status {
		case bouncescan.StatusProbe:
			probes++
			g := fmt.Sprintf("%s %d %s %s", e.Stage, e.ReplyCode, e.DSN, e.Text)
			if w, ok := want[e.Recipient]; !ok || g != w {
				t.Errorf("probe %s (line %d): %q, want %q", e.Recipient, e.Line, g, w)
			}
		case bouncescan.StatusSent:
			sent++
		}
	}
	if probes != len(want) || sent != 8 {
		t.Errorf("%d probes and %d deliveries, want %d and 8", probes, sent, len(want))
	}
}
