package main

import (
	"fmt"
	"os"
	"time"

	"github.com/bouncescan/bouncescan/aggregate"
	"github.com/bouncescan/bouncescan/classify"
	"github.com/bouncescan/bouncescan/output"
)

// MergeCmd is `bouncescan merge`: JSON reports of several scans (one per
// mail host, or per day) into one report.
type MergeCmd struct {
	Reports []string `arg:"" name:"REPORT" help:"JSON reports written by scan -o json."`
	Output  string   `short:"o" default:"table" enum:"${outputs}" help:"Report format: ${outputs}."`
	TZ      string   `name:"tz" default:"Local" help:"Time zone for times shown in the report."`

	ReportFlags `embed:""`
}

// Help is shown by `bouncescan merge --help` below the flags.
func (MergeCmd) Help() string {
	return `The merged report is the one a single scan over all the inputs gives
(same counts, groups, templates, time series), for inputs that share no
message: one report per mail host, or logs split where no message was
open. Files of different reports stay apart even when their paths are
the same (each is shown with the report it came from). Distinct
recipients are exact while small, else HyperLogLog estimates (README).
All reports must have been written with the same --group-by and --bucket.
The breakdown by bounce category (scan --taxonomy) is kept when every
report has it; with --taxonomy, merge derives it from the reasons of the
reports scanned without it; a mix without --taxonomy is refused.

Examples:
  bouncescan scan -o json /var/log/mail.log* > mx1.json     (on each host)
  bouncescan merge mx1.json mx2.json
  bouncescan merge -o html mx*.json > report.html`
}

// Run merges.
func (c *MergeCmd) Run(app *App) error {
	loc, err := loadLocation(c.TZ)
	if err != nil {
		return &exitError{code: exitFailure, err: err}
	}
	var merged *aggregate.Report
	for _, name := range c.Reports {
		r, err := readReport(name)
		if err != nil {
			return &exitError{code: exitFailure, err: err}
		}
		if merged == nil {
			l := aggregate.Limits{Bucket: time.Duration(r.Series.BucketSeconds) * time.Second}
			for _, g := range r.Groups[min(2, len(r.Groups)):] {
				l.GroupBy = append(l.GroupBy, g.By)
			}
			merged = aggregate.New(l)
			if c.Taxonomy { // a report scanned without it gets its breakdown from its reasons
				cl, err := classify.New(classify.Options{})
				if err != nil {
					return &exitError{code: exitFailure, err: err}
				}
				merged.UseTaxonomy(taxonomy(cl))
			}
		}
		if err := merged.Merge(r, name); err != nil {
			return &exitError{code: exitFailure, err: err}
		}
	}
	merged.Finish()
	f, ok := output.Lookup(output.Builtin(), c.Output)
	if !ok {
		return &exitError{code: exitFailure, err: fmt.Errorf("unknown --output %q", c.Output)}
	}
	if err := f.Write(app.Stdout, merged, c.options(loc)); err != nil {
		return &exitError{code: exitFailure, err: err}
	}
	return nil
}

func readReport(name string) (*aggregate.Report, error) {
	fh, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	r, err := aggregate.Decode(fh, aggregate.Limits{})
	if err != nil {
		return nil, fmt.Errorf("%s: not a bouncescan JSON report: %w (write one with scan -o json)", name, err)
	}
	return r, nil
}
