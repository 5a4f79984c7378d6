package source

import (
	"bytes"
	"errors"
	"io"
	"runtime"
	"testing"
	"testing/iotest"
	"time"
)

// failAfter gives data in small reads, then err.
type failAfter struct {
	data []byte
	err  error
}

func (f *failAfter) Read(p []byte) (int, error) {
	if len(f.data) == 0 {
		return 0, f.err
	}
	n := copy(p, f.data[:min(len(f.data), 1000)])
	f.data = f.data[n:]
	return n, nil
}

// The reader gets every byte before the decompressor's error, then the
// error itself (not io.EOF, not a wrapped one), again on every call.
func TestReadAheadOrderAndError(t *testing.T) {
	data := bytes.Repeat([]byte("0123456789abcdef\n"), 100_000) // 1.7 MB: many chunks
	damaged := errors.New("flate: corrupt input before offset 123")
	ra := newReadAhead(&failAfter{data: append([]byte(nil), data...), err: damaged})
	got, err := io.ReadAll(iotest.OneByteReader(io.LimitReader(ra, 5)))
	if err != nil || string(got) != "01234" {
		t.Fatalf("first bytes %q, %v", got, err)
	}
	rest, err := io.ReadAll(ra)
	if !errors.Is(err, damaged) {
		t.Fatalf("error %v, want %v", err, damaged)
	}
	if !bytes.Equal(append(got, rest...), data) {
		t.Fatalf("read %d bytes, want %d, or not the same bytes", len(got)+len(rest), len(data))
	}
	if _, err := ra.Read(make([]byte, 10)); !errors.Is(err, damaged) {
		t.Fatalf("again: %v", err)
	}
	ra.Close(true)

	clean := newReadAhead(bytes.NewReader(data))
	all, err := io.ReadAll(clean)
	if err != nil || !bytes.Equal(all, data) {
		t.Fatalf("clean: %d bytes, %v", len(all), err)
	}
	clean.Close(true)
}

// Closing a reader that stopped halfway leaves no goroutine behind.
func TestReadAheadCloseStops(t *testing.T) {
	before := runtime.NumGoroutine()
	for range 50 {
		ra := newReadAhead(bytes.NewReader(make([]byte, 10*readAheadChunk)))
		if _, err := ra.Read(make([]byte, 100)); err != nil {
			t.Fatal(err)
		}
		ra.Close(true)
	}
	noGoroutinesLeft(t, before)
}

// noGoroutinesLeft waits up to 5 s for the goroutines to be back to
// before, and fails if they are not.
func noGoroutinesLeft(t *testing.T, before int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		t.Fatalf("%d goroutines after closing, %d before", n, before)
	}
}
