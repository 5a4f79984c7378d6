package sendmail

import (
	"testing"
	"time"

	"github.com/bouncescan/bouncescan/parsers/parsekit"
	"github.com/bouncescan/bouncescan/parsers/parsekit/parsekittest"
)

// TestResume: stopped at 20 random lines and resumed from the watermark,
// the parser emits what an uninterrupted run emits, field by field.
func TestResume(t *testing.T) {
	parsekittest.Resume(t, func() parsekittest.Parser { return New(parsekit.Options{Location: time.UTC}) }, []parsekittest.ResumeSet{
		{Name: "samples", Files: []string{"../../samples/sendmail/maillog", "../../samples/sendmail/expiry.log"}},
		{Name: "corpus", Shared: true, Files: []string{
			"corpus/sendmail/fluent-plugin-sendmail-data.log",
			"corpus/sendmail/parse-syslog-mail-sendmail-plain.log",
			"corpus/sendmail/parse-syslog-mail-sendmail-ruleset.log",
			"corpus/sendmail/fail2ban-sendmail-reject.log",
		}},
	})
}
