package main

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/bouncescan/bouncescan/aggregate"
	"github.com/bouncescan/bouncescan/parsers/parsekit"
)

// LimitFlags is --limit NAME=VALUE (scan, export, tail): every bound the
// parsers and the report keep, changed by name. What a bound drops is
// counted in the report's "dropped" (README: Limits).
type LimitFlags struct {
	Limit []string `name:"limit" sep:"none" placeholder:"NAME=VALUE" help:"Change a memory bound (repeatable): state=N messages of per-message parser state (100000), state-ttl=DURATION of log time (168h), deferrals=N remembered per message (1000), deferral-memory=SIZE (64MiB), messages=N remembered to count each once (65536), pending=N deferred recipients (1000000), groups=N rows per group (100000), templates=N (10000), top=N senders/recipients/reject keys (10000), buckets=N time buckets (100000), exact=N distinct recipients counted exactly before the sketch (100000), examples=N unparsed lines kept per reason (5). What a bound drops is counted in the report."`
}

// limitSpec is one --limit name: what it sets, and how its value reads.
type limitSpec struct {
	name string
	kind byte // 'n' whole number, 'd' duration, 's' size
	set  func(p *parsekit.Options, l *aggregate.Limits, n int64, d time.Duration)
}

// limitSpecs lists the names --limit takes, in the order --help gives them.
func limitSpecs() []limitSpec {
	num := func(name string, f func(p *parsekit.Options, l *aggregate.Limits, n int)) limitSpec {
		return limitSpec{name: name, kind: 'n', set: func(p *parsekit.Options, l *aggregate.Limits, n int64, _ time.Duration) { f(p, l, int(n)) }}
	}
	return []limitSpec{
		num("state", func(p *parsekit.Options, _ *aggregate.Limits, n int) { p.MaxMessages = n }),
		{name: "state-ttl", kind: 'd', set: func(p *parsekit.Options, _ *aggregate.Limits, _ int64, d time.Duration) { p.TTL = d }},
		num("deferrals", func(p *parsekit.Options, _ *aggregate.Limits, n int) { p.MaxDeferrals = n }),
		{name: "deferral-memory", kind: 's', set: func(p *parsekit.Options, _ *aggregate.Limits, n int64, _ time.Duration) { p.DeferralBytes = n }},
		num("messages", func(_ *parsekit.Options, l *aggregate.Limits, n int) { l.Messages = n }),
		num("pending", func(_ *parsekit.Options, l *aggregate.Limits, n int) { l.Pending = n }),
		num("groups", func(_ *parsekit.Options, l *aggregate.Limits, n int) { l.Groups = n }),
		num("templates", func(_ *parsekit.Options, l *aggregate.Limits, n int) { l.Templates = n }),
		num("top", func(_ *parsekit.Options, l *aggregate.Limits, n int) { l.Top = n }),
		num("buckets", func(_ *parsekit.Options, l *aggregate.Limits, n int) { l.Buckets = n }),
		num("exact", func(_ *parsekit.Options, l *aggregate.Limits, n int) { l.ExactTotal = n }),
		num("examples", func(_ *parsekit.Options, l *aggregate.Limits, n int) { l.Unparsed = n }),
	}
}

// maxLimit bounds the whole-number limits: beyond it a table would not
// fit in memory anyway, and a typo (an extra zero or two) should be an
// error rather than an allocation that fails.
const maxLimit = 100_000_000

// apply sets the limits named by the flags in p (the parsers' options)
// and l (the report's). Without --limit both stay as they are.
func (f *LimitFlags) apply(p *parsekit.Options, l *aggregate.Limits) error {
	specs := limitSpecs()
	for _, arg := range f.Limit {
		name, value, ok := strings.Cut(arg, "=")
		name, value = strings.TrimSpace(name), strings.TrimSpace(value)
		var spec *limitSpec
		for i := range specs {
			if specs[i].name == name {
				spec = &specs[i]
			}
		}
		if !ok || spec == nil {
			names := make([]string, len(specs))
			for i, s := range specs {
				names[i] = s.name
			}
			return fmt.Errorf("--limit %s: use NAME=VALUE with NAME one of %s", arg, strings.Join(names, ", "))
		}
		switch spec.kind {
		case 'n':
			n, err := parseCount(value)
			if err != nil {
				return fmt.Errorf("--limit %s: %w", arg, err)
			}
			spec.set(p, l, n, 0)
		case 'd':
			d, err := time.ParseDuration(value)
			if err != nil || d < time.Minute {
				return fmt.Errorf("--limit %s: use a duration of at least 1m (30m, 48h, 720h)", arg)
			}
			spec.set(p, l, 0, d)
		case 's':
			n, err := parseSize(value)
			if err != nil || n < 1<<20 {
				return fmt.Errorf("--limit %s: use a size of at least 1MiB (16MiB, 1GiB)", arg)
			}
			spec.set(p, l, n, 0)
		}
	}
	return nil
}

// parseCount reads a whole number above 0, with an optional k or M
// (thousand, million): 5000, 5k, 2M.
func parseCount(s string) (int64, error) {
	mult := int64(1)
	switch {
	case strings.HasSuffix(s, "k"), strings.HasSuffix(s, "K"):
		mult, s = 1000, s[:len(s)-1]
	case strings.HasSuffix(s, "M"):
		mult, s = 1_000_000, s[:len(s)-1]
	}
	n, err := strconv.ParseInt(strings.ReplaceAll(s, "_", ""), 10, 64)
	if err != nil || n <= 0 || n > maxLimit/mult {
		return 0, fmt.Errorf("use a whole number from 1 to %d (5000, 5k, 2M)", maxLimit)
	}
	return n * mult, nil
}
