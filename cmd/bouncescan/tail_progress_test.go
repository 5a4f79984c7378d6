package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// A tail that starts behind (--from start on an existing log) shows the
// catch-up bar on a terminal: it names the file and counts lines and
// events, and ends (cleared) once the backlog is read; lines written
// after that draw no bar. Without a terminal, or with --from end, there
// is no bar at all.
func TestTailCatchUpProgress(t *testing.T) {
	sample, err := os.ReadFile(filepath.Join("..", "..", "samples", "postfix", "mail.log"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name     string
		from     string
		terminal bool
		bar      bool
	}{
		{"behind", "start", true, true},
		{"not a terminal", "start", false, false},
		{"from end", "end", true, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			log := filepath.Join(dir, "mail.log")
			if err := os.WriteFile(log, sample, 0o644); err != nil {
				t.Fatal(err)
			}
			events := filepath.Join(dir, "events.ndjson")
			errb := &syncBuffer{}
			sigs := make(chan chan<- os.Signal, 1)
			app := &App{Stdout: &syncBuffer{}, Stderr: errb, StderrIsTerminal: tc.terminal, Now: time.Now,
				Notify:     func(c chan<- os.Signal, _ ...os.Signal) { sigs <- c },
				StopNotify: func(chan<- os.Signal) {}}
			done := make(chan int, 1)
			go func() {
				done <- run([]string{"tail", "--tz", "UTC", "--year", "2026", "--from", tc.from, "--poll", "20ms", "--events", events, log}, app)
			}()
			sig := <-sigs
			if tc.from == "start" {
				waitLines(t, events, 100)
			}
			// caught up: the bar is gone before the next lines arrive
			deadline := time.Now().Add(10 * time.Second)
			for tc.bar && !strings.Contains(errb.String(), "641 lines") && time.Now().Before(deadline) {
				time.Sleep(20 * time.Millisecond)
			}
			time.Sleep(300 * time.Millisecond)
			before := errb.String()
			f, err := os.OpenFile(log, os.O_APPEND|os.O_WRONLY, 0)
			if err != nil {
				t.Fatal(err)
			}
			lines := strings.SplitAfter(string(sample), "\n")
			f.WriteString(strings.Join(lines[:40], ""))
			f.Close()
			time.Sleep(400 * time.Millisecond)
			sig <- syscall.SIGTERM
			if code := <-done; code != exitOK {
				t.Fatalf("exit %d: %s", code, errb.String())
			}
			frames := errb.String()
			if !tc.bar {
				if strings.Contains(frames, "catching up") {
					t.Errorf("a bar without a backlog or a terminal:\n%q", frames)
				}
				return
			}
			if !strings.Contains(before, "catching up mail.log: 641 lines, ") {
				t.Errorf("the bar does not name the file and count the backlog's 641 lines:\n%q", before)
			}
			if strings.Contains(before, "681 lines") || frames != before {
				t.Errorf("the bar went on after catching up:\nbefore the new lines %q\nat the end %q", before, frames)
			}
			// ended once caught up: its last frame counts the events too,
			// and is overwritten by blanks before the new lines come
			last := before[strings.LastIndex(before, "catching up"):]
			if !regexp.MustCompile(`^catching up mail.log: 641 lines, [1-9][0-9]* events .*\r {20,}\r$`).MatchString(last) {
				t.Errorf("the bar did not end, cleared, once caught up: %q", last)
			}
		})
	}
}
