package classify

import (
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/bouncescan/bouncescan"
	"github.com/bouncescan/bouncescan/parsers/exim"
	"github.com/bouncescan/bouncescan/parsers/parsekit"
	"github.com/bouncescan/bouncescan/parsers/parsekit/parsekittest"
	"github.com/bouncescan/bouncescan/parsers/postfix"
	"github.com/bouncescan/bouncescan/parsers/sendmail"
)

// The snippets of testdata/snippets are real mail-log lines that people
// quoted from their own servers in public (forum threads, GitHub issues,
// blog posts, other log tools' comments and fixtures; SOURCES.md names each
// source and its line range). Issue 13 asks how often the reason of a
// failure (status neither sent nor discarded) is "undefined"; the shared
// corpus no longer answers that honestly, since rules were written from it.
//
// These lines are a HELD-OUT set: when they were collected and measured
// (at b090cc206c09468d89fb52c215ccce306da42344, on 2026-12-02) no rule had
// been written from them. Measured then: 72 failure events (Postfix 37,
// Exim 14, sendmail 21), 0 of them undefined (0.0%). Postfix's
// status=SOFTBOUNCE lines (23, from a soft_bounce=yes server) gave no event
// then ("unknown status word"); since 3e6e34f the parser reads them as
// deferrals: 95 failures (Postfix 60), still 0 undefined. No rule has been
// written from these lines (the parser fix is about the status word only).
//
// The ceiling keeps the figure honest: it fails when more failures come out
// undefined. The floors fail when failure events are lost. Once rules are
// written from these lines, say so here: the set is then no longer held out.
const (
	snippetsUndefinedCeiling = 0

	snippetsPostfixFailFloor  = 60
	snippetsEximFailFloor     = 14
	snippetsSendmailFailFloor = 21
)

func TestSnippetsUndefined(t *testing.T) {
	dir := filepath.Join("testdata", "snippets")
	opts := parsekit.Options{Year: 2026, Location: time.UTC}
	c, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	runs := []struct {
		file  string
		p     parsekittest.Parser
		floor int
	}{
		{"postfix.log", postfix.New(opts), snippetsPostfixFailFloor},
		{"exim.log", exim.New(opts), snippetsEximFailFloor},
		{"sendmail.log", sendmail.New(opts), snippetsSendmailFailFloor},
	}
	fails, undefined := 0, 0
	for _, r := range runs {
		path := filepath.Join(dir, r.file)
		got := parsekittest.ParseFile(t, r.p, path)
		lines := readLines(t, path)
		refused, nRefused := map[string]int{}, 0
		for _, err := range got.Errs {
			if !errors.Is(err, bouncescan.ErrNotMine) && !errors.Is(err, bouncescan.ErrNotice) {
				nRefused++
				var pe *bouncescan.ParseError
				reason := err.Error()
				if errors.As(err, &pe) {
					reason = pe.Reason
				}
				refused[reason]++
			}
		}
		f, u := 0, 0
		for i := range got.Events {
			e := &got.Events[i]
			if e.Status == bouncescan.StatusSent || e.Status == bouncescan.StatusDiscarded {
				continue
			}
			f++
			if v := c.Classify(e); v.Reason == "undefined" {
				u++
				t.Logf("%s:%d undefined: %s", r.file, e.Line, lines[e.Line-1])
			}
		}
		t.Logf("%s: %d lines, %d events, %d failures, %d undefined, %d lines refused %v",
			r.file, got.Lines, len(got.Events), f, u, nRefused, refused)
		if f < r.floor {
			t.Errorf("%s: %d failure events, fewer than the %d measured (lines lost)", r.file, f, r.floor)
		}
		fails += f
		undefined += u
	}
	pct := 0.0
	if fails > 0 {
		pct = 100 * float64(undefined) / float64(fails)
	}
	t.Logf("held-out snippets: %d failures, %d undefined (%.1f%%)", fails, undefined, pct)
	if undefined > snippetsUndefinedCeiling {
		t.Errorf("undefined: %d failures have reason undefined, above the ceiling of %d measured on the held-out snippets", undefined, snippetsUndefinedCeiling)
	}
}
