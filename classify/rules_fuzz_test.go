package classify

import (
	"errors"
	"testing"

	"github.com/bouncescan/bouncescan"
)

// FuzzRulesFile: any rules file, TOML or YAML: no panic; an error is
// ErrBadRules naming the file; rules that load classify an event without
// panicking, and none of them matches every event (a rule needs a
// condition).
func FuzzRulesFile(f *testing.F) {
	f.Add([]byte(userTOML), false)
	f.Add([]byte(userYAML), true)
	f.Add([]byte("[[rule]]\nid = \"a\"\nreason = \"blocked\"\n"), false)
	f.Add([]byte("rules:\n  - id: a\n    regex: '[a-z]{0,1000}x'\n    reason: blocked\n"), true)
	f.Add([]byte("- id: a\n  enhanced: 5.7.700-749\n  reason: suspend\n"), true)
	f.Fuzz(func(t *testing.T, data []byte, yaml bool) {
		name := "fuzz.toml"
		if yaml {
			name = "fuzz.yaml"
		}
		rules, reasons, err := loadRulesAt(name, data, true)
		if err != nil {
			if !errors.Is(err, ErrBadRules) {
				t.Fatalf("error %v does not wrap ErrBadRules", err)
			}
			return
		}
		_ = reasons
		ok := bouncescan.Event{ReplyCode: 250, EnhancedCode: "2.0.0", Status: bouncescan.StatusSent, Text: "250 2.0.0 ok"}
		var in input
		in.reply, in.status = ok.ReplyCode, ok.Status
		in.norm, in.lower = normalize(ok.Text)
		for _, r := range rules {
			if !r.hasCondition() && r.builtin == builtinNone {
				t.Fatalf("rule %s loaded without a condition", r.id)
			}
			r.match(&in)
		}
	})
}
