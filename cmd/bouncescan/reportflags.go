package main

import (
	"fmt"
	"slices"
	"time"

	"github.com/bouncescan/bouncescan/aggregate"
	"github.com/bouncescan/bouncescan/classify"
	"github.com/bouncescan/bouncescan/output"
)

// ReportFlags are the flags that shape a report, named the same in scan
// and merge.
type ReportFlags struct {
	Top      int           `default:"10" help:"Rows per breakdown in the table report (HTML shows more; JSON and CSV hold all)."`
	GroupBy  []string      `name:"group-by" sep:"none" placeholder:"DIM,…" help:"Also group by these dimensions, comma-separated (provider,reason): domain, provider, reason, subject, class, status, mta, relay, relay_ip, host, sender, sender_domain, stage, hour, day, bounce_category (with --taxonomy). Repeat the flag for several groups."`
	Wide     bool          `help:"Table: full diagnostic texts and unparsed lines, not cut to 100 columns."`
	Bucket   time.Duration `placeholder:"1h" help:"Time series bucket (scan: the finest bucket kept, default 1h; output: the bucket shown, default chosen for about 24 rows)."`
	Taxonomy bool          `help:"Also name reasons as Sisimai 4 did and by PowerMTA-style bounce category: scan adds sisimai4_reason and bounce_category to every --events verdict and a breakdown by bounce category to the report; merge derives that breakdown for reports scanned without it (see README)."`
	Table    string        `placeholder:"NAME" help:"-o csv: the table to write: summary, groups, domains, providers, status, class, subject, reason, provider, mta, bounce_category (--taxonomy), templates, undecided, retries, series, senders, recipients, rejects, reject_clients, notices, unparsed, files, or group:DIMS (default: the --group-by group, else domains)."`
}

// limits turns the flags into report limits (the groups of --group-by).
func (f *ReportFlags) limits() (aggregate.Limits, error) {
	var l aggregate.Limits
	for _, g := range f.GroupBy {
		by, err := aggregate.ParseGroupBy(g)
		if err != nil {
			return l, err
		}
		if slices.Contains(by, "bounce_category") && !f.Taxonomy {
			return l, fmt.Errorf("--group-by %s: bounce_category needs --taxonomy", g)
		}
		l.GroupBy = append(l.GroupBy, by)
	}
	if f.Bucket < 0 || (f.Bucket > 0 && f.Bucket < time.Minute) {
		return l, fmt.Errorf("--bucket %s: use a duration of at least 1m (5m, 1h, 24h)", f.Bucket)
	}
	if f.Bucket > 0 && f.Bucket <= time.Hour {
		l.Bucket = f.Bucket
	}
	return l, nil
}

func (f *ReportFlags) options(loc *time.Location) output.Options {
	return output.Options{Top: f.Top, Loc: loc, Wide: f.Wide, Bucket: f.Bucket, Table: f.Table}
}

// taxonomy is the classifier's taxonomy as the report and outputs take it.
func taxonomy(cl *classify.Classifier) aggregate.Taxonomy {
	return func(reason string) (string, string) {
		t := cl.Taxonomy(reason)
		return t.Sisimai4, t.Category
	}
}
