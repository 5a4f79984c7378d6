package postfix

import (
	"time"

	"github.com/bouncescan/bouncescan/parsers/parsekit"
)

// Detect scores how sure it is that the head lines of a file are a Postfix
// log: 0 if no line is written by a Postfix daemon, else 50 plus up to 50
// for the share of such lines (mail logs mix in dovecot, amavis, …).
func Detect(lines [][]byte) int {
	st := parsekit.NewStamps(parsekit.Options{Location: time.UTC, Year: 2000})
	st.Begin(parsekit.File{})
	var h parsekit.Header
	total, mine := 0, 0
	for _, l := range lines {
		if len(l) == 0 {
			continue
		}
		total++
		if !st.Syslog(l, &h) && !headerless(l, &h) {
			continue
		}
		if _, ok := serviceOf(h.Prog); ok {
			mine++
		}
	}
	if mine == 0 {
		return 0
	}
	return 50 + 50*mine/total
}
