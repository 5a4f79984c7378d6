package aggregate

import (
	"strings"

	"github.com/bouncescan/bouncescan"
)

// addCounts are Add's counters of the breakdowns every event goes to
// (by status, class, subject, MTA, reason and provider): by enum value,
// or by name through a pointer, folded into the report's Counts by fold
// (at Finish and Merge). A map assignment with a string key per
// breakdown per event cost about a sixth of Add.
type addCounts struct {
	status  [256]int64 // by bouncescan.Status
	handoff int64      // status sent of an internal hop
	class   [256]int64 // by bouncescan.Class
	subject [256]int64 // by bouncescan.Subject
	mta     nameCounts
	reason  nameCounts
	prov    nameCounts
	n       int64 // events counted since the last fold
}

func (c *addCounts) add(e *bouncescan.Event) {
	c.n++
	if e.Hop && e.Status == bouncescan.StatusSent {
		c.handoff++
	} else {
		c.status[e.Status]++
	}
	c.mta.add(e.MTA)
	if v := e.Verdict; v != nil {
		c.class[v.Class]++
		c.subject[v.Subject]++
		if v.Reason != "" {
			c.reason.add(v.Reason)
		}
		if v.Provider != "" {
			c.prov.add(v.Provider)
		}
	}
}

// fold adds the counts into r's Counts and starts again from 0.
func (c *addCounts) fold(r *Report) {
	if c.n == 0 {
		return
	}
	c.n = 0
	for i, n := range c.status {
		if n != 0 {
			r.ByStatus[bouncescan.Status(i).String()] += n
		}
	}
	if c.handoff != 0 {
		r.ByStatus["handoff"] += c.handoff
	}
	for i, n := range c.class {
		if n != 0 {
			r.ByClass[bouncescan.Class(i).String()] += n
		}
	}
	for i, n := range c.subject {
		if s := bouncescan.Subject(i).String(); n != 0 && s != "" {
			r.BySubject[s] += n
		}
	}
	c.status, c.class, c.subject, c.handoff = [256]int64{}, [256]int64{}, [256]int64{}, 0
	c.mta.fold(r.ByMTA)
	c.reason.fold(r.ByReason)
	c.prov.fold(r.ByProvider)
}

// nameCounts counts names, each in a nameCount found by a map lookup
// (no assignment) or, for a name met lately, none (keyCache).
type nameCounts struct {
	seen keyCache[nameCount]
	m    map[string]*nameCount
}

type nameCount struct {
	name string
	n    int64
}

func (c *nameCounts) add(name string) {
	if x := c.seen.get(name); x != nil {
		x.n++
		return
	}
	x := c.m[name]
	if x == nil {
		if c.m == nil {
			c.m = map[string]*nameCount{}
		}
		x = &nameCount{name: strings.Clone(name)}
		c.m[x.name] = x
	}
	x.n++
	c.seen.put(x.name, x)
}

func (c *nameCounts) fold(into Counts) {
	for _, x := range c.m {
		if x.n != 0 {
			into[x.name] += x.n
			x.n = 0
		}
	}
}
