package sendmail

import (
	"time"

	"github.com/bouncescan/bouncescan/parsers/parsekit"
)

// Detect scores how sure it is that the head lines of a file are a
// Sendmail log: 0 if no line is written by a Sendmail program (sendmail,
// sm-mta, sm-msp-queue, …), else 50 plus up to 50 for the share of such
// lines (mail logs mix in other daemons).
func Detect(lines [][]byte) int {
	st := parsekit.NewStamps(parsekit.Options{Location: time.UTC, Year: 2000})
	st.Begin(parsekit.File{})
	var h parsekit.Header
	var scratch []byte
	total, mine := 0, 0
	for i, l := range lines {
		if i >= 50 {
			break
		}
		if len(l) == 0 {
			continue
		}
		total++
		if splitLine(st, l, &h, &scratch) && isProgram(h.Prog) {
			mine++
		}
	}
	if mine == 0 {
		return 0
	}
	return 50 + 50*mine/total
}
