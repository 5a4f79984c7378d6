package parsers

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bouncescan/bouncescan/parsers/parsekit/parsekittest"
)

// corpusFormat says which format a corpus file is in, from where it lives;
// "" means no parser should claim it.
func corpusFormat(rel string) string {
	dir, name := filepath.Split(rel)
	switch dir {
	case "postfix/", "exim/", "exchange/", "sendmail/":
		return strings.TrimSuffix(dir, "/")
	case "real-mta/":
		if strings.HasPrefix(name, "postfix") {
			return "postfix"
		}
		return "exim" // mainlog, rejectlog
	}
	return ""
}

// undetectable are corpus files in an MTA's folder that rightly match no
// format: they hold no line of that MTA in the form a log has.
var undetectable = map[string]bool{
	"postfix/lightmeter-complete-mail.err.log": true, // only opendkim lines
	"postfix/whyscream-grok-test-messages.log": true, // message-only lines, syslog header stripped
}

// TestDetectCorpus runs detection over the whole registry on every file of
// the shared corpus: each file must go to the parser of its MTA (when that
// parser is registered), and files of other MTAs must not be claimed.
func TestDetectCorpus(t *testing.T) {
	root := filepath.Join("..", "..", "shared", "corpus")
	if _, err := os.Stat(root); err != nil {
		t.Skip("../shared/corpus not present")
	}
	formats := Builtin()
	registered := map[string]bool{}
	for _, f := range formats {
		registered[f.Name] = true
	}
	n := 0
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasSuffix(p, ".md") {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		want := corpusFormat(rel)
		if undetectable[filepath.ToSlash(rel)] {
			want = ""
		}
		if want != "" && !registered[want] {
			return nil
		}
		n++
		got, ok := Detect(formats, parsekittest.HeadLines(t, p, 50))
		switch {
		case want == "" && ok:
			t.Errorf("%s: claimed by %s, but it is no log bouncescan reads", rel, got.Name)
		case want != "" && (!ok || got.Name != want):
			t.Errorf("%s: detected as %q (ok=%v), want %s", rel, got.Name, ok, want)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 40 {
		t.Errorf("only %d corpus files checked", n)
	}
	t.Logf("%d corpus files detected correctly", n)
}

func TestRegistry(t *testing.T) {
	seen := map[string]bool{}
	for _, f := range Builtin() {
		if f.Name == "" || f.Detect == nil || f.New == nil || f.Example == "" || len(f.Variants) == 0 {
			t.Errorf("format %q is incomplete", f.Name)
		}
		if seen[f.Name] {
			t.Errorf("format %q registered twice", f.Name)
		}
		seen[f.Name] = true
		if got, ok := Lookup(Builtin(), f.Name); !ok || got.Name != f.Name {
			t.Errorf("Lookup(%q) failed", f.Name)
		}
		// every format recognises its own example line
		if d, ok := Detect(Builtin(), [][]byte{[]byte(f.Example)}); !ok || d.Name != f.Name {
			t.Errorf("example of %s detected as %q", f.Name, d.Name)
		}
	}
	if _, ok := Lookup(Builtin(), "nope"); ok {
		t.Error("Lookup of an unknown name succeeded")
	}
}
