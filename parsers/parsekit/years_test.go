package parsekit

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestYearsFromModTime: the first yearless stamp is never placed more than
// a day after the file's modification time, comparing month and day.
func TestYearsFromModTime(t *testing.T) {
	mtime := time.Date(2026, 12, 1, 22, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		stamp string
		want  int
	}{
		{"Dec 19 08:00:00", 2025}, // 18 days after the mtime: last year's
		{"Dec  3 00:00:00", 2025},
		{"Dec  2 06:00:00", 2026}, // within the day of margin (zones, skew)
		{"Dec  1 23:30:00", 2026}, // same day, a stamp zone ahead
		{"Nov 30 10:00:00", 2026},
		{"Jan  5 10:00:00", 2026},
	} {
		y := NewYears(0, mtime)
		got, _, ok := SyslogTime([]byte(tc.stamp+" host"), y, time.UTC)
		if !ok || got.Year() != tc.want {
			t.Errorf("%s in a file modified %s: %v (ok %v), want year %d", tc.stamp, mtime.Format(time.DateTime), got, ok, tc.want)
		}
	}
	// --year wins over the modification time
	y := NewYears(2019, mtime)
	if got, _, _ := SyslogTime([]byte("Dec 19 08:00:00 host"), y, time.UTC); got.Year() != 2019 {
		t.Errorf("--year 2019: %v", got)
	}
}

// TestYearsInsideAFile: only December → January starts a new year; other
// steps back (concatenated periods, other servers) stay in the year.
func TestYearsInsideAFile(t *testing.T) {
	for _, tc := range []struct {
		name   string
		months []time.Month
		want   []int
	}{
		{"Dec → Jan is a new year", []time.Month{11, 12, 1, 2}, []int{2026, 2026, 2027, 2027}},
		{"Sep → Mar is a step back, same year", []time.Month{9, 3, 4}, []int{2026, 2026, 2026}},
		{"Aug → Jan is no new year either", []time.Month{8, 1, 8}, []int{2026, 2026, 2026}},
		{"Jul → Jan is no rollover; a December after January is the year before", []time.Month{7, 1, 12}, []int{2026, 2026, 2025}},
		{"Feb → Aug forward stays in the year", []time.Month{2, 8}, []int{2026, 2026}},
		{"a December straggler after the rollover is last year's", []time.Month{12, 1, 12, 1, 2}, []int{2026, 2027, 2026, 2027, 2027}},
		{"two rollovers", []time.Month{12, 1, 6, 12, 1}, []int{2026, 2027, 2027, 2027, 2028}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			y := NewYears(2026, time.Time{})
			var got []int
			for _, m := range tc.months {
				got = append(got, y.YearOf(m, 15))
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestYearsRestore: a state saved mid-file and restored in a fresh Years
// goes on exactly as the uninterrupted one (checkpoints rely on it).
func TestYearsRestore(t *testing.T) {
	months := []time.Month{11, 12, 12, 1, 12, 1, 3}
	for cut := 0; cut <= len(months); cut++ {
		whole := NewYears(0, time.Date(2027, 3, 10, 0, 0, 0, 0, time.UTC))
		var want []int
		for _, m := range months {
			want = append(want, whole.YearOf(m, 2))
		}
		first := NewYears(0, time.Date(2027, 3, 10, 0, 0, 0, 0, time.UTC))
		var got []int
		for _, m := range months[:cut] {
			got = append(got, first.YearOf(m, 2))
		}
		second := NewYears(0, time.Time{})
		second.Restore(first.State())
		for _, m := range months[cut:] {
			got = append(got, second.YearOf(m, 2))
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("cut at %d (-want +got):\n%s", cut, diff)
		}
	}
}

// TestPlausibleRef: modification times before 1990 or more than a day
// ahead of the clock do not anchor years; the note says which and what
// to do.
func TestPlausibleRef(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		mtime time.Time
		ok    bool
		note  string
	}{
		{time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC), true, ""},
		{time.Date(1990, 1, 1, 0, 0, 0, 0, time.UTC), true, ""},
		{now.Add(12 * time.Hour), true, ""},
		{time.Date(1985, 10, 26, 1, 21, 0, 0, time.UTC), false, "modification time 1985-10-26T01:21:00Z is before 1990"},
		{time.Unix(0, 0), false, "is before 1990"},
		{now.Add(48 * time.Hour), false, "modification time 2026-12-03T12:00:00Z is in the future"},
		{time.Date(2090, 1, 1, 0, 0, 0, 0, time.UTC), false, "is in the future"},
	} {
		if got := PlausibleRef(tc.mtime, now); got != tc.ok {
			t.Errorf("PlausibleRef(%v) = %v, want %v", tc.mtime, got, tc.ok)
		}
		if !tc.ok {
			n := RefNote(tc.mtime, now)
			if !strings.Contains(n, tc.note) || !strings.Contains(n, "--year") || !strings.Contains(n, "(2026)") {
				t.Errorf("RefNote(%v) = %q, want it to contain %q, the clock's year and --year", tc.mtime, n, tc.note)
			}
		}
	}
	// a file's own state anchored on a pre-1990 mtime takes the clock
	st := NewStamps(Options{Location: time.UTC, Now: func() time.Time { return now }})
	st.Begin(File{Name: "old.log", ModTime: time.Unix(0, 0)})
	if got, _, _, ok := st.Time([]byte("Nov 30 10:00:00 host")); !ok || got.Year() != 2026 {
		t.Errorf("mtime 1970: %v, want 2026 (the clock)", got)
	}
}

// TestOutOfRangeReason: a well-formed stamp outside 1970-9999 is told
// apart from a malformed one, so that parsers give the line its own
// reason.
func TestOutOfRangeReason(t *testing.T) {
	st := NewStamps(Options{Location: time.UTC, Year: 2026})
	st.Begin(File{})
	for _, tc := range []struct {
		line       string
		ok, range_ bool
	}{
		{"2026-11-22T03:14:15Z host", true, false},
		{"10000-01-01T00:00:00Z host", false, true},
		{"123456789-01-01T00:00:00Z host", false, true},
		{"9999-12-31 23:59:59 -0500 x", false, true}, // Exim's layout with a zone: year 10000 in UTC
		{"1969-01-01T00:00:00Z host", false, true},
		{"2026-13-01T00:00:00Z host", false, false},
		{"2026-11-22T25:00:00Z host", false, false},
		{"Nov 22 03:14:15 host", true, false},
	} {
		_, _, _, ok := st.Time([]byte(tc.line))
		if ok != tc.ok || st.OutOfRange() != tc.range_ {
			t.Errorf("Time(%q): ok %v, OutOfRange %v; want %v, %v", tc.line, ok, st.OutOfRange(), tc.ok, tc.range_)
		}
	}
	var h Header
	if st.Syslog([]byte(`{"__REALTIME_TIMESTAMP":"999999999999999999","MESSAGE":"x","SYSLOG_IDENTIFIER":"postfix/smtp"}`), &h) || !st.OutOfRange() {
		t.Errorf("journal stamp far in the future: OutOfRange %v", st.OutOfRange())
	}
	if !st.Syslog([]byte("Nov 22 03:14:15 mx1 postfix/smtp[1]: x"), &h) || st.OutOfRange() {
		t.Error("OutOfRange not reset by the next line")
	}
}

func TestStampOutOfRange(t *testing.T) {
	for in, want := range map[string]bool{
		"2026-11-22T03:14:15Z":     false,
		"10000-01-01T00:00:00Z":    true,
		"9999-12-31T23:59:59-0500": true,
		"1900-01-01T00:00:00Z":     true,
		"2026-02-30T00:00:00Z":     false, // a day past the month's end is normalised, in range
		"garbage":                  false,
	} {
		if got := StampOutOfRange([]byte(in), time.UTC); got != want {
			t.Errorf("StampOutOfRange(%q) = %v, want %v", in, got, want)
		}
	}
}

// Stamps.Time keeps the last classic stamp's time for the lines that
// repeat it: the times are those of SyslogTime on every line, across a
// new year, a December straggler, fractions and a new file (Begin).
func TestStampRepeatCache(t *testing.T) {
	lines := []string{"Dec 31 23:59:59 a", "Dec 31 23:59:59 b", "Jan  1 00:00:00 c", "Jan  1 00:00:00 d", "Dec 31 23:59:59 e",
		"Dec 31 23:59:59 f", "Jan  1 00:00:00 g", "Jan  1 00:00:00.5 h", "Jan  1 00:00:00.5 i", "Jan  1 00:00:00 j"}
	ref := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	st := NewStamps(Options{Location: time.UTC})
	plain := NewYears(0, ref)
	for round, mod := range []time.Time{ref, ref.AddDate(1, 0, 0)} {
		st.Begin(File{Name: "f", ModTime: mod})
		plain = NewYears(0, mod)
		for _, l := range lines {
			got, n, _, ok := st.Time([]byte(l))
			want, wn, wok := SyslogTime([]byte(l), plain, time.UTC)
			if !ok || !wok || !got.Equal(want) || n != wn {
				t.Errorf("round %d, %q: %v (%d, %v), want %v (%d)", round, l, got, n, ok, want, wn)
			}
		}
	}
}
