package source

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// A modification time before 1990 (an archive restored with a reset
// clock, touch -t 198501010000) is no reference for the year of yearless
// stamps: ModTime gives zero and the caller takes its clock.
func TestModTimeBefore1990(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		mtime time.Time
		want  time.Time
	}{
		{time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC), time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)},
		{time.Date(1990, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(1990, 1, 1, 0, 0, 0, 0, time.UTC)},
		{time.Date(1985, 10, 26, 1, 21, 0, 0, time.UTC), time.Time{}},
		{time.Unix(0, 0), time.Time{}},
	} {
		p := filepath.Join(dir, "mail.log")
		if err := os.WriteFile(p, []byte("Nov 22 03:14:15 mx postfix/smtp[1]: x\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, tc.mtime, tc.mtime); err != nil {
			t.Fatal(err)
		}
		rd, err := Open(Input{Name: p, Path: p}, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if got := rd.ModTime(); !got.Equal(tc.want) {
			t.Errorf("mtime %v: ModTime %v, want %v", tc.mtime, got, tc.want)
		}
		rd.Close()
	}
}
