package classify

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bouncescan/bouncescan"
)

func writeFile(t testing.TB, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

const userTOML = `# a user's rules
[[rule]]
id = "acme.gateway"
relay = "*.acme-gw.example"
reply = ["55x"]
text = "denied by acme"
reason = "policyviolation"
note = "our own gateway"

[[rule]]
id = "acme.quota"
regex = 'acme quota \d+ reached'
reason = "mailboxfull"
class = "transient"

[[rule]]
id = "acme.override"
enhanced = ["5.1.1"]
stage = ["rcpt"]
unless = ["gsmtp"]
reason = "hostunknown"
subject = "code"

[[rule]]
id = "acme.ms-range"
enhanced = "5.7.700-749"
provider = "microsoft"
reason = "suspend"
`

const userYAML = `# a user's rules
rules:
  - id: acme.gateway
    relay: "*.acme-gw.example"
    reply: ["55x"]
    text: denied by acme
    reason: policyviolation
  - id: acme.quota
    regex: 'acme quota \d+ reached'
    reason: mailboxfull
    class: transient
  - id: acme.override
    enhanced: [5.1.1]
    stage: rcpt
    unless: [gsmtp]
    reason: hostunknown
    subject: code
  - id: acme.ms-range
    enhanced: 5.7.700-749
    provider: microsoft
    reason: suspend
`

func TestUserRules(t *testing.T) {
	for _, file := range []string{writeFile(t, "rules.toml", userTOML), writeFile(t, "rules.yaml", userYAML), writeFile(t, "rules.yml", strings.Replace(userYAML, "rules:\n", "", 1))} {
		if strings.HasSuffix(file, ".yml") {
			// a bare list of rules is fine too: dedent it
			b, _ := os.ReadFile(file)
			lines := strings.Split(string(b), "\n")
			for i, l := range lines {
				lines[i] = strings.TrimPrefix(l, "  ")
			}
			if err := os.WriteFile(file, []byte(strings.Join(lines, "\n")), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		c, err := New(Options{RulesFile: file})
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		for _, tc := range []struct {
			e                      bouncescan.Event
			class, subject, reason string
			rule                   string
		}{
			{bouncescan.Event{Relay: "mx1.acme-gw.example[192.0.2.1]:25", ReplyCode: 554, Text: "Denied by ACME rules"}, "permanent", "security", "policyviolation", "acme.gateway"},
			{bouncescan.Event{Relay: "mx1.other.example", ReplyCode: 554, Text: "Denied by ACME rules"}, "permanent", "", "", ""},
			{bouncescan.Event{Relay: "mx1.acme-gw.example", ReplyCode: 450, Text: "Denied by ACME rules"}, "transient", "", "", ""},
			{bouncescan.Event{ReplyCode: 552, Text: "ACME quota 42 reached"}, "transient", "mailbox", "mailboxfull", "acme.quota"},
			{bouncescan.Event{ReplyCode: 550, EnhancedCode: "5.1.1", Stage: bouncescan.StageRcpt, Text: "no"}, "permanent", "addressing", "hostunknown", "acme.override"},
			{bouncescan.Event{ReplyCode: 550, EnhancedCode: "5.1.1", Stage: bouncescan.StageRcpt, Text: "The email account that you tried to reach does not exist - gsmtp"}, "permanent", "addressing", "userunknown", "gmail.nosuchuser"},
			{bouncescan.Event{ReplyCode: 550, EnhancedCode: "5.1.1", Stage: bouncescan.StageMail, Text: "no"}, "permanent", "", "", ""},
			{bouncescan.Event{ReplyCode: 550, EnhancedCode: "5.7.708", Relay: "x.mail.protection.outlook.com", Text: "Access denied, traffic not accepted from this IP"}, "permanent", "mailbox", "suspend", "acme.ms-range"},
		} {
			v := c.Classify(&tc.e)
			if tc.rule == "" {
				if strings.HasPrefix(v.Rule, "acme.") {
					t.Errorf("%s: %+v: rule %s should not match", file, tc.e, v.Rule)
				}
				continue
			}
			if v.Class.String() != tc.class || v.Subject.String() != tc.subject || v.Reason != tc.reason || v.Rule != tc.rule {
				t.Errorf("%s: %+v: got %s/%s/%s rule %s, want %s/%s/%s rule %s", file, tc.e, v.Class, v.Subject, v.Reason, v.Rule, tc.class, tc.subject, tc.reason, tc.rule)
			}
		}
	}
}

func TestUserRulesErrors(t *testing.T) {
	for _, tc := range []struct {
		name, content, want string
	}{
		{"syntax.toml", "[[rule]]\nid = \"a\"\nreason = \"blocked\n", ":3:"},
		{"unknownkey.toml", "[[rule]]\nid = \"a\"\nreason = \"blocked\"\ntxt = \"x\"\n", `:4: unknown key "rule.txt"`},
		{"reason.toml", "[[rule]]\nid = \"a\"\ntext = \"x\"\nreason = \"blocked\"\n\n[[rule]]\nid = \"b\"\ntext = \"x\"\nreason = \"nosuch\"\n", `:9: rule "b": unknown reason "nosuch"`},
		{"noid.toml", "[[rule]]\nreason = \"blocked\"\n", ":1: rule has no id"},
		{"dup.toml", "[[rule]]\nid = \"a\"\ntext = \"x\"\nreason = \"blocked\"\n[[rule]]\nid = \"a\"\ntext = \"x\"\nreason = \"blocked\"\n", `:5: rule "a": id already used at`},
		{"regex.toml", "[[rule]]\nid = \"a\"\nregex = \"(\"\nreason = \"blocked\"\n", `:3: rule "a": bad regex`},
		// rules compile in parallel; the mistake reported is still the
		// first in the file (a duplicate id before a bad regex, and a bad
		// regex before a duplicate)
		{"order1.toml", "[[rule]]\nid = \"a\"\ntext = \"x\"\nreason = \"blocked\"\n[[rule]]\nid = \"a\"\ntext = \"y\"\nreason = \"blocked\"\n[[rule]]\nid = \"c\"\nregex = \"(\"\nreason = \"blocked\"\n[[rule]]\nid = \"d\"\nregex = \"(\"\nreason = \"blocked\"\n", `:5: rule "a": id already used at`},
		{"order2.toml", "[[rule]]\nid = \"a\"\ntext = \"x\"\nreason = \"blocked\"\n[[rule]]\nid = \"b\"\nregex = \"(\"\nreason = \"blocked\"\n[[rule]]\nid = \"a\"\ntext = \"y\"\nreason = \"blocked\"\n[[rule]]\nid = \"d\"\nstage = \"rcpt2\"\nreason = \"blocked\"\n", `:7: rule "b": bad regex`},
		{"reply.toml", "[[rule]]\nid = \"a\"\nreply = \"5555\"\nreason = \"blocked\"\n", "bad reply code pattern"},
		{"enh.toml", "[[rule]]\nid = \"a\"\nenhanced = \"5.x.1\"\nreason = \"blocked\"\n", "bad enhanced code pattern"},
		{"stage.toml", "[[rule]]\nid = \"a\"\nstage = \"rcpt2\"\nreason = \"blocked\"\n", "unknown stage"},
		{"subject.toml", "[[rule]]\nid = \"a\"\nsubject = \"mail\"\nreason = \"blocked\"\n", `:3: rule "a": unknown subject`},
		{"class.toml", "[[rule]]\nid = \"a\"\nclass = \"soft\"\nreason = \"blocked\"\n", `:3: rule "a": unknown class`},
		// the line of the bad field, not of the rule
		{"enhline.toml", "[[rule]]\nid = \"a\"\nreason = \"blocked\"\n# note\nenhanced = [\"5.7.1\", \"5.x.1\"]\n", `:5: rule "a": bad enhanced code pattern "5.x.1"`},
		{"stageline.yaml", "rules:\n  - id: a\n    text: x\n    reason: blocked\n    stage: [rcpt, rcpt2]\n", `:5: rule "a": unknown stage "rcpt2"`},
		// a rule without conditions would match every event
		{"nocond.toml", "[[rule]]\nid = \"all\"\nreason = \"blocked\"\n", `:1: rule "all": rule has no condition`},
		{"unlessonly.toml", "[[rule]]\nid = \"all\"\nunless = \"x\"\nreason = \"blocked\"\n", `:1: rule "all": rule has no condition`},
		{"nocond.yaml", "rules:\n  - id: ok\n    text: x\n    reason: blocked\n  - id: all\n    reason: blocked\n", `:5: rule "all": rule has no condition`},
		// a regex whose cost would explode on long texts
		{"slowregex.toml", "[[rule]]\nid = \"slow\"\nreason = \"blocked\"\nregex = '[a-z]{0,1000}x[a-z]{0,1000}y'\n", `:4: rule "slow": regex "[a-z]{0,1000}x[a-z]{0,1000}y" is too complex`},
		{"reasons.toml", "[[reason]]\nname = \"blocked\"\nsubject = \"security\"\n", "[[reason]] tables are only allowed"},
		{"indent.yaml", "rules:\n  - id: a\n    reason: blocked\n   text: x\n", "YAML syntax"},
		{"tab.yaml", "rules:\n  - id: a\n\treason: x\n", "tab character"},
		{"yamlkey.yaml", "rules:\n  - id: a\n    reason: blocked\n  - id: b\n    reasn: blocked\n", `:4: unknown key "reasn"`},
		{"yamlroot.yaml", "rulez:\n  - id: a\n", `:1: unknown key "rulez"`},
		{"yamlreason.yaml", "- id: a\n  text: x\n  reason: blocked\n- id: b\n  text: x\n  reason: nope\n", `:6: rule "b": unknown reason "nope"`},
	} {
		p := writeFile(t, tc.name, tc.content)
		_, err := New(Options{RulesFile: p})
		if err == nil {
			t.Errorf("%s: no error", tc.name)
			continue
		}
		if !errors.Is(err, ErrBadRules) {
			t.Errorf("%s: %v does not wrap ErrBadRules", tc.name, err)
		}
		if !strings.Contains(err.Error(), p+":") || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %q should name the file and contain %q", tc.name, err, tc.want)
		}
	}
	if _, err := New(Options{RulesFile: filepath.Join(t.TempDir(), "missing.toml")}); err == nil || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}

// TestBuiltinRulesLoad checks the embedded data once more, and that every
// built-in rule id is unique and every reason is reachable.
func TestBuiltinRulesLoad(t *testing.T) {
	b, err := dataFS.ReadFile("data/rules.toml")
	if err != nil {
		t.Fatal(err)
	}
	rules, reasons, err := loadRules("data/rules.toml", b)
	if err != nil {
		t.Fatal(err)
	}
	if len(reasons) != len(Reasons()) {
		t.Errorf("%d [[reason]] entries for %d reasons", len(reasons), len(Reasons()))
	}
	if len(rules) < 50 {
		t.Errorf("only %d built-in rules", len(rules))
	}
}

// TestInParallel: every index once, for counts around the number of
// workers.
func TestInParallel(t *testing.T) {
	for _, n := range []int{0, 1, 2, 3, 5, 238} {
		calls := make([]int, n)
		inParallel(n, func(i int) { calls[i]++ })
		for i, c := range calls {
			if c != 1 {
				t.Fatalf("n=%d: index %d called %d times", n, i, c)
			}
		}
	}
}
