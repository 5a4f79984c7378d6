package live

import "strings"

// Other is the label value that stands for every value without a label
// of its own (domains outside the top K, files past the cap, …).
const Other = "other"

// domainLabels gives recipient domains their label value: one of at most
// K domains chosen by how many events they have, or Other. A domain that
// got a label keeps it for the life of the process, so that a series
// never changes meaning and at most K+1 domain values ever exist.
//
// The choice counts domains with a space-saving sketch (Metwally et al.)
// of sketchFactor×K entries: a domain's count is over-estimated by at most
// the count of the entry it replaced. A domain is given a free label once
// it has surely seen minEvents events (count less error) and is among the
// top (free labels) of the unlabelled domains the sketch holds, ranked by
// the same lower bound. When all K labels are given the
// sketch is dropped: the choice is final.
type domainLabels struct {
	k         int
	minEvents int64
	labels    map[string]string // domain → its label (an owned copy)
	sketch    map[string]*ssEntry
	capacity  int
}

type ssEntry struct {
	count int64
	err   int64
}

const sketchFactor = 8

func newDomainLabels(k int, minEvents int64) *domainLabels {
	c := k * sketchFactor
	if c < 64 {
		c = 64
	}
	return &domainLabels{k: k, minEvents: minEvents, labels: make(map[string]string, k),
		sketch: make(map[string]*ssEntry, c), capacity: c}
}

// label returns d's label value, counting d. It does not allocate unless
// d is new to the sketch or gets a label.
func (l *domainLabels) label(d string) string {
	if v, ok := l.labels[d]; ok {
		return v
	}
	if l.sketch == nil || d == Other || !labelSafe(d) {
		return Other
	}
	e := l.sketch[d]
	if e == nil {
		if len(l.sketch) < l.capacity {
			e = &ssEntry{}
		} else {
			// replace the smallest entry; its count carries over as error
			var minK string
			var minE *ssEntry
			for k, v := range l.sketch {
				if minE == nil || v.count < minE.count {
					minK, minE = k, v
				}
			}
			delete(l.sketch, minK)
			e = minE
			e.err = e.count
		}
		l.sketch[strings.Clone(d)] = e
	}
	e.count++
	if e.count-e.err < l.minEvents {
		return Other
	}
	free := l.k - len(l.labels)
	above := 0
	for _, v := range l.sketch {
		if v != e && v.count-v.err > e.count-e.err {
			above++
			if above >= free {
				return Other
			}
		}
	}
	v := strings.Clone(d)
	l.labels[v] = v
	delete(l.sketch, d)
	if len(l.labels) >= l.k {
		l.sketch = nil
	}
	return v
}

// boundedSet holds the last value reported for each key of a label whose
// values the caller names (files, unparsed reasons, MTAs): the first max
// keys get a label of their own (the key made safe, see Safe), up to
// overflow more are summed into Other, and values for keys past that are
// dropped and counted. Label values never repeat: a key whose safe form
// is Other or another key's label is summed into Other.
type boundedSet struct {
	max, overflow int
	own           map[string]*ownValue
	labels        map[string]bool
	rest          map[string]float64
	dropped       int64
}

type ownValue struct {
	label string
	v     float64
}

func newBoundedSet(max int) *boundedSet {
	return &boundedSet{max: max, overflow: 16 * max, own: map[string]*ownValue{},
		labels: map[string]bool{Other: true}, rest: map[string]float64{}}
}

func (s *boundedSet) set(key string, v float64) {
	if o, ok := s.own[key]; ok {
		o.v = v
		return
	}
	if _, ok := s.rest[key]; ok {
		s.rest[key] = v
		return
	}
	if len(s.own) < s.max {
		if l := Safe(key); !s.labels[l] {
			s.labels[l] = true
			s.own[strings.Clone(key)] = &ownValue{label: strings.Clone(l), v: v}
			return
		}
	}
	if len(s.rest) < s.overflow {
		s.rest[strings.Clone(key)] = v
		return
	}
	s.dropped++
}

// each calls f for every label value and its value: own keys and Other
// for the sum of the rest.
func (s *boundedSet) each(f func(label string, v float64)) {
	for _, o := range s.own {
		f(o.label, o.v)
	}
	if len(s.rest) > 0 {
		var sum float64
		for _, v := range s.rest {
			sum += v
		}
		f(Other, sum)
	}
}
