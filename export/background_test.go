package export

import (
	"errors"
	"testing"
	"time"
)

// recordRows records the offsets it is given, slowly, and fails at the
// batch failAt (1-based; 0: never).
type recordRows struct {
	offsets []int64
	batches int
	failAt  int
}

var errDiskFull = errors.New("no space left on device")

func (r *recordRows) write(rows []EventRow) error {
	r.batches++
	if r.batches == r.failAt {
		return errDiskFull
	}
	time.Sleep(time.Millisecond)
	for _, x := range rows {
		r.offsets = append(r.offsets, x.Offset)
	}
	return nil
}
func (r *recordRows) close() error { return nil }

// The writing goroutine writes every batch, in order, with the buffers
// recycled; after a failure, write reports it (soon) and wait too.
func TestBackgroundOrderAndError(t *testing.T) {
	w := &recordRows{}
	b := newBackground(w)
	rows := make([]EventRow, 0, flushRows)
	var off int64
	for batch := 0; batch < 20; batch++ {
		for range 100 {
			rows = append(rows, EventRow{Offset: off, Recipient: "r"})
			off++
		}
		var err error
		if rows, err = b.write(rows); err != nil || len(rows) != 0 {
			t.Fatalf("batch %d: %v, %d rows left", batch, err, len(rows))
		}
	}
	if err := b.wait(); err != nil {
		t.Fatal(err)
	}
	if len(w.offsets) != int(off) {
		t.Fatalf("%d rows written, want %d", len(w.offsets), off)
	}
	for i, o := range w.offsets {
		if o != int64(i) {
			t.Fatalf("row %d has offset %d: out of order", i, o)
		}
	}

	f := &recordRows{failAt: 3}
	b = newBackground(f)
	var got error
	for batch := 0; batch < 50 && got == nil; batch++ {
		rows = append(rows[:0], EventRow{Offset: int64(batch)})
		rows, got = b.write(rows)
		time.Sleep(2 * time.Millisecond)
	}
	if !errors.Is(got, errDiskFull) {
		t.Fatalf("write after a failure: %v", got)
	}
	if err := b.wait(); !errors.Is(err, errDiskFull) {
		t.Fatalf("wait: %v", err)
	}
	if err := b.wait(); !errors.Is(err, errDiskFull) {
		t.Fatalf("second wait: %v", err)
	}
}
