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
	"github.com/bouncescan/bouncescan/parsers/parsekit"
)

// Table writes the report as aligned plain text, readable in Width
// columns (with Wide, diagnostic texts are given whole). Every text that
// comes from a log goes through Safe.
func Table(w io.Writer, r *aggregate.Report, o Options) error {
	o = o.defaults()
	tw := &textWriter{w: w, width: o.Width}
	in := r.Input
	tw.printf("bouncescan report\n")
	if r.Partial != "" {
		tw.printf("  PARTIAL: %s\n", Safe(r.Partial))
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

	v, t := &r.Volume, &r.Totals
	if r.Events > 0 {
		tw.section("Volume")
		tw.printf("  messages %d (%s), delivered %d (%s) to %d recipients\n", v.Messages, bytesHuman(v.Bytes), v.DeliveredMessages, bytesHuman(v.DeliveredBytes), v.Deliveries)
		domains := 0
		if g := r.Group("domain"); g != nil {
			domains = len(g.Rows)
		}
		tw.printf("  senders %d, sender domains %d, recipients %d, recipient domains %d\n", v.Senders.Count(), v.SenderDomains.Count(), v.Recipients.Count(), domains)
		tw.printf("  sent %d, deferred %d, bounced %d, expired %d, rejected %d", t.Sent, t.Deferred, t.Bounced, t.Expired, t.Rejected)
		if t.Handoffs > 0 {
			tw.printf(", internal hand-offs %d", t.Handoffs)
		}
		tw.printf("\n  bounce rate %s, deferral rate %s, delivery delay avg %s max %s\n", pct(t.BounceRate, t.Final()), pct(t.DeferralRate, t.Final()+t.Deferred), dur(t.DelayAvg), dur(t.DelayMax))

		tw.section("Retry outcomes (recipients)")
		rt := t.Retry
		rows := [][]string{
			{"delivered at first try", n(rt.FirstTry)},
			{"delivered after deferrals", n(rt.AfterDeferrals)},
			{"bounced at first try", n(rt.BouncedFirstTry)},
			{"bounced after deferrals", n(rt.BouncedAfterDefer)},
			{"expired", n(rt.Expired)},
			{"still pending at the end", n(rt.Pending)},
		}
		if rt.Unknown > 0 {
			rows = append(rows, []string{"attempt unknown", n(rt.Unknown)})
		}
		tw.tableNoHeader(rows)
		if rt.AfterDeferrals > 0 {
			var parts []string
			for _, k := range aggregate.AfterBuckets() {
				if c := rt.AfterN[k]; c > 0 {
					parts = append(parts, fmt.Sprintf("%s: %d", k, c))
				}
			}
			tw.printf("  delivered after N deferrals: %s; took avg %s, max %s\n", strings.Join(parts, ", "),
				dur(rt.RetryDelayAvg()), dur(rt.RetryDelayMax))
		}
	}

	total := r.Events
	tw.section("By status")
	if total == 0 {
		tw.printf("  (no events)\n")
	}
	tw.counts(r.ByStatus, total, o.Top)
	for _, c := range []struct {
		title string
		c     aggregate.Counts
		min   int
	}{{"By class", r.ByClass, 1}, {"By subject (RFC 3463)", r.BySubject, 1}, {"By reason", r.ByReason, 1}, {"By bounce category (--taxonomy)", r.ByBounceCategory, 1}, {"By provider", r.ByProvider, 1}, {"By MTA", r.ByMTA, 2}} {
		if len(c.c) >= c.min {
			tw.section(c.title)
			tw.counts(c.c, total, o.Top)
		}
	}

	for _, g := range r.Groups {
		if len(g.Rows) == 0 || (g.Name() == "provider" && len(g.Rows) == 1) {
			continue
		}
		title := "By " + strings.ReplaceAll(g.Name(), ",", ", ")
		switch g.Name() {
		case "domain":
			title = "Recipient domains"
		case "provider":
			title = "Providers"
		}
		tw.section(title)
		tw.group(g, o.Top)
	}

	if len(r.Series.Buckets) > 1 {
		buckets, size := r.Series.Rollup(o.Bucket, 24, o.Loc)
		tw.section("Over time (per " + durName(size) + ")")
		rows := [][]string{{"from", "events", "sent", "deferred", "bounced", "expired", "rejected", "bounce%"}}
		layout := "2006-01-02 15:04"
		if size >= 24*time.Hour {
			layout = "2006-01-02"
		}
		for _, b := range buckets {
			rows = append(rows, []string{b.Start.In(o.Loc).Format(layout), n(b.Events), n(b.Sent), n(b.Deferred), n(b.Bounced), n(b.Expired), n(b.Rejected), pct(b.BounceRate, b.Final())})
		}
		tw.table(rows)
		if r.Series.BucketSeconds <= 3600 && r.Last.Sub(r.First) >= 24*time.Hour {
			tw.section("Per hour of day (" + o.Loc.String() + ")")
			hours := r.Series.HourOfDay(o.Loc)
			rows := [][]string{{"hour", "events", "sent", "deferred", "bounced", "rejected"}}
			for h, b := range hours {
				if b.Events > 0 {
					rows = append(rows, []string{fmt.Sprintf("%02d", h), n(b.Events), n(b.Sent), n(b.Deferred), n(b.Bounced), n(b.Rejected)})
				}
			}
			tw.table(rows)
		}
	}

	if len(r.Rejects.ByRestriction) > 0 {
		tw.section("Rejects by restriction")
		tw.countsWide(r.Rejects.ByRestriction, r.Totals.Rejected, o.Top)
		tw.section("Rejects by client")
		tw.countsWide(r.Rejects.ByClient, r.Totals.Rejected, o.Top)
	}
	if total := r.Notices.Total(); total > 0 {
		tw.section("MTA notices (warnings, errors, fatal, panic, reject_warning)")
		tw.countsWide(r.Notices.BySeverity, total, o.Top)
		tw.section("MTA notices by text")
		tw.countsWide(r.Notices.ByText, total, o.Top)
	}
	if len(v.TopSenders.Rows) > 0 {
		tw.tallies("Senders by messages", v.TopSenders.Rows, "messages", o.Top)
		tw.tallies("Senders by size", v.TopSenders.BySize(), "messages", o.Top)
	}
	if len(v.TopRecipients.Rows) > 0 {
		tw.tallies("Recipients by deliveries", v.TopRecipients.Rows, "deliveries", o.Top)
		tw.tallies("Recipients by size", v.TopRecipients.BySize(), "deliveries", o.Top)
	}

	if len(r.Templates) > 0 {
		tw.section("Top diagnostics (failures and deferrals, by template)")
		tw.diags(r.Templates, o)
	}
	if u := r.Undecided(); len(u) > 0 {
		tw.section("Undecided: texts no rule classified (write --rules for these)")
		tw.diags(u, o)
	}

	if len(in.UnparsedBy) > 0 {
		tw.section("Unparsed lines by reason")
		for i, kv := range in.UnparsedBy.Sorted() {
			if i >= o.Top {
				tw.printf("  … %d more reasons\n", len(in.UnparsedBy)-o.Top)
				break
			}
			tw.printf("  %s  %s\n", n(kv.N), clip(Safe(kv.Name), o.Width-4-len(n(kv.N))))
			for _, l := range r.UnparsedExamples[kv.Name] {
				at := Safe(fmt.Sprintf("%s:%d", l.Source, l.Line))
				text := Safe(l.Text)
				if !o.Wide {
					at = clipLeft(at, 40)
					text = clip(text, o.Width-6-utf8.RuneCountInString(at)-2)
				}
				tw.printf("      %s  %s\n", at, text)
			}
		}
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
				note = "copy of " + clipLeft(Safe(f.CopyOf), 30)
			case f.Note != "":
				note = Safe(f.Note) // clipped below to what the row leaves
			case f.Truncated > 0:
				note = n(f.Truncated) + " lines cut"
			case f.Backwards > 0:
				note = n(f.Backwards) + " times back in time"
			}
			name := f.Name
			if f.Report != "" {
				name = f.Report + ": " + name
			}
			rows = append(rows, []string{clipLeft(Safe(name), 40), Safe(f.Format), n(f.Lines), n(f.Events), n(f.Unparsed), note})
		}
		clipLastColumn(rows, 100)
		tw.table(rows)
		if len(bad) > 0 {
			tw.section("Files that could not be read (fully)")
			for _, f := range bad {
				tw.printf("  %s\n      %s\n", clipLeft(Safe(f.Name), o.Width-2), clip(Safe(f.Error), o.Width-6))
			}
		}
	}
	d := r.Dropped
	if d.Groups+d.Templates+d.Messages+d.Pending+d.Top+d.Buckets+d.State > 0 {
		tw.section("Limits reached (counted, not shown in detail)")
		tw.printf("  events in (other) groups %d, diagnostic templates %d, time buckets %d,\n  senders/recipients/rejects in (other) %d, pending not tracked %d,\n  message state %d, deferred-message window turns %d\n",
			d.Groups, d.Templates, d.Buckets, d.Top, d.Pending, d.State, d.Messages)
	}
	if d.Rewound > 0 {
		tw.section("Log time went back")
		tw.printf("  by more than %g hours within a file (logs joined out of order?): the state of %d\n  messages from the later stretch was dropped; their later lines, if any, lack it\n",
			parsekit.StepBack.Hours(), d.Rewound)
	}
	return tw.err
}

type textWriter struct {
	w     io.Writer
	width int
	err   error
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
		p := ""
		if total > 0 {
			p = strconv.FormatFloat(100*float64(kv.N)/float64(total), 'f', 1, 64) + "%"
		}
		rows = append(rows, []string{clip(Safe(kv.Name), 40), n(kv.N), p})
	}
	t.tableNoHeader(rows)
	if len(kvs) > top {
		t.printf("  … %d more\n", len(kvs)-top)
	}
}

// countsWide lists long names (rejects): count first, name cut to fit.
func (t *textWriter) countsWide(c aggregate.Counts, total int64, top int) {
	kvs := c.Sorted()
	rows := [][]string{}
	for i, kv := range kvs {
		if i >= top {
			break
		}
		rows = append(rows, []string{n(kv.N), Safe(kv.Name)})
	}
	t.fit(rows, false, 1)
	if len(kvs) > top {
		t.printf("  … %d more\n", len(kvs)-top)
	}
}

func (t *textWriter) tallies(title string, rows []*aggregate.Tally, what string, top int) {
	t.section(title)
	out := [][]string{{what, "bytes", "address"}}
	for i, x := range rows {
		if i >= top {
			break
		}
		out = append(out, []string{n(x.Count), bytesHuman(x.Bytes), Safe(x.Name)})
	}
	t.fit(out, true, 2)
	if len(rows) > top {
		t.printf("  … %d more\n", len(rows)-top)
	}
}

func (t *textWriter) group(g *aggregate.Group, top int) {
	rows := [][]string{{strings.ReplaceAll(g.Name(), ",", " / "), "rcpts", "events", "sent", "defer", "bounce", "expire", "reject", "bnc%", "dfr%", "delay", "late"}}
	shown, rest, restN := 0, aggregate.Row{Key: []string{aggregate.OtherKey}}, 0
	for _, row := range g.Rows {
		if row.IsOther() || shown >= top {
			// beyond --top, and the (other) row of the limit: summed
			restN++
			rest.Sum(&row.Outcomes)
			continue
		}
		shown++
		rows = append(rows, groupCells(row, Safe(row.Label())))
	}
	if restN > 0 {
		rows = append(rows, groupCells(&rest, fmt.Sprintf("(%d others)", len(g.Rows)-shown)))
	}
	t.fit(rows, true, 0)
}

func groupCells(row *aggregate.Row, label string) []string {
	rc := "-"
	if !row.IsOther() {
		rc = n(row.Recipients.Count())
		if !row.Recipients.Exact() {
			rc = "~" + rc
		}
	}
	return []string{label, rc, n(row.Events), n(row.Sent), n(row.Deferred), n(row.Bounced), n(row.Expired), n(row.Rejected),
		pct1(row.BounceRate, row.Final()), pct1(row.DeferralRate, row.Final()+row.Deferred), dur(row.DelayAvg), n(row.Retry.AfterDeferrals)}
}

func (t *textWriter) diags(ds []*aggregate.Diag, o Options) {
	rows := [][]string{{"count", "status", "code", "reason", "text"}}
	for i, d := range ds {
		if i >= o.Top {
			break
		}
		code := ""
		if d.ReplyCode != 0 {
			code = strconv.Itoa(d.ReplyCode)
		}
		if d.EnhancedCode != "" {
			code = strings.TrimSpace(code + " " + Safe(d.EnhancedCode))
		}
		reason := d.Reason
		if reason == "" {
			reason = "-"
		}
		rows = append(rows, []string{n(d.Count), d.Status, code, Safe(reason), Safe(d.Example)})
	}
	if o.Wide {
		t.table(rows)
	} else {
		t.fit(rows, true, 4)
	}
	if len(ds) > o.Top {
		t.printf("  … %d more (--top N; full texts: --wide, or -o json/csv/html)\n", len(ds)-o.Top)
	}
}

// fit writes a table whose column flex is cut so that lines fit the width.
func (t *textWriter) fit(rows [][]string, header bool, flex int) {
	if len(rows) == 0 {
		return
	}
	widths := colWidths(rows)
	fixed := 2
	for i, wd := range widths {
		if i != flex {
			fixed += wd + 2
		}
	}
	room := t.width - fixed
	if room < 12 {
		room = 12
	}
	for _, row := range rows {
		if flex < len(row) {
			row[flex] = clip(row[flex], room)
		}
	}
	t.rows(rows, header)
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
func (t *textWriter) table(rows [][]string) { t.rows(rows, true) }

func (t *textWriter) tableNoHeader(rows [][]string) { t.rows(rows, false) }

func (t *textWriter) rows(rows [][]string, header bool) {
	w := colWidths(rows)
	for ri, r := range rows {
		var b strings.Builder
		b.WriteString("  ")
		for i, c := range r {
			pad := w[i] - utf8.RuneCountInString(c)
			last := i == len(r)-1
			numeric := (!header || ri > 0) && isNumeric(c) || header && ri == 0 && i > 0 && colNumeric(rows[1:], i)
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

// colNumeric: the header of a numeric column is right-aligned too.
func colNumeric(rows [][]string, i int) bool {
	if len(rows) == 0 {
		return false
	}
	for _, r := range rows {
		if i >= len(r) || !isNumeric(r[i]) {
			return false
		}
	}
	return true
}

func isNumeric(s string) bool {
	if s == "" || s == "-" {
		return s == "-"
	}
	if s[0] == '~' {
		s = s[1:]
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < '0' || c > '9') && c != '.' && c != '%' && c != 's' && c != 'm' && c != 'h' && c != 'd' {
			return false
		}
	}
	return s[0] >= '0' && s[0] <= '9'
}

func n(v int64) string { return strconv.FormatInt(v, 10) }

// pct is a rate in percent with one decimal, "-" when its denominator is 0.
func pct(rate float64, denom int64) string {
	if denom == 0 {
		return "-"
	}
	return strconv.FormatFloat(100*rate, 'f', 1, 64) + "%"
}

// pct1 is pct without the % sign (in columns titled with %).
func pct1(rate float64, denom int64) string {
	if denom == 0 {
		return "-"
	}
	return strconv.FormatFloat(100*rate, 'f', 1, 64)
}

// dur writes seconds as 45s, 12m, 3.5h, 2.1d; "-" for 0.
func dur(s float64) string {
	switch {
	case s <= 0:
		return "-"
	case s < 90:
		return strconv.FormatFloat(s, 'f', 0, 64) + "s"
	case s < 90*60:
		return strconv.FormatFloat(s/60, 'f', 0, 64) + "m"
	case s < 36*3600:
		return strconv.FormatFloat(s/3600, 'f', 1, 64) + "h"
	}
	return strconv.FormatFloat(s/86400, 'f', 1, 64) + "d"
}

func durName(d time.Duration) string {
	switch {
	case d%(24*time.Hour) == 0:
		if d == 24*time.Hour {
			return "day"
		}
		if d == 7*24*time.Hour {
			return "week"
		}
		return strconv.Itoa(int(d/(24*time.Hour))) + " days"
	case d%time.Hour == 0:
		if d == time.Hour {
			return "hour"
		}
		return strconv.Itoa(int(d/time.Hour)) + " hours"
	}
	return strconv.Itoa(int(d/time.Minute)) + " min"
}

// clip shortens s to at most max runes, marking the cut with "…".
func clip(s string, max int) string {
	if max < 1 {
		max = 1
	}
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	r := []rune(s)
	return string(r[:max-1]) + "…"
}

// clipLastColumn cuts the last cell of every row so that the table fits
// in width columns (two leading and two separating spaces a column, as
// table writes them), keeping at least 12 runes of it.
func clipLastColumn(rows [][]string, width int) {
	if len(rows) == 0 {
		return
	}
	last := len(rows[0]) - 1
	used := 2
	for c := 0; c < last; c++ {
		w := 0
		for _, r := range rows {
			w = max(w, utf8.RuneCountInString(r[c]))
		}
		used += w + 2
	}
	for _, r := range rows {
		r[last] = clip(r[last], max(width-used, 12))
	}
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
