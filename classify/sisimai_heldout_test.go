package classify

import (
	"path/filepath"

	"github.com/bouncescan/bouncescan"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// The public held-out set: real bounce emails of Sisimai's public test
// corpus (set-of-emails, in sisimai/rb-sisimai) from sender families the
// development set (../shared/classify/sisimai-dev.tsv) has none of, with
// the verdict Sisimai's own tests expect (test/public/<family>.rb). The
// rows were extracted from the emails (testdata/sisimai-heldout/SOURCES.md
// says how) before any rule was written from them; the first score on them
// is in README. Sisimai's expectations name Sisimai 5 reasons, which are
// this classifier's reason names but for two renamings (sisimai5Alias).
//
// Held out, before any rule was written from it (at b2773b8): 219 rows
// of 43 families, class 98.6%, reason 66.2% (Sisimai 4 names 67.1%). Round
// p then took what twelve kinds of its misses mean: reason 74.4% (fit, no
// longer held out); expired.report-timeout (a connection that timed out,
// in a report without an MTA status, is an expired message) 77.6%. Many
// of the rest are conventions this classifier keeps on purpose where
// Sisimai 5 changed its own (README).
//
// Floors: the figures reached, minus a hair; raise them when the
// classifier gets better.
const (
	publicFloorClass  = 0.985
	publicFloorReason = 0.775
)

// sisimai5Alias maps Sisimai 5 reason names that differ from ours.
var sisimai5Alias = map[string]string{
	"speeding":   "ratelimited",
	"mesgtoobig": "emailtoolarge",
}

func readHeldOut(t testing.TB) []map[string]string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "sisimai-heldout", "*.tsv"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no held-out files in testdata/sisimai-heldout: %v", err)
	}
	sort.Strings(files)
	var rows []map[string]string
	for _, f := range files {
		rows = append(rows, readTSV(t, f)...)
	}
	return rows
}

// heldOutEvent is the event of a held-out row. Sisimai writes a status
// of its own where the bounce gave none, derived from the reason it chose
// (5.0.9xx in Sisimai 4, X.9.xxx in Sisimai 5): no server sent it, the
// development set has none, so the event does not carry it.
func heldOutEvent(r map[string]string) *bouncescan.Event {
	e := devEvent(r)
	if sisimaiPseudoStatus(e.EnhancedCode) {
		e.EnhancedCode = ""
	}
	return e
}

// sisimaiPseudoStatus: X.9.Z (RFC 3463 has no subject 9) or X.0.Z with Z
// from 900 on.
func sisimaiPseudoStatus(code string) bool {
	parts := strings.Split(code, ".")
	if len(parts) != 3 {
		return false
	}
	z, _ := strconv.Atoi(parts[2])
	return parts[1] == "9" || parts[1] == "0" && z >= 900
}

// wantReason is the row's expected reason in this classifier's names.
func wantReason(r map[string]string) string {
	w := r["reason"]
	if a, ok := sisimai5Alias[w]; ok {
		return a
	}
	return w
}

// wantClass: Sisimai's delivery status names the class (4.x.x transient,
// 5.x.x permanent); without one, the row says nothing about it.
func wantClass(r map[string]string) string {
	switch {
	case strings.HasPrefix(r["enhanced_code"], "4"):
		return "transient"
	case strings.HasPrefix(r["enhanced_code"], "5"):
		return "permanent"
	}
	return ""
}

func TestSisimaiPublicHeldOut(t *testing.T) {
	rows := readHeldOut(t)
	c, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	type tally struct{ n, class, nclass, reason, reason4 int }
	var all tally
	fam := map[string]*tally{}
	var misses []string
	for _, r := range rows {
		v := c.Classify(heldOutEvent(r))
		f := fam[r["family"]]
		if f == nil {
			f = &tally{}
			fam[r["family"]] = f
		}
		want := wantReason(r)
		got := string(v.Reason)
		for _, s := range []*tally{f, &all} {
			s.n++
			if wc := wantClass(r); wc != "" {
				s.nclass++
				if v.Class.String() == wc {
					s.class++
				}
			}
			if got == want {
				s.reason++
			}
			if c.Taxonomy(v.Reason).Sisimai4 == c.Taxonomy(want).Sisimai4 {
				s.reason4++
			}
		}
		if got != want && testing.Verbose() {
			d := r["diagnostic"]
			if len(d) > 160 {
				d = d[:160]
			}
			misses = append(misses, r["id"]+" want "+want+" got "+got+" ("+v.Rule+") ["+r["reply_code"]+" "+r["enhanced_code"]+" "+r["command"]+"] "+d)
		}
	}
	pct := func(a, b int) string { return strconv.FormatFloat(100*float64(a)/float64(max(b, 1)), 'f', 1, 64) + "%" }
	t.Logf("Sisimai public held-out: %d rows, %d families: class %s (of %d with a status), reason %s, Sisimai 4 reason %s",
		all.n, len(fam), pct(all.class, all.nclass), all.nclass, pct(all.reason, all.n), pct(all.reason4, all.n))
	if testing.Verbose() {
		var names []string
		for n := range fam {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			f := fam[n]
			t.Logf("  %-24s %3d rows: reason %s", n, f.n, pct(f.reason, f.n))
		}
		for _, m := range misses {
			t.Log("   ", m)
		}
	}
	if float64(all.class)/float64(max(all.nclass, 1)) < publicFloorClass || float64(all.reason)/float64(all.n) < publicFloorReason {
		t.Errorf("public held-out below the floor: class %s, reason %s (floors %.1f/%.1f)",
			pct(all.class, all.nclass), pct(all.reason, all.n), 100*publicFloorClass, 100*publicFloorReason)
	}
}

// pscore counts agreement with the public set's rows: class (all its rows
// have a status) and reason in this classifier's names.
type pscore struct{ n, class, reason int }

func (s *pscore) add(v bouncescan.Verdict, r map[string]string) {
	s.n++
	if v.Class.String() == wantClass(r) {
		s.class++
	}
	if v.Reason == wantReason(r) {
		s.reason++
	}
}

func (s pscore) String() string {
	return "class " + strconv.FormatFloat(100*float64(s.class)/float64(max(s.n, 1)), 'f', 1, 64) +
		"%, reason " + strconv.FormatFloat(100*float64(s.reason)/float64(max(s.n, 1)), 'f', 1, 64) + "%"
}

// Held-out floors of the joint k-fold (the public rows' part), reached
// after round p: class 98.6%, reason 63.9% (fit 74.4%); after
// expired.report-timeout 66.2% (fit 77.6%). The dev rows' held-out
// figures in this fold (class 98.4%, subject 82.4%, reason 80.8%) are above the dev-only fold's (78.3% reason): rules written from
// one dev family that also decide a public family's rows stay in its fold.
const (
	jointFloorClass  = 0.985
	jointFloorReason = 0.660
)

// TestSisimaiKFoldJoint: the k-fold of kfold_test.go over the development
// set and the public set together (77 families): a rule part that decides
// rows of one family only is taken out of that family's fold, wherever the
// family comes from. Round p's rules were written from the public rows'
// misses, so their fit is no longer a held-out figure; this fold says how
// much of it a rule carries to another family.
func TestSisimaiKFoldJoint(t *testing.T) {
	dir := sharedDir(t)
	dev := readTSV(t, filepath.Join(dir, "classify", "sisimai-dev.tsv"))
	pub := readHeldOut(t)
	c, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	var dfit, dheld score
	var pfit, pheld pscore
	rows := c.devFoldRows(dev, &dfit, &dheld)
	for _, r := range pub {
		rows = append(rows, foldRow{family: r["family"], event: heldOutEvent(r),
			add: func(h bool, v bouncescan.Verdict) {
				if h {
					pheld.add(v, r)
				} else {
					pfit.add(v, r)
				}
			},
			show: func(v bouncescan.Verdict) string {
				return r["id"] + " want " + wantReason(r) + " held-out " + v.Reason + " (" + v.Rule + ")"
			}})
	}
	lines := c.kfold(rows)
	t.Logf("joint k-fold, %d dev rows + %d public rows", len(dev), len(pub))
	t.Logf("  dev set:    fit %s; held out %s", dfit, dheld)
	t.Logf("  public set: fit %s; held out %s", pfit, pheld)
	if testing.Verbose() {
		for _, l := range lines {
			t.Log("  ", l)
		}
	}
	if float64(pheld.class)/float64(pheld.n) < jointFloorClass || float64(pheld.reason)/float64(pheld.n) < jointFloorReason {
		t.Errorf("public rows held out below the floor: %s (floors %.1f/%.1f)", pheld, 100*jointFloorClass, 100*jointFloorReason)
	}
}
