package aggregate

import (
	"fmt"
	"sort"
	"strings"

	"github.com/bouncescan/bouncescan"
)

// Dimensions lists what events can be grouped by (`scan --group-by`).
func Dimensions() []string {
	return []string{"domain", "provider", "reason", "subject", "class", "status", "mta", "relay", "relay_ip", "host", "sender", "sender_domain", "stage", "hour", "day", "bounce_category"}
}

// ParseGroupBy reads a comma-separated list of dimensions ("provider,reason").
func ParseGroupBy(s string) ([]string, error) {
	var out []string
	for _, f := range strings.Split(s, ",") {
		f = strings.ReplaceAll(strings.ToLower(strings.TrimSpace(f)), "-", "_")
		switch f {
		case "":
			continue
		case "recipient_domain", "rcpt_domain":
			f = "domain"
		case "mx", "relay_host":
			f = "relay"
		case "ip":
			f = "relay_ip"
		case "sending_host":
			f = "host"
		case "category", "bounce_cat":
			f = "bounce_category"
		}
		ok := false
		for _, d := range Dimensions() {
			ok = ok || d == f
		}
		if !ok {
			return nil, fmt.Errorf("--group-by: unknown dimension %q (use a comma-separated list of: %s)", f, strings.Join(Dimensions(), ", "))
		}
		out = append(out, f)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("--group-by: no dimension given (use a comma-separated list of: %s)", strings.Join(Dimensions(), ", "))
	}
	return out, nil
}

// dimValue is the value of one dimension for an event ("" → "(none)").
func dimValue(r *Report, e *bouncescan.Event, dim string) string {
	var v string
	switch dim {
	case "bounce_category":
		if e.Verdict != nil {
			v = r.category(e.Verdict.Reason)
		}
	case "domain":
		v = e.Domain
	case "provider", "reason", "subject", "class":
		if e.Verdict != nil {
			switch dim {
			case "provider":
				v = e.Verdict.Provider
			case "reason":
				v = e.Verdict.Reason
			case "subject":
				v = e.Verdict.Subject.String()
			case "class":
				v = e.Verdict.Class.String()
			}
		}
	case "status":
		v = e.Status.String()
		if e.Hop && e.Status == bouncescan.StatusSent {
			v = "handoff"
		}
	case "mta":
		v = e.MTA
	case "relay":
		v = lower(e.Relay)
	case "relay_ip":
		v = e.RelayIP
	case "host":
		v = e.Host
	case "sender":
		v = lower(e.Sender)
	case "sender_domain":
		if i := strings.LastIndexByte(e.Sender, '@'); i >= 0 {
			v = lower(e.Sender[i+1:])
		}
	case "stage":
		v = e.Stage.String()
	case "hour":
		if !e.Time.IsZero() {
			v = e.Time.Format("15")
		}
	case "day":
		if !e.Time.IsZero() {
			v = e.Time.Format("2006-01-02")
		}
	}
	if v == "" {
		return "(none)"
	}
	return v
}

// rowExact: distinct recipients of a group row are exact up to this many.
const rowExact = 128

// OtherKey is the key of the row that sums the groups beyond the limit.
const OtherKey = "(other)"

// Group is one breakdown: the events grouped by a list of dimensions.
type Group struct {
	By    []string `json:"by"`
	Rows  []*Row   `json:"rows"` // by events, descending (Finish)
	limit int
	rows  map[string]*Row
	seen  keyCache[Row] // of a group by one dimension: rows found lately, by their key
}

// Row is one group's outcomes.
type Row struct {
	Key        []string `json:"key"`
	Recipients Distinct `json:"recipients"` // distinct recipient addresses
	Outcomes
}

func (r *Report) newGroup(by []string) *Group {
	return &Group{By: by, limit: r.limits.Groups, rows: map[string]*Row{}}
}

func (r *Report) newRow(key []string) *Row {
	return &Row{Key: key, Recipients: newDistinct(rowExact, 10)}
}

// Name is the group's dimensions joined with ",".
func (g *Group) Name() string { return strings.Join(g.By, ",") }

// row finds (or makes) the row of e; beyond the limit, the other row.
func (g *Group) row(r *Report, e *bouncescan.Event) *Row {
	var k string
	var parts []string
	if len(g.By) == 1 {
		k = dimValue(r, e, g.By[0])
		if row := g.seen.get(k); row != nil {
			return row
		}
	} else {
		parts = make([]string, len(g.By))
		for i, d := range g.By {
			parts[i] = dimValue(r, e, d)
		}
		k = strings.Join(parts, "\x1f")
	}
	if row := g.rows[k]; row != nil {
		if parts == nil {
			g.seen.put(row.Key[0], row)
		}
		return row
	}
	if len(g.rows) >= g.limit {
		r.Dropped.Groups++
		return g.other(r)
	}
	if parts == nil {
		parts = []string{k}
	}
	row := r.newRow(parts)
	g.rows[k] = row
	return row
}

func (g *Group) other(r *Report) *Row {
	key := make([]string, len(g.By))
	for i := range key {
		key[i] = OtherKey
	}
	k := strings.Join(key, "\x1f")
	row := g.rows[k]
	if row == nil {
		row = r.newRow(key)
		g.rows[k] = row
	}
	return row
}

func (g *Group) merge(r *Report, o *Group) {
	for _, or := range o.rows {
		k := strings.Join(or.Key, "\x1f")
		row := g.rows[k]
		if row == nil {
			if len(g.rows) >= g.limit {
				r.Dropped.Groups += or.Events
				row = g.other(r)
			} else {
				row = r.newRow(append([]string(nil), or.Key...))
				g.rows[k] = row
			}
		}
		row.Outcomes.merge(&or.Outcomes)
		row.Recipients.Merge(&or.Recipients)
	}
}

func (g *Group) finish() {
	g.Rows = g.Rows[:0]
	for _, row := range g.rows {
		row.finish()
		g.Rows = append(g.Rows, row)
	}
	sort.Slice(g.Rows, func(i, j int) bool {
		a, b := g.Rows[i], g.Rows[j]
		if a.Events != b.Events {
			return a.Events > b.Events
		}
		return strings.Join(a.Key, "\x1f") < strings.Join(b.Key, "\x1f")
	})
}

// IsOther tells whether the row sums the groups beyond the limit.
func (row *Row) IsOther() bool { return len(row.Key) > 0 && row.Key[0] == OtherKey }

// Label is the row's key joined with " / ".
func (row *Row) Label() string { return strings.Join(row.Key, " / ") }
