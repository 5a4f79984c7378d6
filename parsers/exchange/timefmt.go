package exchange

import (
	"time"

	"github.com/bouncescan/bouncescan/parsers/parsekit"
)

// parseTime reads the timestamp of a row: ISO 8601 ("2026-11-22T03:14:15.123Z",
// what Exchange logs write, with up to 7 fraction digits) or the
// "11/22/2026 3:14:15 AM" style that PowerShell's Export-Csv writes in the
// en-US culture (a first number above 12 is read as the day:
// "22/11/2026 03:14:15"; a dotted date is day first: "22.11.2026
// 03:14:15", de-DE and others). Stamps without a zone are read in loc.
func parseTime(b []byte, loc *time.Location) (time.Time, bool) {
	if len(b) >= 19 && b[4] == '-' {
		t, n, ok := parsekit.ISOTime(b, loc)
		return t, ok && n == len(b)
	}
	return slashTime(b, loc)
}

// num reads 1..max digits at b[i:]; it returns the value and the next index.
func num(b []byte, i, max int) (int, int, bool) {
	j := i
	v := 0
	for j < len(b) && j < i+max && b[j] >= '0' && b[j] <= '9' {
		v = v*10 + int(b[j]-'0')
		j++
	}
	return v, j, j > i
}

func slashTime(b []byte, loc *time.Location) (time.Time, bool) {
	a, i, ok := num(b, 0, 2)
	if !ok || i >= len(b) || (b[i] != '/' && b[i] != '.') {
		return time.Time{}, false
	}
	sep := b[i]
	c, j, ok := num(b, i+1, 2)
	if !ok || j >= len(b) || b[j] != sep {
		return time.Time{}, false
	}
	y, k, ok := num(b, j+1, 4)
	if !ok || k-j-1 != 4 {
		return time.Time{}, false
	}
	mo, d := a, c
	if a > 12 || sep == '.' {
		// "22/11/2026", and the dotted day-first date of de-DE and
		// other cultures ("22.11.2026 03:14:15")
		mo, d = c, a
	}
	if mo < 1 || mo > 12 || d < 1 || d > 31 {
		return time.Time{}, false
	}
	var h, mi, s, ns int
	if k < len(b) {
		if b[k] != ' ' {
			return time.Time{}, false
		}
		var ok1, ok2, ok3 bool
		h, k, ok1 = num(b, k+1, 2)
		if !ok1 || k >= len(b) || b[k] != ':' {
			return time.Time{}, false
		}
		mi, k, ok2 = num(b, k+1, 2)
		if !ok2 {
			return time.Time{}, false
		}
		if k < len(b) && b[k] == ':' {
			s, k, ok3 = num(b, k+1, 2)
			if !ok3 {
				return time.Time{}, false
			}
			if k < len(b) && b[k] == '.' {
				scale := 100_000_000
				for k++; k < len(b) && b[k] >= '0' && b[k] <= '9'; k++ {
					ns += int(b[k]-'0') * scale
					scale /= 10
				}
			}
		}
		if k+3 <= len(b) && b[k] == ' ' && (b[k+2] == 'M' || b[k+2] == 'm') {
			switch b[k+1] {
			case 'A', 'a':
				if h == 12 {
					h = 0
				}
			case 'P', 'p':
				if h < 12 {
					h += 12
				}
			default:
				return time.Time{}, false
			}
			k += 3
		}
		if k != len(b) || h > 23 || mi > 59 || s > 60 {
			return time.Time{}, false
		}
	}
	return time.Date(y, time.Month(mo), d, h, mi, s, ns, loc), true
}
