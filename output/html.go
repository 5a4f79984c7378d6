package output

import (
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"html/template"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/bouncescan/bouncescan/aggregate"
)

// HTML writes the report as one self-contained page: no network fetch,
// no external script, font or style; every value escaped by html/template;
// charts as inline SVG; tables sortable by a small inline script (the only
// script the page's Content-Security-Policy allows, by its hash); a print
// style.
func HTML(w io.Writer, r *aggregate.Report, o Options) error {
	o = o.defaults()
	page := htmlPage(r, o)
	return pageTemplate().Execute(w, page)
}

// sortScript makes every table with class "sort" sortable by a click on a
// column header (numbers by their data-v value).
const sortScript = `document.querySelectorAll('table.sort th').forEach(function(th){th.addEventListener('click',function(){var t=th.closest('table'),b=t.tBodies[0],i=Array.prototype.indexOf.call(th.parentNode.children,th),d=th.dataset.dir==='a'?'d':'a';th.dataset.dir=d;var rows=Array.prototype.slice.call(b.rows);rows.sort(function(x,y){var p=x.cells[i],q=y.cells[i],a=p.dataset.v,c=q.dataset.v,r;if(a!==undefined&&c!==undefined){r=parseFloat(a)-parseFloat(c)}else{r=p.textContent.localeCompare(q.textContent)}return d==='a'?r:-r});rows.forEach(function(x){b.appendChild(x)})})});`

func scriptHash() string {
	h := sha256.Sum256([]byte(sortScript))
	return "sha256-" + base64.StdEncoding.EncodeToString(h[:])
}

const pageCSS = `body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:1.5em auto;max-width:1200px;padding:0 1em;color:#1d1d1f;background:#fff}
h1{font-size:1.6em;margin:.2em 0}h2{font-size:1.2em;margin:1.6em 0 .5em;border-bottom:1px solid #ddd;padding-bottom:.2em}
.meta{color:#555}.partial{background:#fee;border:1px solid #c33;padding:.5em}
.cards{display:flex;flex-wrap:wrap;gap:.6em}.card{border:1px solid #ddd;border-radius:6px;padding:.5em .8em;min-width:8em}.card b{display:block;font-size:1.3em}
table{border-collapse:collapse;margin:.4em 0;font-size:13px}th,td{border-bottom:1px solid #eee;padding:.2em .6em;text-align:left;vertical-align:top}
th{background:#f5f5f7;cursor:pointer;user-select:none}td.n{text-align:right;font-variant-numeric:tabular-nums}
td.text{max-width:60em;word-break:break-word;font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px}
.charts{display:flex;flex-wrap:wrap;gap:1em}.chart{border:1px solid #eee;border-radius:6px;padding:.5em}.chart h3{margin:0 0 .3em;font-size:1em}
svg text{font:11px system-ui,sans-serif;fill:#333}.legend span{display:inline-block;margin-right:1em}.legend i{display:inline-block;width:.8em;height:.8em;margin-right:.3em;vertical-align:middle}
@media print{body{max-width:none;margin:0;font-size:11px}th{cursor:auto}.chart,table{break-inside:avoid}h2{break-after:avoid}}`

// pageTemplate parses the page (per call: no package state; it takes
// well under a millisecond).
func pageTemplate() *template.Template {
	return template.Must(template.New("page").Funcs(template.FuncMap{
		"n":   func(v int64) string { return strconv.FormatInt(v, 10) },
		"pct": func(rate float64, denom int64) string { return pct(rate, denom) },
		"dur": dur,
		"f":   func(v float64) string { return strconv.FormatFloat(v, 'f', 4, 64) },
		"t": func(t time.Time, loc *time.Location) string {
			if t.IsZero() {
				return ""
			}
			return t.In(loc).Format("2006-01-02 15:04:05 MST")
		},
		"bytes": bytesHuman,
	}).Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src '{{.ScriptHash}}'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>bouncescan report</title>
<style>` + pageCSS + `</style></head>
<body>
<h1>bouncescan report</h1>
{{with .R}}
<p class="meta">{{.Input.Files}} files, {{.Input.Lines}} lines, {{bytes .Input.Bytes}}; {{.Events}} events{{if not .First.IsZero}}, from {{t .First $.Loc}} to {{t .Last $.Loc}}{{end}}.
Unparsed lines {{.Input.Unparsed}}, foreign lines {{.Input.Foreign}}, cut long lines {{.Input.Truncated}}, duplicates across files {{.Input.Duplicates}}.</p>
{{if .Partial}}<p class="partial">PARTIAL: {{.Partial}}</p>{{end}}
<div class="cards" id="summary">
<div class="card">messages<b>{{.Volume.Messages}}</b>{{bytes .Volume.Bytes}}</div>
<div class="card">delivered<b>{{.Totals.Sent}}</b>recipients</div>
<div class="card">deferred<b>{{.Totals.Deferred}}</b>attempts</div>
<div class="card">bounced<b>{{.Totals.Bounced}}</b>+ {{.Totals.Expired}} expired</div>
<div class="card">rejected<b>{{.Totals.Rejected}}</b>by us</div>
<div class="card">bounce rate<b>{{pct .Totals.BounceRate .Totals.Final}}</b>deferral rate {{pct .Totals.DeferralRate .Totals.Final}}</div>
<div class="card">delivery delay<b>{{dur .Totals.DelayAvg}}</b>max {{dur .Totals.DelayMax}}</div>
<div class="card">senders<b>{{.Volume.Senders.Count}}</b>{{.Volume.SenderDomains.Count}} domains</div>
<div class="card">recipients<b>{{.Volume.Recipients.Count}}</b>{{$.Domains}} domains</div>
</div>
{{end}}
<h2>Charts</h2>
<div class="charts">
{{range .Charts}}<div class="chart" id="chart-{{.ID}}"><h3>{{.Title}}</h3>
<svg xmlns="http://www.w3.org/2000/svg" width="{{.W}}" height="{{.H}}" viewBox="0 0 {{.W}} {{.H}}" role="img" aria-label="{{.Title}}">
{{range .Rects}}<rect x="{{.X}}" y="{{.Y}}" width="{{.W}}" height="{{.H}}" fill="{{.Fill}}"><title>{{.Tip}}</title></rect>
{{end}}{{range .Texts}}<text x="{{.X}}" y="{{.Y}}"{{if .End}} text-anchor="end"{{end}}>{{.S}}</text>
{{end}}</svg>
{{if .Legend}}<div class="legend">{{range .Legend}}<span><i style="background:{{.Fill}}"></i>{{.Name}}</span>{{end}}</div>{{end}}
</div>
{{end}}
</div>
{{range .Tables}}
<h2 id="t-{{.ID}}">{{.Title}}</h2>
{{if .Note}}<p class="meta">{{.Note}}</p>{{end}}
{{if .Rows}}<table class="sort" id="table-{{.ID}}"><thead><tr>{{range .Head}}<th>{{.}}</th>{{end}}</tr></thead>
<tbody>{{range .Rows}}<tr>{{range .}}{{if .Num}}<td class="n" data-v="{{.V}}">{{.S}}</td>{{else if .Text}}<td class="text">{{.S}}</td>{{else}}<td>{{.S}}</td>{{end}}{{end}}</tr>
{{end}}</tbody></table>{{else}}<p class="meta">(none)</p>{{end}}
{{end}}
<script>` + sortScript + `</script>
</body></html>
`))
}

type htmlData struct {
	R          *aggregate.Report
	Loc        *time.Location
	ScriptHash string
	Domains    int
	Charts     []chart
	Tables     []htmlTable
}

type htmlTable struct {
	ID, Title, Note string
	Head            []string
	Rows            [][]cell
}

type cell struct {
	S, V      string
	Num, Text bool
}

func sc(s string) cell { return cell{S: s} }
func tc(s string) cell { return cell{S: s, Text: true} }
func nc(v int64) cell  { return cell{S: n(v), V: n(v), Num: true} }
func fc(s string, v float64) cell {
	return cell{S: s, V: strconv.FormatFloat(v, 'f', -1, 64), Num: true}
}

type chart struct {
	ID, Title string
	W, H      int
	Rects     []rect
	Texts     []label
	Legend    []legendItem
}

type rect struct {
	X, Y, W, H int
	Fill, Tip  string
}

type label struct {
	X, Y int
	S    string
	End  bool
}

type legendItem struct{ Name, Fill string }

var outcomeColors = []legendItem{{"sent", "#3a9d5d"}, {"deferred", "#e0a030"}, {"bounced", "#d0453a"}, {"expired", "#8e44ad"}, {"rejected", "#555"}}

func outcomeValues(x *aggregate.Outcomes) []int64 {
	return []int64{x.Sent, x.Deferred, x.Bounced, x.Expired, x.Rejected}
}

func htmlPage(r *aggregate.Report, o Options) *htmlData {
	d := &htmlData{R: r, Loc: o.Loc, ScriptHash: scriptHash()}
	if g := r.Group("domain"); g != nil {
		d.Domains = len(g.Rows)
	}
	top := max(o.Top, 50)

	// outcomes over time: stacked bars
	if buckets, size := r.Series.Rollup(o.Bucket, 60, o.Loc); len(buckets) > 0 {
		c := chart{ID: "time", Title: "Outcomes per " + durName(size), W: 760, H: 220, Legend: outcomeColors}
		var peak int64 = 1
		for _, b := range buckets {
			var s int64
			for _, v := range outcomeValues(&b.Outcomes) {
				s += v
			}
			peak = max(peak, s)
		}
		left, plotH, bw := 50, 180, max(1, (c.W-60)/len(buckets))
		c.Texts = append(c.Texts, label{X: left - 4, Y: 14, S: n(peak), End: true}, label{X: left - 4, Y: plotH + 10, S: "0", End: true})
		layout := "01-02 15:04"
		if size >= 24*time.Hour {
			layout = "2006-01-02"
		}
		for i, b := range buckets {
			y := plotH + 10
			vals := outcomeValues(&b.Outcomes)
			for k, v := range vals {
				if v == 0 {
					continue
				}
				h := int(float64(v) / float64(peak) * float64(plotH))
				if h < 1 {
					h = 1
				}
				y -= h
				c.Rects = append(c.Rects, rect{X: left + i*bw, Y: y, W: max(1, bw-1), H: h, Fill: outcomeColors[k].Fill,
					Tip: fmt.Sprintf("%s: %s %d", b.Start.In(o.Loc).Format(layout), outcomeColors[k].Name, v)})
			}
		}
		c.Texts = append(c.Texts, label{X: left, Y: plotH + 24, S: buckets[0].Start.In(o.Loc).Format(layout)},
			label{X: c.W - 10, Y: plotH + 24, S: buckets[len(buckets)-1].Start.In(o.Loc).Format(layout), End: true})
		d.Charts = append(d.Charts, c)
	}
	// reasons of failures and deferrals
	var reasons []bar
	for _, kv := range r.ByReason.Sorted() {
		if kv.Name != "delivered" {
			reasons = append(reasons, bar{kv.Name, float64(kv.N), n(kv.N)})
		}
	}
	d.Charts = append(d.Charts, hbars("reasons", "Reasons (events, success excluded)", reasons, 15, "#d0453a"))
	for _, gname := range []string{"domain", "provider"} {
		g := r.Group(gname)
		if g == nil {
			continue
		}
		var bars []bar
		for _, row := range g.Rows {
			if row.IsOther() || row.Final() < 1 {
				continue
			}
			bars = append(bars, bar{row.Label(), row.BounceRate * 100, fmt.Sprintf("%.1f%% of %d", row.BounceRate*100, row.Final())})
		}
		sort.SliceStable(bars, func(i, j int) bool { return bars[i].v > bars[j].v })
		title := "Worst recipient domains by bounce rate"
		if gname == "provider" {
			title = "Providers by bounce rate"
		}
		d.Charts = append(d.Charts, hbars("worst-"+gname, title, bars, 12, "#8e44ad"))
	}
	rt := r.Totals.Retry
	d.Charts = append(d.Charts, hbars("retries", "Retry outcomes (recipients)", []bar{
		{"delivered at first try", float64(rt.FirstTry), n(rt.FirstTry)},
		{"delivered after deferrals", float64(rt.AfterDeferrals), n(rt.AfterDeferrals)},
		{"bounced at first try", float64(rt.BouncedFirstTry), n(rt.BouncedFirstTry)},
		{"bounced after deferrals", float64(rt.BouncedAfterDefer), n(rt.BouncedAfterDefer)},
		{"expired", float64(rt.Expired), n(rt.Expired)},
		{"still pending", float64(rt.Pending), n(rt.Pending)},
	}, 10, "#3a7bd5"))

	// tables
	for _, g := range r.Groups {
		title := "By " + strings.ReplaceAll(g.Name(), ",", ", ")
		switch g.Name() {
		case "domain":
			title = "Recipient domains"
		case "provider":
			title = "Providers"
		}
		t := htmlTable{ID: "group-" + strings.ReplaceAll(g.Name(), ",", "-"), Title: title,
			Head: append(append([]string{}, g.By...), "recipients", "events", "sent", "deferred", "bounced", "expired", "rejected", "bounce %", "deferral %", "delay avg", "delay max", "first try", "after deferrals", "pending")}
		for i, row := range g.Rows {
			if i >= top*4 {
				t.Note = fmt.Sprintf("%d of %d rows; all are in -o json and -o csv", top*4, len(g.Rows))
				break
			}
			cells := []cell{}
			for _, k := range row.Key {
				cells = append(cells, sc(k))
			}
			cells = append(cells, nc(row.Recipients.Count()), nc(row.Events), nc(row.Sent), nc(row.Deferred), nc(row.Bounced), nc(row.Expired), nc(row.Rejected),
				fc(pct1(row.BounceRate, row.Final()), row.BounceRate), fc(pct1(row.DeferralRate, row.Final()+row.Deferred), row.DeferralRate),
				fc(dur(row.DelayAvg), row.DelayAvg), fc(dur(row.DelayMax), row.DelayMax), nc(row.Retry.FirstTry), nc(row.Retry.AfterDeferrals), nc(row.Retry.Pending))
			t.Rows = append(t.Rows, cells)
		}
		d.Tables = append(d.Tables, t)
	}
	diagTable := func(id, title, note string, ds []*aggregate.Diag) htmlTable {
		t := htmlTable{ID: id, Title: title, Note: note, Head: []string{"count", "status", "code", "enhanced", "class", "subject", "reason", "provider", "rule", "domains", "last seen", "template", "example"}}
		for i, x := range ds {
			if i >= top*4 {
				break
			}
			t.Rows = append(t.Rows, []cell{nc(x.Count), sc(x.Status), nc(int64(x.ReplyCode)), sc(x.EnhancedCode), sc(x.Class), sc(x.Subject), sc(x.Reason), sc(x.Provider), sc(x.Rule),
				nc(x.Domains.Count()), sc(x.Last.In(o.Loc).Format("2006-01-02 15:04")), tc(x.Template), tc(x.Example)})
		}
		return t
	}
	d.Tables = append(d.Tables, diagTable("templates", "Diagnostics by template (failures and deferrals)", "", r.Templates),
		diagTable("undecided", "Undecided: texts no rule classified", "Write --rules for these (see README).", r.Undecided()))
	counts := func(id, title, col string, c aggregate.Counts) htmlTable {
		t := htmlTable{ID: id, Title: title, Head: []string{col, "count"}}
		for i, kv := range c.Sorted() {
			if i >= top*2 {
				break
			}
			t.Rows = append(t.Rows, []cell{tc(kv.Name), nc(kv.N)})
		}
		return t
	}
	d.Tables = append(d.Tables, counts("rejects", "Rejects by restriction", "restriction", r.Rejects.ByRestriction),
		counts("reject-clients", "Rejects by client", "client", r.Rejects.ByClient),
		counts("notices", "MTA notices (warnings, errors, fatal, panic, reject_warning)", "severity", r.Notices.BySeverity),
		counts("notice-texts", "MTA notices by text", "severity and text", r.Notices.ByText))
	tallies := func(id, title, col string, rows []*aggregate.Tally) htmlTable {
		t := htmlTable{ID: id, Title: title, Head: []string{"address", col, "bytes"}}
		for i, x := range rows {
			if i >= top {
				break
			}
			t.Rows = append(t.Rows, []cell{sc(x.Name), nc(x.Count), fc(bytesHuman(x.Bytes), float64(x.Bytes))})
		}
		return t
	}
	d.Tables = append(d.Tables, tallies("senders", "Senders", "messages", r.Volume.TopSenders.Rows),
		tallies("recipients", "Recipients", "deliveries", r.Volume.TopRecipients.Rows))
	for _, c := range []struct {
		id, title string
		c         aggregate.Counts
	}{{"status", "By status", r.ByStatus}, {"class", "By class", r.ByClass}, {"subject", "By subject (RFC 3463)", r.BySubject}, {"reason", "By reason", r.ByReason}, {"bounce_category", "By bounce category", r.ByBounceCategory}, {"mta", "By MTA", r.ByMTA}} {
		if c.c == nil && c.id == "bounce_category" {
			continue // no --taxonomy
		}
		d.Tables = append(d.Tables, counts(c.id, c.title, c.id, c.c))
	}
	un := htmlTable{ID: "unparsed", Title: "Unparsed lines", Head: []string{"reason", "lines", "where", "text"}}
	for _, kv := range r.Input.UnparsedBy.Sorted() {
		ex := r.UnparsedExamples[kv.Name]
		if len(ex) == 0 {
			un.Rows = append(un.Rows, []cell{sc(kv.Name), nc(kv.N), sc(""), tc("")})
		}
		for _, l := range ex {
			un.Rows = append(un.Rows, []cell{sc(kv.Name), nc(kv.N), sc(fmt.Sprintf("%s:%d", l.Source, l.Line)), tc(l.Text)})
		}
	}
	d.Tables = append(d.Tables, un)
	files := htmlTable{ID: "files", Title: "Files", Head: []string{"file", "format", "lines", "events", "unparsed", "note"}}
	for _, f := range r.Files {
		note := f.Error
		if note == "" {
			note = strings.TrimSpace(f.Skipped + " " + f.Note)
		}
		if f.CopyOf != "" {
			note = "copy of " + f.CopyOf
		}
		name := f.Name
		if f.Report != "" {
			name = f.Report + ": " + name
		}
		files.Rows = append(files.Rows, []cell{sc(name), sc(f.Format), nc(f.Lines), nc(f.Events), nc(f.Unparsed), tc(note)})
	}
	d.Tables = append(d.Tables, files)
	return d
}

type bar struct {
	name string
	v    float64
	tip  string
}

// hbars is a horizontal bar chart of the first max bars.
func hbars(id, title string, bars []bar, maxBars int, fill string) chart {
	if len(bars) > maxBars {
		bars = bars[:maxBars]
	}
	c := chart{ID: id, Title: title, W: 460, H: 20 + 18*max(1, len(bars))}
	peak := 0.0
	for _, b := range bars {
		peak = max(peak, b.v)
	}
	if peak == 0 {
		peak = 1
	}
	left := 170
	for i, b := range bars {
		y := 8 + i*18
		w := int(b.v / peak * float64(c.W-left-90))
		name := b.name
		if len([]rune(name)) > 28 {
			name = string([]rune(name)[:27]) + "…"
		}
		c.Texts = append(c.Texts, label{X: left - 6, Y: y + 11, S: name, End: true}, label{X: left + w + 4, Y: y + 11, S: b.tip})
		c.Rects = append(c.Rects, rect{X: left, Y: y, W: max(w, 1), H: 14, Fill: fill, Tip: b.name + ": " + b.tip})
	}
	if len(bars) == 0 {
		c.Texts = append(c.Texts, label{X: 10, Y: 20, S: "(nothing to show)"})
	}
	return c
}
