package export

import (
	"testing"
	"time"
)

// The remembered partition changes exactly when the hour (events) or the
// UTC day (stats) or the host does, also before 1970 and for no stamp.
func TestPartMemo(t *testing.T) {
	for _, tc := range []struct {
		a, b time.Time
		secs int64
		same bool
	}{
		{time.Date(2026, 11, 22, 23, 59, 59, 0, time.UTC), time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC), 86400, false},
		{time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC), time.Date(2026, 11, 22, 23, 59, 59, 0, time.UTC), 86400, true},
		{time.Date(2026, 11, 22, 10, 59, 59, 0, time.UTC), time.Date(2026, 11, 22, 11, 0, 0, 0, time.UTC), 3600, false},
		// a zone's local midnight is not the UTC day's edge
		{time.Date(2026, 11, 22, 23, 30, 0, 0, time.FixedZone("x", 3600)), time.Date(2026, 11, 22, 22, 30, 0, 0, time.UTC), 86400, true},
		{time.Date(1969, 12, 31, 23, 59, 59, 0, time.UTC), time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC), 86400, false},
		{time.Date(1969, 12, 31, 0, 0, 1, 0, time.UTC), time.Date(1969, 12, 31, 23, 0, 0, 0, time.UTC), 86400, true},
		{time.Time{}, time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC), 3600, false},
	} {
		if got := timeUnit(tc.a, tc.secs) == timeUnit(tc.b, tc.secs); got != tc.same {
			t.Errorf("%v and %v (unit %d s): same %v, want %v", tc.a, tc.b, tc.secs, got, tc.same)
		}
	}
	var m partMemo
	builds := 0
	build := func() string { builds++; return "dir" }
	for _, step := range []struct {
		unit   int64
		host   string
		builds int
	}{{5, "a", 1}, {5, "a", 1}, {6, "a", 2}, {6, "b", 3}, {6, "b", 3}, {5, "b", 4}} {
		m.get(step.unit, step.host, build)
		if builds != step.builds {
			t.Fatalf("after (%d, %s): %d builds, want %d", step.unit, step.host, builds, step.builds)
		}
	}
}
