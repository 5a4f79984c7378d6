package classify

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"regexp/syntax"
	"runtime"
	"strconv"
	"strings"
	"sync"

	"github.com/BurntSushi/toml"
	"gopkg.in/yaml.v3"

	"github.com/bouncescan/bouncescan"
)

// ErrBadRules is wrapped by every error about a rules file.
var ErrBadRules = errors.New("bad rules file")

// Reasons is the vocabulary of reasons (Sisimai 5 compatible), in a stable
// order.
func Reasons() []string {
	return []string{
		"userunknown", "hostunknown", "hasmoved", "rejected", "filtered", "mailboxfull",
		"exceedlimit", "suspend", "systemfull", "notaccept", "emailtoolarge", "systemerror",
		"mailererror", "networkerror", "expired", "toomanyconn", "ratelimited", "syntaxerror",
		"contenterror", "notcompliantrfc", "securityerror", "authfailure", "blocked",
		"badreputation", "requireptr", "spamdetected", "policyviolation", "virusdetected",
		"norelaying", "failedstarttls", "greylisted", "queued", "discarded", "delivered", "undefined",
	}
}

func knownReason(r string) bool {
	for _, k := range Reasons() {
		if k == r {
			return true
		}
	}
	return false
}

// strList is a list of strings that may be written as one scalar, and whose
// items may be numbers (reply = 550 or reply = ["550", "45x"]).
type strList []string

// UnmarshalTOML implements toml.Unmarshaler.
func (l *strList) UnmarshalTOML(v any) error {
	switch x := v.(type) {
	case []any:
		out := make(strList, 0, len(x))
		for _, it := range x {
			s, err := scalarString(it)
			if err != nil {
				return err
			}
			out = append(out, s)
		}
		*l = out
		return nil
	default:
		s, err := scalarString(x)
		if err != nil {
			return err
		}
		*l = strList{s}
		return nil
	}
}

// UnmarshalYAML implements yaml.Unmarshaler.
func (l *strList) UnmarshalYAML(n *yaml.Node) error {
	switch n.Kind {
	case yaml.ScalarNode:
		*l = strList{n.Value}
		return nil
	case yaml.SequenceNode:
		out := make(strList, 0, len(n.Content))
		for _, c := range n.Content {
			if c.Kind != yaml.ScalarNode {
				return fmt.Errorf("line %d: expected a string or number", c.Line)
			}
			out = append(out, c.Value)
		}
		*l = out
		return nil
	}
	return fmt.Errorf("line %d: expected a string or a list of strings", n.Line)
}

func scalarString(v any) (string, error) {
	switch x := v.(type) {
	case string:
		return x, nil
	case int64:
		return strconv.FormatInt(x, 10), nil
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64), nil
	case bool:
		return strconv.FormatBool(x), nil
	}
	return "", fmt.Errorf("expected a string or number, got %T", v)
}

// RuleSpec is one rule as written in a rules file (TOML or YAML).
type RuleSpec struct {
	ID       string  `toml:"id" yaml:"id"`
	Provider strList `toml:"provider" yaml:"provider"`
	Relay    strList `toml:"relay" yaml:"relay"`
	Reply    strList `toml:"reply" yaml:"reply"`
	Enhanced strList `toml:"enhanced" yaml:"enhanced"`
	Stage    strList `toml:"stage" yaml:"stage"`
	Status   strList `toml:"status" yaml:"status"`
	MTA      strList `toml:"mta" yaml:"mta"`
	Text     strList `toml:"text" yaml:"text"`
	Regex    strList `toml:"regex" yaml:"regex"`
	Unless   strList `toml:"unless" yaml:"unless"`
	Reason   string  `toml:"reason" yaml:"reason"`
	Subject  string  `toml:"subject" yaml:"subject"`
	Class    string  `toml:"class" yaml:"class"`
	Builtin  string  `toml:"builtin" yaml:"builtin"`
	Note     string  `toml:"note" yaml:"note"`
	// Source names where the knowledge comes from (a provider's published
	// page); every provider rule of the built-in data has one.
	Source string `toml:"source" yaml:"source"`
}

type reasonSpec struct {
	Name    string   `toml:"name" yaml:"name"`
	Subject string   `toml:"subject" yaml:"subject"`
	Class   string   `toml:"class" yaml:"class"`
	Allowed []string `toml:"allowed" yaml:"allowed"`
	// AfterData is the reason this one becomes when the refusal was the
	// reply to the DATA command and the enhanced code does not point at the
	// address (X.1.x): the recipient had been accepted at RCPT, so what
	// refused it later was a filter.
	AfterData string `toml:"after_data" yaml:"after_data"`
}

type rulesFile struct {
	Reasons []reasonSpec `toml:"reason" yaml:"reason"`
	Rule    []RuleSpec   `toml:"rule" yaml:"rule"`
	Rules   []RuleSpec   `toml:"rules" yaml:"rules"`
}

// reasonInfo is what the classifier knows about a reason.
type reasonInfo struct {
	subject bouncescan.Subject
	class   bouncescan.Class
	allowed uint16 // bit per subject an enhanced code may set
	// afterData: the reason to use instead when the refusal came after DATA
	afterData string
}

const (
	builtinNone = iota
	builtinEnhanced
	builtinReply
)

const (
	subjectDefault = iota // the reason's default, or the code's if allowed
	subjectCode           // the enhanced code's subject
	subjectFixed          // rule.subject
)

type replyPat struct{ lo, hi int }

type enhPat struct {
	none   bool // absent or X.0.0
	class  int  // 0: any
	subj   int  // -1: any
	lo, hi int  // detail range; -1: any
}

// rule is a compiled rule.
type rule struct {
	id        string
	pos       string // file:line, for messages
	providers []string
	relays    []string
	replies   []replyPat
	enhanced  []enhPat
	stages    uint32 // bit per stage; 0: any
	statuses  uint32 // bit per status; 0: any
	mtas      []string
	text      []textPat
	regex     []*regexp.Regexp
	reLit     []string      // per regex: a literal every match contains, or ""
	reAny     [][]string    // per regex without reLit: literals one of which every match contains, or nil
	rePre     [][][]string  // per regex: regexPrefilter's sets, checked on all-ASCII texts
	reStart   []*startRegex // per regex: where its matches start, for all-ASCII texts (nil: anywhere)
	unless    []textPat
	reCap     int // bytes of text a regex of this rule sees (0: all): user rules are capped
	reason    string
	subjMode  int
	subject   bouncescan.Subject
	class     bouncescan.Class
	builtin   int
	source    string
}

func (r *rule) hasText() bool { return len(r.text) > 0 || len(r.regex) > 0 }

// The limits of user rules (README: Classification, user rules): a user
// regex sees at most UserRegexText bytes of the text (the start, where
// SMTP replies say what they mean; RFC 5321 lines are at most 512 bytes)
// and compiles to at most UserRegexProg instructions, so that one event
// costs at most a few milliseconds however long its text.
const (
	UserRegexText = 2048
	UserRegexProg = 500
)

// compileRule checks and compiles one rule; pos names it in errors, at
// names the line of one of its fields (pos if unknown). A user rule must
// have a condition and its regexes are bounded (UserRegexText,
// UserRegexProg).
func compileRule(s *RuleSpec, pos string, at func(field string) string, user bool) (*rule, error) {
	if at == nil {
		at = func(string) string { return pos }
	}
	id := ""
	if s.ID != "" {
		id = fmt.Sprintf(" rule %q:", s.ID)
	}
	badAt := func(field, format string, a ...any) error {
		return fmt.Errorf("%s:%s %s: %w", at(field), id, fmt.Sprintf(format, a...), ErrBadRules)
	}
	bad := func(format string, a ...any) error {
		return fmt.Errorf("%s:%s %s: %w", pos, id, fmt.Sprintf(format, a...), ErrBadRules)
	}
	if s.ID == "" {
		return nil, bad("rule has no id (add id = \"...\")")
	}
	r := &rule{id: s.ID, pos: pos, reason: s.Reason, source: s.Source}
	switch s.Builtin {
	case "":
	case "enhanced":
		r.builtin = builtinEnhanced
	case "reply":
		r.builtin = builtinReply
	default:
		return nil, badAt("builtin", "unknown builtin %q (use \"enhanced\" or \"reply\")", s.Builtin)
	}
	if r.builtin == builtinNone && !knownReason(s.Reason) {
		return nil, badAt("reason", "unknown reason %q (one of: %s)", s.Reason, strings.Join(Reasons(), ", "))
	}
	switch s.Subject {
	case "":
	case "code":
		r.subjMode = subjectCode
	default:
		sub, ok := bouncescan.ParseSubject(s.Subject)
		if !ok || s.Subject == "" {
			return nil, badAt("subject", "unknown subject %q (other, addressing, mailbox, system, network, protocol, content, security or code)", s.Subject)
		}
		r.subjMode, r.subject = subjectFixed, sub
	}
	if s.Class != "" {
		c, ok := bouncescan.ParseClass(s.Class)
		if !ok || c == bouncescan.ClassUnknown {
			return nil, badAt("class", "unknown class %q (permanent, transient or success)", s.Class)
		}
		r.class = c
	}
	for _, p := range s.Provider {
		r.providers = append(r.providers, strings.ToLower(p))
	}
	for _, p := range s.Relay {
		r.relays = append(r.relays, strings.ToLower(p))
	}
	for _, p := range s.MTA {
		r.mtas = append(r.mtas, strings.ToLower(p))
	}
	for _, p := range s.Reply {
		rp, ok := parseReplyPat(p)
		if !ok {
			return nil, badAt("reply", "bad reply code pattern %q (use 550, 55x or 5xx)", p)
		}
		r.replies = append(r.replies, rp)
	}
	for _, p := range s.Enhanced {
		ep, ok := parseEnhPat(p)
		if !ok {
			return nil, badAt("enhanced", "bad enhanced code pattern %q (use 5.7.1, X.7, 5.7.606-649, X.*.0 or none)", p)
		}
		r.enhanced = append(r.enhanced, ep)
	}
	for _, p := range s.Stage {
		st, ok := stageByName(strings.ToLower(p))
		if !ok && p != "unknown" {
			return nil, badAt("stage", "unknown stage %q (connect, helo, starttls, auth, mail, rcpt, data, eod, local, unknown)", p)
		}
		r.stages |= 1 << st
	}
	for _, p := range s.Status {
		st, ok := bouncescan.ParseStatus(strings.ToLower(p))
		if !ok {
			return nil, badAt("status", "unknown status %q (sent, deferred, bounced, expired, rejected, ...)", p)
		}
		r.statuses |= 1 << st
	}
	for _, p := range s.Text {
		if p == "" {
			return nil, badAt("text", "empty text pattern")
		}
		r.text = append(r.text, newTextPat(lowerASCII(p)))
	}
	for _, p := range s.Regex {
		re, err := regexp.Compile("(?i)" + p)
		if err != nil {
			return nil, badAt("regex", "bad regex %q: %v", p, err)
		}
		if user {
			if n := regexProgLen("(?i)" + p); n > UserRegexProg {
				return nil, badAt("regex", "regex %q is too complex (%d instructions compiled, at most %d): large repetition counts such as {0,1000} make every long reply slow; use + or * and literal words", p, n, UserRegexProg)
			}
			r.reCap = UserRegexText
		}
		r.regex = append(r.regex, re)
		tree, err := parseFold(p) // it compiled, so it parses
		if err != nil {
			return nil, badAt("regex", "bad regex %q: %v", p, err)
		}
		simple := tree.Simplify()
		lit := requiredLiteralOf(simple)
		r.reLit = append(r.reLit, lit)
		var anyLit []string
		if lit == "" {
			anyLit = requiredAnyLiteralOf(simple)
		}
		r.reAny = append(r.reAny, anyLit)
		pre := regexPrefilterOf(simple)
		if r.reCap > 0 {
			pre = withoutMarks(pre)
		}
		r.rePre = append(r.rePre, pre)
		r.reStart = append(r.reStart, startRegexOf(p, tree))
	}
	for _, p := range s.Unless {
		r.unless = append(r.unless, newTextPat(lowerASCII(p)))
	}
	if user && r.builtin == builtinNone && !r.hasCondition() {
		return nil, bad("rule has no condition, so it would match every event (a 250 ok included) as %q: add at least one of reply, enhanced, text, regex, stage, status, provider, relay or mta", s.Reason)
	}
	return r, nil
}

// hasCondition reports whether the rule looks at the event at all
// (unless alone does not count: it only excludes).
func (r *rule) hasCondition() bool {
	return r.hasText() || r.stages != 0 || r.statuses != 0 || len(r.replies) > 0 || len(r.enhanced) > 0 ||
		len(r.providers) > 0 || len(r.relays) > 0 || len(r.mtas) > 0
}

// regexProgLen is the number of instructions p compiles to: the cost of
// matching grows with it times the length of the text.
func regexProgLen(p string) int {
	re, err := syntax.Parse(p, syntax.Perl)
	if err != nil {
		return 0
	}
	prog, err := syntax.Compile(re.Simplify())
	if err != nil {
		return 0
	}
	return len(prog.Inst)
}

func parseReplyPat(p string) (replyPat, bool) {
	p = strings.ToLower(strings.TrimSpace(p))
	if len(p) != 3 || p[0] < '2' || p[0] > '5' {
		return replyPat{}, false
	}
	lo, hi := 0, 0
	for i := 0; i < 3; i++ {
		c := p[i]
		switch {
		case c >= '0' && c <= '9':
			lo = lo*10 + int(c-'0')
			hi = hi*10 + int(c-'0')
		case c == 'x' && i > 0:
			lo = lo * 10
			hi = hi*10 + 9
		default:
			return replyPat{}, false
		}
	}
	return replyPat{lo, hi}, true
}

func parseEnhPat(p string) (enhPat, bool) {
	p = strings.TrimSpace(p)
	if strings.EqualFold(p, "none") {
		return enhPat{none: true}, true
	}
	ep := enhPat{subj: -1, lo: -1, hi: -1}
	parts := strings.Split(p, ".")
	if len(parts) < 1 || len(parts) > 3 {
		return ep, false
	}
	switch parts[0] {
	case "X", "x":
	case "2", "4", "5":
		ep.class = int(parts[0][0] - '0')
	default:
		return ep, false
	}
	if len(parts) >= 2 && parts[1] == "*" && len(parts) == 3 {
		// "X.*.0": any subject, this detail (the generic codes of every subject)
	} else if len(parts) >= 2 {
		n, err := strconv.Atoi(parts[1])
		if err != nil || n < 0 || n > 999 {
			return ep, false
		}
		ep.subj = n
	}
	if len(parts) == 3 {
		lo, hi, found := strings.Cut(parts[2], "-")
		a, err := strconv.Atoi(lo)
		if err != nil {
			return ep, false
		}
		b := a
		if found {
			if b, err = strconv.Atoi(hi); err != nil || b < a {
				return ep, false
			}
		}
		ep.lo, ep.hi = a, b
	}
	return ep, true
}

// input is an event prepared for matching.
type input struct {
	reply    int
	enh      string
	ecl      int // class digit of enh, 0 if none
	esub     int
	edet     int
	weak     bool // no enhanced code, or X.0.0
	stage    bouncescan.Stage
	status   bouncescan.Status
	provider string
	relay    string
	mta      string
	norm     string // text, whitespace collapsed
	lower    string // norm with ASCII letters lower-cased (same length), addresses masked
	plain    string // lower before the addresses were masked
	ascii    bool   // regexPrefilter's sets hold for norm (prefilterHolds; all ASCII, or no ſ and no K)
	grams    gramSet
}

// matchConditions reports whether in meets the rule's conditions other
// than its texts: stage, status, codes, provider, MTA and relay.
func (r *rule) matchConditions(in *input) bool {
	if r.stages != 0 && r.stages&(1<<in.stage) == 0 {
		return false
	}
	if r.statuses != 0 && r.statuses&(1<<in.status) == 0 {
		return false
	}
	if len(r.replies) > 0 {
		ok := false
		for _, p := range r.replies {
			if in.reply >= p.lo && in.reply <= p.hi {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	if len(r.enhanced) > 0 {
		ok := false
		for _, p := range r.enhanced {
			if p.matches(in) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	if len(r.providers) > 0 && !containsStr(r.providers, in.provider) {
		return false
	}
	if len(r.mtas) > 0 && !containsStr(r.mtas, in.mta) {
		return false
	}
	if len(r.relays) > 0 {
		ok := false
		for _, p := range r.relays {
			if hostMatch(in.relay, p) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

func (p enhPat) matches(in *input) bool {
	if p.none {
		return in.weak
	}
	if in.enh == "" {
		return false
	}
	if p.class != 0 && p.class != in.ecl {
		return false
	}
	if p.subj >= 0 && p.subj != in.esub {
		return false
	}
	if p.lo >= 0 && (in.edet < p.lo || in.edet > p.hi) {
		return false
	}
	return true
}

func containsStr(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// relayHost is the host name of a relay as logged ("mx.example.com[192.0.2.1]:25"),
// lower-cased.
func relayHost(relay string) string {
	if i := strings.IndexAny(relay, "[:"); i >= 0 {
		relay = relay[:i]
	}
	return lowerASCII(relay)
}

// hostMatch matches a lower-case host name against "*.suffix", "prefix*",
// or a substring.
func hostMatch(host, pat string) bool {
	if host == "" {
		return false
	}
	switch {
	case strings.HasPrefix(pat, "*."):
		return strings.HasSuffix(host, pat[1:]) || host == pat[2:]
	case strings.HasSuffix(pat, "*"):
		return strings.HasPrefix(host, pat[:len(pat)-1])
	}
	return strings.Contains(host, pat)
}

// loadRules reads the rules of one file (TOML, or YAML for .yaml/.yml).
// name is used in messages.
func loadRules(name string, data []byte) ([]*rule, []reasonSpec, error) {
	return loadRulesAt(name, data, false)
}

// loadRulesAt is loadRules; user rules are held to the limits of
// compileRule.
func loadRulesAt(name string, data []byte, user bool) ([]*rule, []reasonSpec, error) {
	ext := strings.ToLower(filepath.Ext(name))
	var specs []RuleSpec
	var lines []int
	var fields []map[string]int // per rule: the line of each field
	var reasons []reasonSpec
	switch ext {
	case ".yaml", ".yml":
		var doc yaml.Node
		if err := yaml.Unmarshal(data, &doc); err != nil {
			// "yaml: line 3: found ..." → "file:3: found ... (YAML syntax)"
			msg := strings.TrimPrefix(err.Error(), "yaml: ")
			var line int
			if _, scanErr := fmt.Sscanf(msg, "line %d:", &line); scanErr == nil {
				_, msg, _ = strings.Cut(msg, ": ")
				return nil, nil, fmt.Errorf("%s:%d: %s (YAML syntax; the mistake may be on the lines just after): %w", name, line, msg, ErrBadRules)
			}
			return nil, nil, fmt.Errorf("%s: %s (YAML syntax): %w", name, msg, ErrBadRules)
		}
		if len(doc.Content) == 0 {
			return nil, nil, nil
		}
		root := doc.Content[0]
		var seq *yaml.Node
		switch root.Kind {
		case yaml.SequenceNode:
			seq = root
		case yaml.MappingNode:
			for i := 0; i+1 < len(root.Content); i += 2 {
				k := root.Content[i].Value
				if k == "rules" || k == "rule" {
					seq = root.Content[i+1]
				} else {
					return nil, nil, fmt.Errorf("%s:%d: unknown key %q (expected rules:): %w", name, root.Content[i].Line, k, ErrBadRules)
				}
			}
		default:
			return nil, nil, fmt.Errorf("%s:%d: expected a list of rules or a rules: key: %w", name, root.Line, ErrBadRules)
		}
		if seq == nil {
			return nil, nil, nil
		}
		if seq.Kind != yaml.SequenceNode {
			return nil, nil, fmt.Errorf("%s:%d: rules must be a list: %w", name, seq.Line, ErrBadRules)
		}
		for _, item := range seq.Content {
			var s RuleSpec
			if err := decodeYAMLStrict(item, &s); err != nil {
				return nil, nil, fmt.Errorf("%s:%d: %v: %w", name, item.Line, err, ErrBadRules)
			}
			specs = append(specs, s)
			lines = append(lines, item.Line)
			at := map[string]int{}
			for i := 0; i+1 < len(item.Content); i += 2 {
				at[item.Content[i].Value] = item.Content[i].Line
			}
			fields = append(fields, at)
		}
	default:
		var f rulesFile
		md, err := toml.Decode(string(data), &f)
		if err != nil {
			var pe toml.ParseError
			if errors.As(err, &pe) {
				return nil, nil, fmt.Errorf("%s:%d: %s: %w", name, pe.Position.Line, pe.Message, ErrBadRules)
			}
			return nil, nil, fmt.Errorf("%s: %v: %w", name, err, ErrBadRules)
		}
		if und := md.Undecoded(); len(und) > 0 {
			k := und[0].String()
			return nil, nil, fmt.Errorf("%s:%d: unknown key %q: %w", name, tomlKeyLine(data, und[0]), k, ErrBadRules)
		}
		specs = append(f.Rule, f.Rules...)
		lines = tomlTableLines(data, len(f.Rule), len(f.Rules))
		fields = tomlFieldLines(data, lines)
		reasons = f.Reasons
	}
	out := make([]*rule, len(specs))
	errs := make([]error, len(specs))
	posOf := func(i int) string { return fmt.Sprintf("%s:%d", name, lines[i]) }
	inParallel(len(specs), func(i int) {
		pos := posOf(i)
		at := func(field string) string {
			if i < len(fields) && fields[i][field] > 0 {
				return fmt.Sprintf("%s:%d", name, fields[i][field])
			}
			return pos
		}
		out[i], errs[i] = compileRule(&specs[i], pos, at, user)
	})
	seen := make(map[string]string)
	for i, r := range out {
		if errs[i] != nil {
			return nil, nil, errs[i] // the first rule in the file that is wrong
		}
		if prev, dup := seen[r.id]; dup {
			return nil, nil, fmt.Errorf("%s: rule %q: id already used at %s: %w", posOf(i), r.id, prev, ErrBadRules)
		}
		seen[r.id] = posOf(i)
	}
	return out, reasons, nil
}

// inParallel calls f(0) … f(n-1) on as many goroutines as there are
// processors (at most 4), each taking every k-th index: the rules'
// regexes compile at start-up, and with them on both cores bouncescan
// starts sooner (BenchmarkNewClassifier). f must only write what is its
// own index's.
func inParallel(n int, f func(i int)) {
	k := min(runtime.GOMAXPROCS(0), 4, n)
	var wg sync.WaitGroup
	for w := 1; w < k; w++ {
		wg.Go(func() {
			for i := w; i < n; i += k {
				f(i)
			}
		})
	}
	for i := 0; i < n; i += max(k, 1) {
		f(i)
	}
	wg.Wait()
}

func decodeYAMLStrict(n *yaml.Node, v *RuleSpec) error {
	if n.Kind != yaml.MappingNode {
		return errors.New("a rule must be a mapping (id: ..., reason: ...)")
	}
	known := map[string]bool{"id": true, "provider": true, "relay": true, "reply": true, "enhanced": true,
		"stage": true, "status": true, "mta": true, "text": true, "regex": true, "unless": true,
		"reason": true, "subject": true, "class": true, "builtin": true, "note": true, "source": true}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if k := n.Content[i].Value; !known[k] {
			return fmt.Errorf("unknown key %q", k)
		}
	}
	return n.Decode(v)
}

// tomlTableLines finds the line of each [[rule]] then each [[rules]] header.
func tomlTableLines(data []byte, nRule, nRules int) []int {
	var a, b []int
	for i, l := range bytes.Split(data, []byte("\n")) {
		t := bytes.TrimSpace(l)
		switch {
		case bytes.HasPrefix(t, []byte("[[rule]]")):
			a = append(a, i+1)
		case bytes.HasPrefix(t, []byte("[[rules]]")):
			b = append(b, i+1)
		}
	}
	out := make([]int, 0, nRule+nRules)
	for i := 0; i < nRule; i++ {
		if i < len(a) {
			out = append(out, a[i])
		} else {
			out = append(out, 0)
		}
	}
	for i := 0; i < nRules; i++ {
		if i < len(b) {
			out = append(out, b[i])
		} else {
			out = append(out, 0)
		}
	}
	return out
}

// tomlFieldLines finds, for each rule table starting at one of starts
// (1-based lines), the line of each key set in it, up to the next table.
func tomlFieldLines(data []byte, starts []int) []map[string]int {
	lines := bytes.Split(data, []byte("\n"))
	out := make([]map[string]int, len(starts))
	for k, start := range starts {
		at := map[string]int{}
		out[k] = at
		if start <= 0 {
			continue
		}
		for i := start; i < len(lines); i++ { // lines[start] is the line after the header
			t := bytes.TrimSpace(lines[i])
			if bytes.HasPrefix(t, []byte("[")) {
				break
			}
			key, _, ok := bytes.Cut(t, []byte("="))
			if !ok || bytes.HasPrefix(t, []byte("#")) {
				continue
			}
			name := string(bytes.Trim(bytes.TrimSpace(key), `"'`))
			if _, dup := at[name]; !dup {
				at[name] = i + 1
			}
		}
	}
	return out
}

// tomlKeyLine finds the first line that sets the last part of key.
func tomlKeyLine(data []byte, key toml.Key) int {
	if len(key) == 0 {
		return 0
	}
	last := key[len(key)-1]
	for i, l := range bytes.Split(data, []byte("\n")) {
		t := bytes.TrimSpace(l)
		if bytes.HasPrefix(t, []byte(last)) {
			rest := bytes.TrimSpace(t[len(last):])
			if bytes.HasPrefix(rest, []byte("=")) {
				return i + 1
			}
		}
	}
	return 0
}

// loadRulesFile reads and checks a user rules file.
func loadRulesFile(path string) ([]*rule, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("rules: %w", err)
	}
	rules, reasons, err := loadRulesAt(path, data, true)
	if err != nil {
		return nil, err
	}
	if len(reasons) > 0 {
		return nil, fmt.Errorf("%s: [[reason]] tables are only allowed in the built-in rules: %w", path, ErrBadRules)
	}
	return rules, nil
}

func lowerASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if c := b[j]; c >= 'A' && c <= 'Z' {
					b[j] = c + 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}
