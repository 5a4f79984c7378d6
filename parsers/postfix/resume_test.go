package postfix

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
		{Name: "samples", Files: []string{"../../samples/postfix/mail.log"}},
		{Name: "real-mta", Shared: true, Files: []string{"corpus/real-mta/postfix.log"}},
		{Name: "corpus", Shared: true, Files: []string{
			"corpus/postfix/lightmeter-complete-mail.log.1.log",
			"corpus/postfix/lightmeter-14_reuse_of_queueid.log",
			"corpus/postfix/pixelpark-logsums-mail.log",
			"corpus/postfix/modoboa-maillog-test.log",
		}},
	})
}
