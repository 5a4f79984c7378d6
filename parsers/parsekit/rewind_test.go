package parsekit

import (
	"slices"
	"testing"
	"time"
)

// keys returns the keys a table holds, sorted.
func keys[V any](tb *Table[V]) []string {
	var out []string
	for n := tb.head; n != nil; n = n.next {
		out = append(out, n.key)
	}
	slices.Sort(out)
	return out
}

// TestTableNowStepBack: a host's log time going back more than StepBack
// within a file drops that host's entries touched after the new time, and
// nothing else; smaller steps, other hosts' clocks and a new file drop
// nothing.
func TestTableNowStepBack(t *testing.T) {
	t0 := time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)
	at := func(h float64) time.Time { return t0.Add(time.Duration(h * float64(time.Hour))) }
	type line struct {
		seq  int
		host string
		h    float64 // log time, hours after t0
		put  string  // key to create or touch ("" none)
	}
	for _, tc := range []struct {
		name    string
		lines   []line
		want    []string
		rewound int64
	}{
		{"log joined out of order", []line{
			{1, "mx1", 0, "a"}, {1, "mx1", 3, "b"}, {1, "mx1", 5, "c"},
			{1, "mx1", 1, "d"}, // back 4h: b and c belong to the later stretch
		}, []string{"a", "d"}, 2},
		{"touched later counts", []line{
			{1, "mx1", 0, "a"}, {1, "mx1", 5, "a"}, {1, "mx1", 0.5, "e"},
		}, []string{"e"}, 1},
		{"daylight saving time ends: back 1h", []line{
			{1, "mx1", 1, "a"}, {1, "mx1", 1.9, "b"}, {1, "mx1", 1.0, "c"},
		}, []string{"a", "b", "c"}, 0},
		{"back exactly StepBack", []line{
			{1, "mx1", 2, "a"}, {1, "mx1", 0, "b"},
		}, []string{"a", "b"}, 0},
		{"two hosts, clocks 5h apart, interleaved", []line{
			{1, "mx1", 5, "a"}, {1, "mx2", 0, "b"}, {1, "mx1", 5.1, "c"}, {1, "mx2", 0.1, "d"},
		}, []string{"a", "b", "c", "d"}, 0},
		{"only the host that stepped back loses state", []line{
			{1, "mx1", 5, "a"}, {1, "mx2", 5, "b"}, {1, "mx2", 1, "c"},
		}, []string{"a", "c"}, 1},
		{"a new file has its own clock", []line{
			{1, "mx1", 5, "a"}, {2, "mx1", 0, "b"}, {2, "mx1", 0.5, "c"},
		}, []string{"a", "b", "c"}, 0},
		{"a new file that itself steps back", []line{
			{1, "mx1", 5, "a"}, {2, "mx1", 4, "b"}, {2, "mx1", 1, "c"},
		}, []string{"c"}, 2},
		{"the clock starts again after a step", []line{
			{1, "mx1", 5, "a"}, {1, "mx1", 1, "b"}, {1, "mx1", 2.5, "c"},
		}, []string{"b", "c"}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tb := NewTable[int](100, 0)
			released := 0
			tb.Release = func(*int) { released++ }
			dropped := 0
			tb.OnDrop = func(string, *int) { dropped++ }
			for i, l := range tc.lines {
				tb.At(Mark{Seq: l.seq, Offset: int64(i)})
				tb.Now([]byte(l.host), at(l.h))
				if l.put != "" {
					tb.Put([]byte(l.put), at(l.h))
				}
			}
			if got := keys(tb); !slices.Equal(got, tc.want) {
				t.Errorf("held %v, want %v", got, tc.want)
			}
			if s := tb.Stats(); s.Rewound != tc.rewound || s.Dropped() != tc.rewound {
				t.Errorf("Rewound %d Dropped %d, want %d", s.Rewound, s.Dropped(), tc.rewound)
			}
			if int64(released) != tc.rewound || int64(dropped) != tc.rewound {
				t.Errorf("Release called %d times, OnDrop %d, want %d", released, dropped, tc.rewound)
			}
		})
	}
}

// TestTableNowManyHosts: past maxClockHosts hosts the others share a clock
// that never steps back, and the table still works.
func TestTableNowManyHosts(t *testing.T) {
	tb := NewTable[int](100000, 0)
	t0 := time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)
	for i := 0; i < maxClockHosts+10; i++ {
		tb.At(Mark{Seq: 1, Offset: int64(i)})
		tb.Now([]byte{byte(i), byte(i >> 8), 'h'}, t0.Add(10*time.Hour))
		tb.Put([]byte{byte(i), byte(i >> 8)}, t0.Add(10*time.Hour))
	}
	last := maxClockHosts + 9
	tb.Now([]byte{byte(last), byte(last >> 8), 'h'}, t0) // untracked host: no step
	tb.Now([]byte{1, 0, 'h'}, t0)                        // tracked: its one entry goes
	if s := tb.Stats(); s.Rewound != 1 || s.Messages != maxClockHosts+9 {
		t.Errorf("Rewound %d, held %d", s.Rewound, s.Messages)
	}
}

// TestTableNowNoAlloc: telling the table the host and time of a line
// allocates nothing once the host is known.
func TestTableNowNoAlloc(t *testing.T) {
	tb := NewTable[int](10, 0)
	host := []byte("mx1")
	now := time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)
	tb.Now(host, now)
	if n := testing.AllocsPerRun(100, func() { tb.Now(host, now.Add(time.Second)) }); n != 0 {
		t.Errorf("%v allocations a line", n)
	}
}

// BenchmarkTableNow is the cost Table.Now adds to every line of a parser
// (one host, time going forward).
func BenchmarkTableNow(b *testing.B) {
	tb := NewTable[int](10, 0)
	host := []byte("mx1.example.com")
	now := time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		tb.Now(host, now.Add(time.Duration(i)*time.Millisecond))
	}
}
