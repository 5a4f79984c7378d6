package classify

import (
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/bouncescan/bouncescan"
)

// The held-out measure of the rules: sisimai-dev.tsv split by its family
// column (the system that wrote the bounce), one fold per family
// (leave-one-family-out). For each fold, every rule part (one text
// pattern, one regular expression, or a rule without text) that decides
// rows of that family only is taken out, as if the rules had been written
// without ever seeing that family; the fold is then scored with what is
// left (held-out) and with all rules (fit). A part that decides rows of
// two families or more stays in every fold: it is knowledge that carries
// over. Built-in code tables (code.enhanced, code.reply) always stay.
//
// Held-out floors: the figures reached, minus a hair. Raise them when the
// classifier gets better.
const (
	heldOutFloorClass   = 0.983
	heldOutFloorSubject = 0.820
	heldOutFloorReason  = 0.782
)

// unit names the part of a rule that decided a verdict.
type unit struct{ rule, part string }

func devEvent(r map[string]string) *bouncescan.Event {
	code, _ := strconv.Atoi(r["reply_code"])
	return &bouncescan.Event{
		ReplyCode:    code,
		EnhancedCode: r["enhanced_code"],
		Stage:        stageOfCommand(r["command"]),
		Text:         r["diagnostic"],
	}
}

// unitOf finds the rule part behind v.
func (c *Classifier) unitOf(v bouncescan.Verdict) unit {
	for _, r := range c.rules {
		if r.id != v.Rule {
			continue
		}
		if r.builtin != builtinNone || !r.hasText() {
			return unit{r.id, ""}
		}
		ev := lowerASCII(v.Evidence)
		for _, t := range r.text {
			if t.s == ev {
				return unit{r.id, "text:" + t.s}
			}
		}
		for _, re := range r.regex {
			if re.MatchString(v.Evidence) {
				return unit{r.id, "re:" + re.String()}
			}
		}
		return unit{r.id, "?"}
	}
	return unit{v.Rule, ""}
}

// without returns a classifier without the parts in drop.
func (c *Classifier) without(drop map[unit]bool) *Classifier {
	n := c.Clone()
	n.rules = nil
	for _, r := range c.rules {
		if r.builtin != builtinNone {
			n.rules = append(n.rules, r)
			continue
		}
		if !r.hasText() {
			if !drop[unit{r.id, ""}] {
				n.rules = append(n.rules, r)
			}
			continue
		}
		cp := *r
		cp.text, cp.regex, cp.reLit, cp.reAny = nil, nil, nil, nil
		for _, t := range r.text {
			if !drop[unit{r.id, "text:" + t.s}] {
				cp.text = append(cp.text, t)
			}
		}
		for i, re := range r.regex {
			if !drop[unit{r.id, "re:" + re.String()}] {
				cp.regex = append(cp.regex, re)
				cp.reLit = append(cp.reLit, r.reLit[i])
				cp.reAny = append(cp.reAny, r.reAny[i])
			}
		}
		if cp.hasText() {
			n.rules = append(n.rules, &cp)
		}
	}
	return n
}

type score struct{ n, class, subject, reason int }

// add scores v against the dev row r; reason4 is v's reason as Sisimai 4
// named it (data/taxonomy.toml), the dev set's names.
func (s *score) add(v bouncescan.Verdict, reason4 string, r map[string]string) {
	s.n++
	if v.Class.String() == r["class"] {
		s.class++
	}
	if v.Subject.String() == r["subject"] {
		s.subject++
	}
	if reason4 == r["reason"] {
		s.reason++
	}
}

func (s score) pct(k int) float64 { return 100 * float64(k) / float64(max(s.n, 1)) }

func (s score) String() string {
	return "class " + strconv.FormatFloat(s.pct(s.class), 'f', 1, 64) +
		"%, subject " + strconv.FormatFloat(s.pct(s.subject), 'f', 1, 64) +
		"%, reason " + strconv.FormatFloat(s.pct(s.reason), 'f', 1, 64) + "%"
}

// foldRow is one row of a k-fold: its family, its event, how a verdict
// scores against it (fit, or held out) and how a verdict is shown when
// holding the family out changed it.
type foldRow struct {
	family string
	event  *bouncescan.Event
	add    func(held bool, v bouncescan.Verdict)
	show   func(v bouncescan.Verdict) string
}

// kfold scores every row with all rules (fit) and with the rules less the
// parts that decide rows of the row's family only (held out), and returns
// what holding each family out changed (for the verbose log).
func (c *Classifier) kfold(rows []foldRow) []string {
	// which families each rule part decides
	families := map[unit]map[string]bool{}
	byFamily := map[string][]foldRow{}
	for _, r := range rows {
		u := c.unitOf(c.Classify(r.event))
		if families[u] == nil {
			families[u] = map[string]bool{}
		}
		families[u][r.family] = true
		byFamily[r.family] = append(byFamily[r.family], r)
	}
	var names []string
	for f := range byFamily {
		names = append(names, f)
	}
	sort.Strings(names)
	var lines []string
	for _, f := range names {
		drop := map[unit]bool{}
		for u, fams := range families {
			if len(fams) == 1 && fams[f] && (u.part != "" || !c.isTableRule(u.rule)) {
				drop[u] = true
			}
		}
		h := c.without(drop)
		var changed []string
		for _, r := range byFamily[f] {
			fv, hv := c.Classify(r.event), h.Classify(r.event)
			r.add(false, fv)
			r.add(true, hv)
			if fv.Reason != hv.Reason || fv.Subject != hv.Subject || fv.Class != hv.Class {
				changed = append(changed, "    "+r.show(hv))
			}
		}
		if len(changed) > 0 {
			var parts []string
			for u := range drop {
				parts = append(parts, u.rule+" "+u.part)
			}
			sort.Strings(parts)
			lines = append(lines, f+": held out without "+strings.Join(parts, ", "))
			lines = append(lines, changed...)
		}
	}
	return lines
}

// devFoldRows are the rows of the development set, scored in Sisimai 4's
// names (data/taxonomy.toml) as the set gives them.
func (c *Classifier) devFoldRows(rows []map[string]string, fit, held *score) []foldRow {
	out := make([]foldRow, 0, len(rows))
	for _, r := range rows {
		out = append(out, foldRow{family: r["family"], event: devEvent(r),
			add: func(h bool, v bouncescan.Verdict) {
				s := fit
				if h {
					s = held
				}
				s.add(v, c.Taxonomy(v.Reason).Sisimai4, r)
			},
			show: func(v bouncescan.Verdict) string {
				d := r["diagnostic"]
				if len(d) > 140 {
					d = d[:140]
				}
				return r["id"] + " want " + r["class"] + "/" + r["subject"] + "/" + r["reason"] + " held-out " + v.Class.String() + "/" + v.Subject.String() + "/" + c.Taxonomy(v.Reason).Sisimai4 + " (" + v.Rule + ") [" + r["reply_code"] + " " + r["enhanced_code"] + " " + r["command"] + "] " + d
			}})
	}
	return out
}

func TestSisimaiKFold(t *testing.T) {
	dir := sharedDir(t)
	rows := readTSV(t, filepath.Join(dir, "classify", "sisimai-dev.tsv"))
	c, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	var fit, held score
	lines := c.kfold(c.devFoldRows(rows, &fit, &held))
	t.Logf("sisimai dev set, folds by family (leave one family out), %d rows", len(rows))
	t.Logf("  fit:      %s", fit)
	t.Logf("  held out: %s", held)
	if testing.Verbose() {
		for _, l := range lines {
			t.Log("  ", l)
		}
	}
	n := float64(held.n)
	if float64(held.class)/n < heldOutFloorClass || float64(held.subject)/n < heldOutFloorSubject || float64(held.reason)/n < heldOutFloorReason {
		t.Errorf("held-out agreement below the floor: %s (floors %.1f/%.1f/%.1f)", held,
			100*heldOutFloorClass, 100*heldOutFloorSubject, 100*heldOutFloorReason)
	}
}

// isTableRule: rules that look codes up in the tables (builtin = ...),
// or the MTA's status, are not written from sample texts.
func (c *Classifier) isTableRule(id string) bool {
	for _, r := range c.rules {
		if r.id == id && r.builtin != builtinNone {
			return true
		}
	}
	return id == "fallback.undefined" || id == afterDataRule || strings.HasPrefix(id, "status.")
}
