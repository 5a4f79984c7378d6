package parsekit

import (
	"testing"
	"time"
)

// Stamps outside 1970-9999 are not stamps: the line is unparsed, and no
// time that JSON cannot write ever reaches an event.
func TestStampsOutsideTheYearRange(t *testing.T) {
	for _, tc := range []struct {
		stamp string
		ok    bool
	}{
		{"2026-11-22T03:14:15Z", true},
		{"9999-12-30T10:00:00Z", true},
		{"9999-12-31T23:59:59-05:00", false}, // year 10000 in UTC
		{"9999-12-31T23:59:59Z", false},      // 10000 in a zone east of UTC
		{"1970-01-01T00:00:00+01:00", true},
		{"1969-12-31T23:59:59Z", true}, // within the 14-hour margin
		{"1969-12-30T00:00:00Z", false},
		{"0001-01-01T00:00:00Z", false},
	} {
		if _, _, ok := ISOTime([]byte(tc.stamp), time.UTC); ok != tc.ok {
			t.Errorf("ISOTime(%s): ok %v, want %v", tc.stamp, ok, tc.ok)
		}
	}
	y := NewYears(9999, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	if _, _, ok := SyslogTime([]byte("Dec 31 09:00:00 "), y, time.UTC); !ok {
		t.Error("Dec 31 9999 refused")
	}
	if _, _, ok := SyslogTime([]byte("Jan  1 00:00:00 "), y, time.UTC); ok {
		t.Error("the rollover to year 10000 accepted")
	}
	st := NewStamps(Options{Location: time.UTC})
	var h Header
	if st.Syslog([]byte(`{"__REALTIME_TIMESTAMP":"999999999999999999","MESSAGE":"x","SYSLOG_IDENTIFIER":"postfix/smtp"}`), &h) {
		t.Errorf("journal stamp of year %d accepted", h.Time.Year())
	}
	if !st.Syslog([]byte(`{"__REALTIME_TIMESTAMP":"1764000000000000","MESSAGE":"x","SYSLOG_IDENTIFIER":"postfix/smtp"}`), &h) {
		t.Error("a 2025 journal stamp refused")
	}
}
