package output

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/bouncescan/bouncescan/aggregate"
)

// CSVTables lists the tables `-o csv --table NAME` can write, with what
// they hold. "groups" is the first --group-by group (else the recipient
// domains); "group:DIMS" names any group ("group:provider,reason").
func CSVTables() [][2]string {
	return [][2]string{
		{"summary", "key, value: the report's totals, volume and rates"},
		{"groups", "the --group-by group (default: recipient domains), one row per group"},
		{"domains", "one row per recipient domain"},
		{"providers", "one row per provider"},
		{"status", "name, count (also: class, subject, reason, provider, mta, and bounce_category with --taxonomy)"},
		{"templates", "every diagnostic template with its example and verdict"},
		{"undecided", "the templates no rule classified"},
		{"retries", "retry outcomes overall"},
		{"series", "outcomes per time bucket"},
		{"senders", "senders by messages, with bytes"},
		{"recipients", "recipients by deliveries, with bytes"},
		{"rejects", "rejects by restriction"},
		{"reject_clients", "rejects by client"},
		{"notices", "MTA notices (warning, reject_warning, error, fatal, panic) by severity and text"},
		{"unparsed", "examples of unparsed lines per reason"},
		{"files", "every file read"},
	}
}

// CSVTableNames is the names of CSVTables, comma-separated.
func CSVTableNames() string {
	var names []string
	for _, t := range CSVTables() {
		names = append(names, t[0])
	}
	return strings.Join(names, ", ")
}

// Neutralize defuses a CSV cell against formula injection: a cell that
// begins with = + - @, a tab or a carriage return (which spreadsheets run
// as a formula) gets a leading apostrophe.
func Neutralize(s string) string {
	if s != "" && strings.IndexByte("=+-@\t\r", s[0]) >= 0 {
		return "'" + s
	}
	return s
}

// CSV writes one table of the report (o.Table) with one header row.
func CSV(w io.Writer, r *aggregate.Report, o Options) error {
	o = o.defaults()
	header, rows, err := csvTable(r, o)
	if err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(header); err != nil {
		return err
	}
	for _, row := range rows {
		for i := range row {
			row[i] = Neutralize(row[i])
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

func f64(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
func rate(v float64) string {
	return strconv.FormatFloat(v, 'f', 6, 64)
}

var outcomeCols = []string{"events", "sent", "deferred", "bounced", "expired", "rejected", "handoffs", "other",
	"bounce_rate", "deferral_rate", "delay_avg_s", "delay_max_s",
	"delivered_first_try", "delivered_after_deferrals", "bounced_first_try", "bounced_after_deferrals", "pending",
	"deferrals_before_delivery", "retry_delay_avg_s", "retry_delay_max_s",
	"delivered_after_1", "delivered_after_2", "delivered_after_3", "delivered_after_4_5", "delivered_after_6_10", "delivered_after_11_plus"}

func outcomeCells(x *aggregate.Outcomes) []string {
	rt := &x.Retry
	cells := []string{n(x.Events), n(x.Sent), n(x.Deferred), n(x.Bounced), n(x.Expired), n(x.Rejected), n(x.Handoffs), n(x.Other),
		rate(x.BounceRate), rate(x.DeferralRate), f64(x.DelayAvg), f64(x.DelayMax),
		n(rt.FirstTry), n(rt.AfterDeferrals), n(rt.BouncedFirstTry), n(rt.BouncedAfterDefer), n(rt.Pending),
		n(rt.Deferrals), f64(rt.RetryDelayAvg()), f64(rt.RetryDelayMax)}
	for _, b := range aggregate.AfterBuckets() {
		cells = append(cells, n(rt.AfterN[b]))
	}
	return cells
}

func csvTable(r *aggregate.Report, o Options) ([]string, [][]string, error) {
	name := o.Table
	if name == "" {
		name = "groups"
	}
	var g *aggregate.Group
	switch {
	case name == "groups":
		g = r.Groups[len(r.Groups)-1]
		if len(r.Groups) <= 2 {
			g = r.Group("domain")
		}
	case name == "domains":
		g = r.Group("domain")
	case name == "providers":
		g = r.Group("provider")
	case strings.HasPrefix(name, "group:"):
		by, err := aggregate.ParseGroupBy(strings.TrimPrefix(name, "group:"))
		if err != nil {
			return nil, nil, err
		}
		if g = r.Group(by...); g == nil {
			return nil, nil, fmt.Errorf("--table %s: the report has no such group (scan with --group-by %s)", name, strings.Join(by, ","))
		}
	}
	if g != nil {
		header := append(append(append([]string{}, g.By...), "recipients", "recipients_exact"), outcomeCols...)
		var rows [][]string
		for _, row := range g.Rows {
			cells := append(append([]string{}, row.Key...), n(row.Recipients.Count()), strconv.FormatBool(row.Recipients.Exact()))
			rows = append(rows, append(cells, outcomeCells(&row.Outcomes)...))
		}
		return header, rows, nil
	}
	counts := map[string]aggregate.Counts{"status": r.ByStatus, "class": r.ByClass, "subject": r.BySubject, "reason": r.ByReason, "provider": r.ByProvider, "mta": r.ByMTA, "bounce_category": r.ByBounceCategory}
	if name == "bounce_category" && r.ByBounceCategory == nil {
		return nil, nil, fmt.Errorf("--table bounce_category: the report has no breakdown by bounce category (scan with --taxonomy)")
	}
	if c, ok := counts[name]; ok {
		var rows [][]string
		for _, kv := range c.Sorted() {
			rows = append(rows, []string{kv.Name, n(kv.N)})
		}
		return []string{name, "count"}, rows, nil
	}
	switch name {
	case "summary":
		t, v := &r.Totals, &r.Volume
		rows := [][]string{{"files", strconv.Itoa(r.Input.Files)}, {"lines", n(r.Input.Lines)}, {"bytes_read", n(r.Input.Bytes)},
			{"unparsed_lines", n(r.Input.Unparsed)}, {"foreign_lines", n(r.Input.Foreign)}, {"events", n(r.Events)},
			{"first", timeCell(r.First)}, {"last", timeCell(r.Last)},
			{"messages", n(v.Messages)}, {"message_bytes", n(v.Bytes)}, {"delivered_messages", n(v.DeliveredMessages)}, {"delivered_bytes", n(v.DeliveredBytes)},
			{"deliveries", n(v.Deliveries)}, {"senders", n(v.Senders.Count())}, {"sender_domains", n(v.SenderDomains.Count())}, {"recipients", n(v.Recipients.Count())}}
		for i, c := range outcomeCols {
			rows = append(rows, []string{c, outcomeCells(t)[i]})
		}
		if r.Partial != "" {
			rows = append(rows, []string{"partial", r.Partial})
		}
		return []string{"key", "value"}, rows, nil
	case "templates", "undecided":
		ds := r.Templates
		if name == "undecided" {
			ds = r.Undecided()
		}
		var rows [][]string
		for _, d := range ds {
			code := ""
			if d.ReplyCode != 0 {
				code = strconv.Itoa(d.ReplyCode)
			}
			rows = append(rows, []string{n(d.Count), d.Status, code, d.EnhancedCode, d.Class, d.Subject, d.Reason, d.Provider, d.Rule,
				n(d.Domains.Count()), timeCell(d.First), timeCell(d.Last), d.Template, d.Example})
		}
		return []string{"count", "status", "reply_code", "enhanced_code", "class", "subject", "reason", "provider", "rule", "domains", "first", "last", "template", "example"}, rows, nil
	case "retries":
		rt := r.Totals.Retry
		rows := [][]string{{"delivered_first_try", n(rt.FirstTry)}, {"delivered_after_deferrals", n(rt.AfterDeferrals)},
			{"bounced_first_try", n(rt.BouncedFirstTry)}, {"bounced_after_deferrals", n(rt.BouncedAfterDefer)},
			{"expired", n(rt.Expired)}, {"pending", n(rt.Pending)}, {"unknown_attempt", n(rt.Unknown)},
			{"deferrals_before_delivery", n(rt.Deferrals)}, {"retry_delay_max_s", f64(rt.RetryDelayMax)}}
		for _, k := range []string{"1", "2", "3", "4-5", "6-10", "11+"} {
			rows = append(rows, []string{"delivered_after_" + k + "_deferrals", n(rt.AfterN[k])})
		}
		return []string{"outcome", "recipients"}, rows, nil
	case "series":
		buckets, size := r.Series.Rollup(o.Bucket, 1<<30, o.Loc)
		if o.Bucket == 0 {
			buckets, size = r.Series.Rollup(time.Duration(r.Series.BucketSeconds)*time.Second, 1<<30, o.Loc)
		}
		var rows [][]string
		for _, b := range buckets {
			rows = append(rows, append([]string{timeCell(b.Start), strconv.FormatInt(int64(size/time.Second), 10)}, outcomeCells(&b.Outcomes)...))
		}
		return append([]string{"start", "seconds"}, outcomeCols...), rows, nil
	case "senders", "recipients":
		t := &r.Volume.TopSenders
		col := "messages"
		if name == "recipients" {
			t, col = &r.Volume.TopRecipients, "deliveries"
		}
		var rows [][]string
		for _, x := range t.Rows {
			rows = append(rows, []string{x.Name, n(x.Count), n(x.Bytes)})
		}
		return []string{"address", col, "bytes"}, rows, nil
	case "rejects", "reject_clients":
		c, col := r.Rejects.ByRestriction, "restriction"
		if name == "reject_clients" {
			c, col = r.Rejects.ByClient, "client"
		}
		var rows [][]string
		for _, kv := range c.Sorted() {
			rows = append(rows, []string{kv.Name, n(kv.N)})
		}
		return []string{col, "rejects"}, rows, nil
	case "notices":
		var rows [][]string
		for _, kv := range r.Notices.ByText.Sorted() {
			sev, text, _ := strings.Cut(kv.Name, " ")
			rows = append(rows, []string{sev, text, n(kv.N)})
		}
		return []string{"severity", "text", "lines"}, rows, nil
	case "unparsed":
		var rows [][]string
		for _, kv := range r.Input.UnparsedBy.Sorted() {
			ex := r.UnparsedExamples[kv.Name]
			if len(ex) == 0 {
				rows = append(rows, []string{kv.Name, n(kv.N), "", "", ""})
			}
			for _, l := range ex {
				rows = append(rows, []string{kv.Name, n(kv.N), l.Source, n(l.Line), l.Text})
			}
		}
		return []string{"reason", "lines", "source", "line", "text"}, rows, nil
	case "files":
		var rows [][]string
		for _, f := range r.Files {
			rows = append(rows, []string{f.Report, f.Name, f.Format, n(f.Bytes), n(f.Lines), n(f.Events), n(f.Unparsed), n(f.Foreign), n(f.Truncated), f.Error, f.Skipped, f.CopyOf, f.Note})
		}
		return []string{"report", "file", "format", "bytes", "lines", "events", "unparsed", "foreign", "truncated", "error", "skipped", "copy_of", "note"}, rows, nil
	}
	return nil, nil, fmt.Errorf("--table %q: no such table (one of: %s, or group:DIMS)", name, CSVTableNames())
}

func timeCell(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}
