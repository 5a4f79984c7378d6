package sendmail

import (
	"errors"
	"testing"

	"github.com/bouncescan/bouncescan"
)

// Cyrus and other local mailers log dsn=2.0.0 without stat=: a delivery.
func TestDSNWithoutStat(t *testing.T) {
	evs, errs := parseLines(t,
		"Nov 22 03:14:15 mx1 sm-mta[4242]: 2AMDEFGH012345: to=<bob@example.com>, delay=00:00:01, xdelay=00:00:00, mailer=cyrusv2, pri=30527, relay=localhost, dsn=2.0.0",
		"Nov 22 03:14:16 mx1 sm-mta[4242]: 2AMDEFGH012346: to=<bob@example.com>, delay=00:00:01, mailer=cyrusv2, pri=30527, relay=localhost",
	)
	if len(evs) != 1 || evs[0].Status != bouncescan.StatusSent || evs[0].Recipient != "bob@example.com" || evs[0].DSN != "2.0.0" {
		t.Fatalf("events %+v", evs)
	}
	if len(errs) != 1 || !errors.Is(errs[0], bouncescan.ErrUnparsed) {
		t.Errorf("a to= line with neither stat= nor dsn=: errors %v", errs)
	}
}
