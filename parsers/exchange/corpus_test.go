package exchange

import (
	"path/filepath"
	"testing"

	"github.com/bouncescan/bouncescan/parsers/parsekit/parsekittest"
)

// TestCorpus parses every Exchange file of the shared corpus: no crash,
// and pinned counts of lines, events and unparsed lines.
func TestCorpus(t *testing.T) {
	dir := shared(t, "corpus/exchange")
	want := map[string]struct{ lines, events, unparsed int }{
		"artefacts-help-agentlog.log":   {7, 0, 0}, // agent log rows: ModifyHeaders, not outcomes
		"artefacts-help-msgtrk.log":     {7, 0, 0}, // NOTIFYMAPI and RECEIVE: context only
		"crowdsec-exchange-smtp-bf.log": {9, 9, 0}, // 535 5.7.3 auth failures: rejected at auth
		"elastic-smtp-protocol.log":     {7, 1, 0}, // a connect failure (Winsock 10061): the session's message deferred; banners
	}
	files, err := filepath.Glob(filepath.Join(dir, "*"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		name := filepath.Base(f)
		w, ok := want[name]
		if !ok {
			t.Errorf("%s: new corpus file, pin its counts", name)
			continue
		}
		got := parseFile(t, f)
		if got.Lines != w.lines || len(got.Events) != w.events || len(got.Errs) != w.unparsed {
			t.Errorf("%s: lines/events/unparsed = %d/%d/%d, want %d/%d/%d", name, got.Lines, len(got.Events), len(got.Errs), w.lines, w.events, w.unparsed)
			for _, e := range got.Errs {
				t.Log(e)
			}
		}
	}
}

// TestDetectCorpus runs Detect on the head of every corpus file: Exchange
// files score, every other MTA's file scores 0.
func TestDetectCorpus(t *testing.T) {
	for _, f := range parsekittest.DetectFiles(t, "../../samples/exchange/*") {
		head := parsekittest.HeadLines(t, f, 50)
		score := Detect(head)
		exchange := filepath.Base(filepath.Dir(f)) == "exchange"
		switch {
		case exchange && score == 0:
			t.Errorf("%s: Exchange file scored 0", f)
		case !exchange && score != 0:
			t.Errorf("%s: not Exchange, scored %d", f, score)
		}
	}
}
