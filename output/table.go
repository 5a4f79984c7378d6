// Package output writes reports and events: one file per format.
package output

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/bouncescan/bouncescan/aggregate"
)

// TableOptions tune the text report.
type TableOptions struct {
	Top   int            // rows per breakdown (0 = 10)
	Width int            // line width (0 = 100)
	Loc   *time.Location // for times (nil = UTC)
}

// Table writes the report as aligned plain text, readable in Width columns.
func Table(w io.Writer, r *aggregate.Report, o TableOptions) error {
	if o.Top <= 0 {
		o.Top = 10
	}
	if o.Width <= 0 {
		o.Width = 100
	}
	if o.Loc == nil {
		o.Loc = time.UTC
	}
	tw := &textWriter{w: w}
	in := r.Input
	tw.printf("bouncescan report\n")
	if r.Partial != "" {
		tw.printf("  PARTIAL: %s\n", r.Partial)
	}
	tw.printf("  files %d, lines %d, bytes %s", in.Files, in.Lines, bytesHuman(in.Bytes))
	if in.FileErrors > 0 {
		tw.printf(", FILE ERRORS %d", in.FileErrors)
	}
	if in.Skipped > 0 {
		tw.printf(", skipped %d (not mail logs)", in.Skipped)
	}
	tw.printf("\n")
	tw.printf("  events %d", r.Events)
	if !r.First.IsZero() {
		tw.printf(", from %s to %s", r.First.In(o.Loc).Format("2006-01-02 15:04:05"), r.Last.In(o.Loc).Format("2006-01-02 15:04:05 MST"))
	}
	tw.printf("\n")
	tw.printf("  unparsed lines %d, foreign lines %d, cut long lines %d", in.Unparsed, in.Foreign, in.Truncated)
	if in.Duplicates > 0 {
		tw.printf(", duplicates across files %d", in.Duplicates)
	}
	if in.OutOfRange > 0 {
		tw.printf(", events outside --since/--until %d", in.OutOfRange)
	}
	tw.printf("\n")

	total := r.Events
	tw.section("By status")
	if total == 0 {
		tw.printf("  (no events)\n")
	}
	tw.counts(r.ByStatus, total, o.Top)
	if len(r.ByClass) > 0 {
		tw.section("By class")
		tw.counts(r.ByClass, total, o.Top)
	}
	if len(r.BySubject) > 0 {
		tw.section("By subject (RFC 3463)")
		tw.counts(r.BySubject, total, o.Top)
	}
	if len(r.ByReason) > 0 {
		tw.section("By reason")
		tw.counts(r.ByReason, total, o.Top)
	}
	if len(r.ByProvider) > 0 {
		tw.section("By provider")
		tw.counts(r.ByProvider, total, o.Top)
	}
	if len(r.ByMTA) > 1 {
		tw.section("By MTA")
		tw.counts(r.ByMTA, total, o.Top)
	}

	if len(r.Domains) > 0 {
		tw.section("Recipient domains")
		rows := [][]string{{"domain", "rcpts", "events", "sent", "deferred", "bounced", "expired", "rejected", "bounce%"}}
		for i, d := range r.Domains {
			if i >= o.Top {
				break
			}
			rate := "-"
			if d.Sent+d.Bounced+d.Expired > 0 {
				rate = strconv.FormatFloat(100*d.BounceRate, 'f', 1, 64)
			}
			rows = append(rows, []string{clip(d.Name, 30), n(d.Recipients), n(d.Events), n(d.Sent), n(d.Deferred), n(d.Bounced), n(d.Expired), n(d.Rejected), rate})
		}
		tw.table(rows)
		if len(r.Domains) > o.Top {
			tw.printf("  … %d more domains (--top N to see more)\n", len(r.Domains)-o.Top)
		}
	}

	if len(r.Top) > 0 {
		tw.section("Top diagnostics (failures and deferrals)")
		rows := [][]string{{"count", "status", "code", "reason", "text"}}
		fixed := 0
		for i, d := range r.Top {
			if i >= o.Top {
				break
			}
			code := ""
			if d.ReplyCode != 0 {
				code = strconv.Itoa(d.ReplyCode)
			}
			if d.EnhancedCode != "" {
				code = strings.TrimSpace(code + " " + d.EnhancedCode)
			}
			rows = append(rows, []string{n(d.Count), d.Status, code, d.Reason, d.Example})
		}
		widths := colWidths(rows)
		for _, wd := range widths[:4] {
			fixed += wd + 2
		}
		room := o.Width - 2 - fixed
		if room < 20 {
			room = 20
		}
		for _, row := range rows {
			row[4] = clip(row[4], room)
		}
		tw.table(rows)
	}

	if len(in.UnparsedBy) > 0 {
		tw.section("Unparsed lines by reason")
		tw.counts(in.UnparsedBy, in.Unparsed, o.Top)
	}
	if len(r.Files) > 0 {
		tw.section("Files")
		rows := [][]string{{"file", "format", "lines", "events", "unparsed", "note"}}
		var bad []*aggregate.File
		for _, f := range r.Files {
			note := ""
			switch {
			case f.Error != "":
				note = "ERROR, see below"
				bad = append(bad, f)
			case f.Skipped != "":
				note = "skipped: not a log"
			case f.CopyOf != "":
				note = "copy of " + clipLeft(f.CopyOf, 30)
			case f.Note != "":
				note = clip(f.Note, 40)
			case f.Truncated > 0:
				note = n(f.Truncated) + " lines cut"
			}
			rows = append(rows, []string{clipLeft(f.Name, 40), f.Format, n(f.Lines), n(f.Events), n(f.Unparsed), note})
		}
		tw.table(rows)
		if len(bad) > 0 {
			tw.section("Files that could not be read (fully)")
			for _, f := range bad {
				tw.printf("  %s\n      %s\n", clipLeft(f.Name, o.Width-2), clip(f.Error, o.Width-6))
			}
		}
	}
	d := r.Dropped
	if d.Domains+d.Recipients+d.Templates+d.State > 0 {
		tw.section("Limits reached (counted, not shown in detail)")
		tw.printf("  domains %d, recipients %d, diagnostic templates %d, message state %d\n", d.Domains, d.Recipients, d.Templates, d.State)
	}
	return tw.err
}

type textWriter struct {
	w   io.Writer
	err error
}

func (t *textWriter) printf(format string, a ...any) {
	if t.err == nil {
		_, t.err = fmt.Fprintf(t.w, format, a...)
	}
}

func (t *textWriter) section(title string) { t.printf("\n%s\n", title) }

func (t *textWriter) counts(c aggregate.Counts, total int64, top int) {
	rows := [][]string{}
	kvs := c.Sorted()
	for i, kv := range kvs {
		if i >= top {
			break
		}
		pct := ""
		if total > 0 {
			pct = strconv.FormatFloat(100*float64(kv.N)/float64(total), 'f', 1, 64) + "%"
		}
		rows = append(rows, []string{kv.Name, n(kv.N), pct})
	}
	t.tableNoHeader(rows)
	if len(kvs) > top {
		t.printf("  … %d more\n", len(kvs)-top)
	}
}

func colWidths(rows [][]string) []int {
	var w []int
	for _, r := range rows {
		for i, c := range r {
			if i >= len(w) {
				w = append(w, 0)
			}
			if l := utf8.RuneCountInString(c); l > w[i] {
				w[i] = l
			}
		}
	}
	return w
}

// table writes rows with the first as a header; numbers right-aligned.
func (t *textWriter) table(rows [][]string) {
	t.rows(rows, true)
}

func (t *textWriter) tableNoHeader(rows [][]string) { t.rows(rows, false) }

func (t *textWriter) rows(rows [][]string, header bool) {
	w := colWidths(rows)
	for ri, r := range rows {
		var b strings.Builder
		b.WriteString("  ")
		for i, c := range r {
			pad := w[i] - utf8.RuneCountInString(c)
			last := i == len(r)-1
			numeric := (!header || ri > 0) && isNumeric(c)
			if numeric {
				b.WriteString(strings.Repeat(" ", pad))
				b.WriteString(c)
			} else {
				b.WriteString(c)
				if !last {
					b.WriteString(strings.Repeat(" ", pad))
				}
			}
			if !last {
				b.WriteString("  ")
			}
		}
		t.printf("%s\n", strings.TrimRight(b.String(), " "))
	}
}

func isNumeric(s string) bool {
	if s == "" || s == "-" {
		return s == "-"
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < '0' || c > '9') && c != '.' && c != '%' {
			return false
		}
	}
	return true
}

func n(v int64) string { return strconv.FormatInt(v, 10) }

// clip shortens s to at most max runes, marking the cut with "…".
func clip(s string, max int) string {
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	r := []rune(s)
	return string(r[:max-1]) + "…"
}

// clipLeft keeps the end of s (file names: the base name matters).
func clipLeft(s string, max int) string {
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	r := []rune(s)
	return "…" + string(r[len(r)-max+1:])
}

func bytesHuman(b int64) string {
	switch {
	case b >= 1<<30:
		return strconv.FormatFloat(float64(b)/(1<<30), 'f', 1, 64) + " GiB"
	case b >= 1<<20:
		return strconv.FormatFloat(float64(b)/(1<<20), 'f', 1, 64) + " MiB"
	case b >= 1<<10:
		return strconv.FormatFloat(float64(b)/(1<<10), 'f', 1, 64) + " KiB"
	}
	return strconv.FormatInt(b, 10) + " B"
}
