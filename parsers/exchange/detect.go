package exchange

import (
	"bytes"
	"time"
)

// Detect scores how sure it is that the head lines of a file are an
// Exchange log: 100 for the "#Software: Microsoft Exchange Server" header,
// 95 for a #Fields line or export header row of a layout it reads, else
// 60 plus up to 40 for the share of rows shaped like protocol log or
// message tracking rows; 0 if none is.
func Detect(lines [][]byte) int {
	var fields [][]byte
	var u16 []byte
	total, rows := 0, 0
	for i, l := range lines {
		if i >= 50 {
			break
		}
		if bytes.IndexByte(l, 0) >= 0 {
			u16 = decodeUTF16(l, u16[:0])
			l = u16
		}
		l = bytes.TrimPrefix(l, []byte("\xef\xbb\xbf"))
		l = bytes.TrimRight(l, "\r")
		if len(bytes.TrimSpace(l)) == 0 {
			continue
		}
		total++
		if bytes.HasPrefix(l, []byte("#Software: Microsoft Exchange")) {
			return 100
		}
		if v, ok := bytes.CutPrefix(l, []byte("#Fields:")); ok {
			if f, ok := splitCSV(bytes.TrimSpace(v), fields, make([]byte, 0, len(v))); ok {
				if _, err := newLayout(f); err == nil {
					return 95
				}
			}
			continue
		}
		if l[0] == '#' {
			continue
		}
		f, ok := splitCSV(l, fields, make([]byte, 0, len(l)))
		fields = f[:0]
		if !ok || len(f) < 3 {
			continue
		}
		if _, ok := parseTime(f[0], time.UTC); !ok {
			// the header row of an export: needs a time column and a layout
			if ly, err := newLayout(f); err == nil && ly.kind != kindProtocol {
				return 95
			}
			continue
		}
		switch {
		case (len(f) == 9 || len(f) == 8) && len(f[6]) == 1 && bytes.IndexByte([]byte("+-<>*"), f[6][0]) >= 0 &&
			len(f[2]) > 0 && isHex(f[2]):
			rows++
		case (len(f) == 30 || len(f) == 26 || len(f) == 21) && isEventID(f[8]):
			rows++
		}
	}
	if rows == 0 || total == 0 {
		return 0
	}
	return 60 + 40*rows/total
}

// isHex reports whether b is a hexadecimal session id.
func isHex(b []byte) bool {
	for _, c := range b {
		if !(c >= '0' && c <= '9' || c >= 'A' && c <= 'F' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}
