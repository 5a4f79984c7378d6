package exim

import (
	"testing"
	"time"

	"github.com/bouncescan/bouncescan/parsers/parsekit"
	"github.com/bouncescan/bouncescan/parsers/parsekit/parsekittest"
)

// TestResume: stopped at 20 random lines and resumed from the watermark,
// the parser emits what an uninterrupted run emits, field by field; the
// mainlog and the rejectlog are one run, so that the rejections the
// rejectlog repeats are still dropped after a restart.
func TestResume(t *testing.T) {
	parsekittest.Resume(t, func() parsekittest.Parser { return New(parsekit.Options{Location: time.UTC}) }, []parsekittest.ResumeSet{
		{Name: "samples", Files: []string{"../../samples/exim/mainlog", "../../samples/exim/rejectlog", "../../samples/exim/variants.log"}},
		{Name: "real-mta", Shared: true, Files: []string{"corpus/real-mta/mainlog", "corpus/real-mta/rejectlog"}},
		{Name: "corpus", Shared: true, Files: []string{
			"corpus/exim/exim-testsuite-mainlog-0000-3999.log",
			"corpus/exim/exim-testsuite-mainlog-5000-5999.log",
			"corpus/exim/exim-testsuite-rejectlog-0000-5999.log",
			"corpus/exim/crowdsec-exim-syslog-logs.log",
		}},
	})
}
