// Package classify decides why a delivery attempt failed: for every Event it
// gives a Verdict with the class (permanent, transient, success), the RFC
// 3463 subject, a Sisimai-compatible reason, the provider, and the id and
// evidence of the rule that decided.
//
// All knowledge is data embedded in the binary (data/*.toml): the SMTP reply
// codes and which commands may return them, the IANA enhanced status code
// registry plus vendor codes, the providers, and the ordered rules. Users add
// their own rules with Options.RulesFile; they are tried first.
package classify

import (
	"fmt"
	"hash/maphash"
	"strconv"
	"strings"
	"sync"

	"github.com/bouncescan/bouncescan"
)

// Options configure a Classifier.
type Options struct {
	// RulesFile is a user rules file (TOML, or YAML when it ends in .yaml
	// or .yml). Its rules run before the built-in ones.
	RulesFile string
	// CacheSize bounds the verdict cache (entries); 0 means 16384, a
	// negative size turns the cache off (every event is decided afresh).
	CacheSize int
}

// providerInfo recognises one provider.
type providerInfo struct {
	Name   string   `toml:"name"`
	Relay  []string `toml:"relay"`
	Domain []string `toml:"domain"`
	Text   []string `toml:"text"`
}

type providerFile struct {
	Providers []providerInfo `toml:"provider"`
}

// Classifier classifies events. It is not safe for concurrent use: give
// each goroutine its own Classifier (New is cheap next to a log scan; the
// tables are read once per Classifier). Classify is pure with respect to its
// input: the same event always gets the same verdict.
type Classifier struct {
	t         *tables
	rules     []*rule
	reasons   map[string]reasonInfo
	providers []providerInfo
	domainOf  map[string]string // recipient domain → provider
	taxonomy  map[string]Taxonomy

	idx *ruleIndex  // the rules' literals, for one scan per text (shared by Clones)
	lit *litScratch // idx's working space (each Clone its own)

	cache cache
	key   []byte
	// keyRelay: some rule looks at the relay host, so the cache key holds it
	keyRelay bool
	// hosts remembers providerOfHost's last answers (a value: each Clone
	// has its own)
	hosts [64]hostMemo
}

// hostMemo is one remembered providerOfHost answer.
type hostMemo struct {
	relay, domain, provider string
	ok                      bool
}

// providerOf is providerOfHost, remembered for the relays and domains of
// the last events (a log names the same few dozen hosts again and again:
// matching a relay against every provider's host patterns costs more than
// the look-up). Same answers as providerOfHost (TestProviderOfMemo).
func (c *Classifier) providerOf(relay, domain string) string {
	h := uint(len(relay))*7 + uint(len(domain))
	if len(relay) > 0 {
		h += uint(relay[len(relay)-1])*3 + uint(relay[0])
	}
	if len(domain) > 0 {
		h += uint(domain[0]) * 5
	}
	m := &c.hosts[h%uint(len(c.hosts))]
	if m.ok && m.relay == relay && m.domain == domain {
		return m.provider
	}
	p := c.providerOfHost(relay, domain)
	*m = hostMemo{relay: relay, domain: domain, provider: p, ok: true}
	return p
}

// New loads the embedded data and the user rules of opts.
func New(opts Options) (*Classifier, error) {
	// the built-in rules (their regexes: most of the time) load on a
	// second goroutine while the code tables decode on this one
	var (
		builtin    []*rule
		reasons    []reasonSpec
		errBuiltin error
		wg         sync.WaitGroup
	)
	wg.Go(func() { builtin, reasons, errBuiltin = loadBuiltinRules() })
	c := &Classifier{reasons: make(map[string]reasonInfo), domainOf: make(map[string]string)}
	var pf providerFile
	err := c.loadTables(&pf)
	wg.Wait()
	if err != nil {
		return nil, err
	}
	if errBuiltin != nil {
		return nil, errBuiltin
	}
	for _, r := range reasons {
		if !knownReason(r.Name) {
			return nil, fmt.Errorf("classify: data/rules.toml: unknown reason %q", r.Name)
		}
		sub, ok := bouncescan.ParseSubject(r.Subject)
		if !ok {
			return nil, fmt.Errorf("classify: data/rules.toml: reason %s: unknown subject %q", r.Name, r.Subject)
		}
		ri := reasonInfo{subject: sub, allowed: 1 << sub, afterData: r.AfterData}
		if r.AfterData != "" && !knownReason(r.AfterData) {
			return nil, fmt.Errorf("classify: data/rules.toml: reason %s: unknown after_data reason %q", r.Name, r.AfterData)
		}
		if r.Class != "" {
			if ri.class, ok = bouncescan.ParseClass(r.Class); !ok {
				return nil, fmt.Errorf("classify: data/rules.toml: reason %s: unknown class %q", r.Name, r.Class)
			}
		}
		for _, a := range r.Allowed {
			s, ok := bouncescan.ParseSubject(a)
			if !ok {
				return nil, fmt.Errorf("classify: data/rules.toml: reason %s: unknown subject %q", r.Name, a)
			}
			ri.allowed |= 1 << s
		}
		c.reasons[r.Name] = ri
	}
	for _, r := range Reasons() {
		if _, ok := c.reasons[r]; !ok {
			return nil, fmt.Errorf("classify: data/rules.toml: reason %s has no [[reason]] entry", r)
		}
	}
	c.providers = pf.Providers
	for _, p := range pf.Providers {
		for _, d := range p.Domain {
			c.domainOf[d] = p.Name
		}
	}
	if opts.RulesFile != "" {
		user, err := loadRulesFile(opts.RulesFile)
		if err != nil {
			return nil, err
		}
		c.rules = append(c.rules, user...)
	}
	c.rules = append(c.rules, builtin...)
	for _, r := range c.rules {
		if len(r.relays) > 0 {
			c.keyRelay = true
		}
	}
	c.idx = newRuleIndex(c.rules, c.providers)
	c.lit = newLitScratch(c.idx)
	size := opts.CacheSize
	if size == 0 {
		size = 16384
	}
	if size > 0 {
		c.cache = newCache(size)
	}
	return c, nil
}

// loadTables reads the code tables, the taxonomy and the providers (the
// data but the rules).
func (c *Classifier) loadTables(pf *providerFile) error {
	var err error
	if c.t, err = loadTables(); err != nil {
		return err
	}
	if c.taxonomy, err = loadTaxonomy(); err != nil {
		return err
	}
	return decodeEmbedded("data/providers.toml", pf)
}

// loadBuiltinRules reads data/rules.toml.
func loadBuiltinRules() ([]*rule, []reasonSpec, error) {
	b, err := dataFS.ReadFile("data/rules.toml")
	if err != nil {
		return nil, nil, fmt.Errorf("classify: %w", err)
	}
	builtin, reasons, err := loadRules("data/rules.toml", b)
	if err != nil {
		return nil, nil, fmt.Errorf("classify: built-in rules: %w", err)
	}
	return builtin, reasons, nil
}

// Clone returns a Classifier that shares c's tables and rules (read-only)
// and has its own empty cache: one per goroutine, without reading the data
// again.
func (c *Classifier) Clone() *Classifier {
	n := *c
	if c.cache.max > 0 {
		n.cache = newCache(2 * c.cache.max)
	}
	n.key = nil
	n.lit = newLitScratch(c.idx)
	return &n
}

// Classify returns the verdict for e. The verdict's Flags slice is shared
// with the cache: treat it as read-only.
func (c *Classifier) Classify(e *bouncescan.Event) bouncescan.Verdict {
	if e == nil {
		return bouncescan.Verdict{Subject: bouncescan.SubjectOther, Reason: "undefined", Rule: "none"}
	}
	pre := c.providerOf(e.Relay, e.Domain)
	if c.cache.max == 0 {
		c.key = appendTemplate(c.key[:0], e.Text)
		return c.decide(e, pre, string(c.key))
	}
	k := c.key[:0]
	k = appendCode(k, e.ReplyCode)
	k = append(k, '|')
	k = append(k, e.EnhancedCode...)
	k = append(k, '|')
	k = append(k, e.DSN...)
	k = append(k, '|', byte(e.Stage), byte(e.Status), '|')
	k = append(k, pre...)
	k = append(k, '|')
	k = append(k, e.MTA...)
	k = append(k, '|')
	if c.keyRelay {
		k = appendRelayHost(k, e.Relay)
		k = append(k, '|')
	}
	t0 := len(k)
	slot, h := c.cache.exactSlot(k, e.Text)
	if slot.h == h && slot.v != nil {
		return *slot.v // the same reply again, word for word
	}
	k = appendTemplate(k, e.Text)
	c.key = k
	v := c.cache.get(k)
	if v == nil {
		key := string(k)
		d := c.decide(e, pre, key[t0:])
		v = &d
		c.cache.put(key, v)
	}
	slot.h, slot.v = h, v
	return *v
}

// appendCode appends strconv.Itoa(code), the digits of a reply code (0 to
// 999) written without the general conversion's call.
func appendCode(k []byte, code int) []byte {
	switch {
	case code >= 100 && code <= 999:
		return append(k, byte('0'+code/100), byte('0'+code/10%10), byte('0'+code%10))
	case code == 0:
		return append(k, '0')
	}
	return strconv.AppendInt(k, int64(code), 10)
}

// appendRelayHost appends relayHost(relay) without allocating.
func appendRelayHost(k []byte, relay string) []byte {
	for i := 0; i < len(relay); i++ {
		c := relay[i]
		if c == '[' || c == ':' {
			break
		}
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		k = append(k, c)
	}
	return k
}

// providerOfHost recognises the provider from the relay host or the
// recipient domain; "" if neither tells.
func (c *Classifier) providerOfHost(relay, domain string) string {
	if relay != "" && relay != "local" && relay != "none" {
		h := relayHost(relay)
		for i := range c.providers {
			for _, p := range c.providers[i].Relay {
				if hostMatch(h, p) {
					return c.providers[i].Name
				}
			}
		}
	}
	if domain != "" {
		if p, ok := c.domainOf[domain]; ok {
			return p
		}
		if p, ok := c.domainOf[lowerASCII(domain)]; ok {
			return p
		}
	}
	return ""
}

func (c *Classifier) providerOfText(lower string) string {
	for i := range c.providers {
		for _, m := range c.providers[i].Text {
			if strings.Contains(lower, m) {
				return c.providers[i].Name
			}
		}
	}
	return ""
}

// Flags set on verdicts where the data disagrees with itself.
const (
	FlagReplyEnhancedClass = "reply-class-differs-from-enhanced"
	FlagReplyInvalidStage  = "reply-invalid-for-stage"
	FlagTextOverWeakCode   = "text-over-weak-code"
	FlagTextOverCode       = "text-over-enhanced-code"
	FlagStatusClass        = "status-differs-from-class"
	FlagSubjectCode        = "subject-differs-from-code"
)

// afterDataRule is the rule id of verdicts turned by a reason's after_data.
const afterDataRule = "stage.after-data"

// decide runs the rules for e (the slow path behind the cache).
//
// template is the text as the cache key holds it; the provider is read from
// it, not from the text, because an e-mail address in the text names the
// recipient's mailbox, not the system that answered ("<bob@gmail.com>:
// User unknown" from a company's relay is not Gmail's).
func (c *Classifier) decide(e *bouncescan.Event, pre, template string) bouncescan.Verdict {
	in := input{stage: e.Stage, status: e.Status, mta: lowerASCII(e.MTA)}
	if !c.idx.builtFor(c.rules) {
		c.idx = newRuleIndex(c.rules, c.providers)
		c.lit = newLitScratch(c.idx)
	}
	// normalize, then maskAddresses
	in.norm, in.plain, in.lower, c.lit.text = prepareText(c.lit.text, e.Text)
	in.ascii = prefilterHolds(in.norm)
	in.relay = relayHost(e.Relay)
	c.idx.prepare(c.lit, &in)
	if in.stage == bouncescan.StageUnknown {
		in.stage = c.idx.stageOf(c.lit) // stageFromText(in.lower)
	}
	in.reply = e.ReplyCode
	enhFromEvent := normalizeEnhanced(e.EnhancedCode)
	in.enh = enhFromEvent
	// the class comes from the codes the event carries first, then from
	// codes found in the text
	classCode := 0
	switch {
	case e.ReplyCode >= 200 && e.ReplyCode < 600 && e.ReplyCode/100 != 3:
		classCode = e.ReplyCode / 100
	case enhFromEvent != "":
		classCode = int(enhFromEvent[0] - '0')
	}
	if in.reply == 0 || in.enh == "" {
		r, x := codesFromText(in.norm, classCode)
		if in.reply == 0 {
			in.reply = r
		}
		if in.enh == "" {
			in.enh = x
		}
	}
	if in.enh == "" {
		in.enh = normalizeEnhanced(e.DSN)
	}
	if in.enh != "" {
		cl, s, d, _ := splitEnhanced(in.enh)
		in.ecl, in.esub, in.edet = cl, s, d
	}
	in.weak = in.enh == "" || (in.esub == 0 && in.edet == 0)
	c.idx.dropEnhanced(c.lit, c.rules, &in)
	in.provider = pre
	if in.provider == "" {
		if p := c.idx.providerOf(c.lit, template); p >= 0 {
			in.provider = c.providers[p].Name
		}
	}

	v := bouncescan.Verdict{
		EnhancedCode: in.enh,
		ReplyCode:    in.reply,
		Provider:     in.provider,
		Reason:       "undefined",
		Rule:         "fallback.undefined",
	}
	var decided *rule
	for i := c.idx.nextRule(c.lit, 0); i >= 0; i = c.idx.nextRule(c.lit, i+1) {
		r := c.rules[i]
		ok, ev := c.idx.matchFound(i, r, c.lit, &in)
		if !ok {
			continue
		}
		reason := r.reason
		switch r.builtin {
		case builtinEnhanced:
			if in.weak {
				continue
			}
			ci := c.t.lookupEnhancedIn(in.enh, in.lower)
			if ci == nil || ci.Reason == "" {
				continue
			}
			reason, ev = ci.Reason, in.enh
		case builtinReply:
			if in.reply == 0 {
				continue
			}
			reason = c.t.replyReason(in.reply, in.stage)
			if reason == "" {
				continue
			}
			ev = strconv.Itoa(in.reply)
		default:
			// a piece of the text: not a window on prepareText's
			// string, which holds the text three times
			ev = strings.Clone(ev)
		}
		if ev == "" {
			ev = conditionEvidence(r, &in)
		}
		v.Reason, v.Rule, v.Evidence = reason, r.id, ev
		decided = r
		break
	}

	ri := c.reasons[v.Reason]
	// a recipient refused in reply to the DATA command had been accepted at
	// RCPT, and the server has learnt nothing new about the address since:
	// unless the code still says the address is bad (X.1.x, the echo of a
	// RCPT refusal), a filter refused it. After the end of data the server
	// has the message and may really check the recipient then (Yahoo does).
	if ri.afterData != "" && in.stage == bouncescan.StageData && in.esub != 1 &&
		(decided == nil || decided.builtin == builtinNone) {
		v.Reason, v.Rule = ri.afterData, afterDataRule
		ri = c.reasons[v.Reason]
		decided = nil
	}
	// class: the rule, the reply code, the enhanced code, the status, the reason
	switch {
	case decided != nil && decided.class != bouncescan.ClassUnknown:
		v.Class = decided.class
	case classCode != 0:
		v.Class = bouncescan.ClassOfDigit(byte('0' + classCode))
	case in.reply >= 200 && in.reply < 600 && in.reply/100 != 3:
		v.Class = bouncescan.ClassOfDigit(byte('0' + in.reply/100))
	case in.enh != "":
		v.Class = bouncescan.ClassOfDigit(in.enh[0])
	case e.Status == bouncescan.StatusUnknown && c.idx.classOf(c.lit) != bouncescan.ClassUnknown:
		v.Class = c.idx.classOf(c.lit) // classFromText(in.lower)
	default:
		switch e.Status {
		case bouncescan.StatusSent:
			v.Class = bouncescan.ClassSuccess
		case bouncescan.StatusDeferred, bouncescan.StatusExpired:
			v.Class = bouncescan.ClassTransient
		case bouncescan.StatusBounced, bouncescan.StatusRejected:
			v.Class = bouncescan.ClassPermanent
		default:
			// no code and no status (classify given a bare text; the
			// transient words of classFromText were tried above): the
			// reason's own class, else permanent (a bounce's text)
			v.Class = ri.class
			if v.Class == bouncescan.ClassUnknown && (v.Reason != "undefined" || in.lower != "") {
				v.Class = bouncescan.ClassPermanent
			}
		}
	}
	// subject: it follows the reason (the rule's own subject, else the
	// reason's); the enhanced code's subject stays in the event, and a flag
	// says when the two differ. Only a verdict without a reason takes the
	// code's subject.
	codeSubj := bouncescan.SubjectOfCode(in.enh)
	switch {
	case decided != nil && decided.subjMode == subjectFixed:
		v.Subject = decided.subject
	case decided != nil && decided.subjMode == subjectCode && codeSubj != bouncescan.SubjectNone:
		v.Subject = codeSubj
	case v.Reason == "undefined" && codeSubj != bouncescan.SubjectNone:
		v.Subject = codeSubj
	default:
		v.Subject = ri.subject
	}
	if ci := c.t.lookupEnhancedIn(in.enh, in.lower); ci != nil {
		if ci.Vendor != "" && v.Provider == "" {
			v.Provider = ci.Vendor // a vendor's own code names the vendor
		}
		v.Description = ci.Title
	} else if ri := c.t.replies[in.reply]; ri != nil {
		v.Description = ri.Title
	}
	v.Flags = c.flags(&in, e, enhFromEvent, decided, &v)
	return v
}

// stageMarkers tell the SMTP stage from the wrapper texts MTAs put around
// a reply (Exim "SMTP error ... after RCPT TO:", Postfix "(in reply to end
// of DATA command)", qmail "does not like recipient", ...), for texts that
// come without a stage.
var stageMarkers = [...]struct {
	stage bouncescan.Stage
	text  []string
}{
	{bouncescan.StageEndOfData, []string{"after end of data", "in reply to end of data", "failed after i sent the message", "after sending message"}},
	{bouncescan.StageData, []string{"after data", "after pipelined data", "in reply to data command", "for text command", ">>> data"}},
	{bouncescan.StageRcpt, []string{"after rcpt to", "after pipelined rcpt to", "in reply to rcpt to", "does not like recipient", "error following rcpt command", "rcpt to response", ">>> rcpt to", "[rcpt_to]"}},
	{bouncescan.StageMail, []string{"after mail from", "after pipelined mail from", "in reply to mail from", "sender was rejected", ">>> mail from"}},
	{bouncescan.StageHelo, []string{"after ehlo", "after helo", "after lhlo", "in reply to ehlo", "in reply to helo", "my name was rejected", ">>> ehlo", ">>> helo"}},
	{bouncescan.StageConnect, []string{"after initial connection", "refused to talk to me", "after connection", "in reply to greeting"}},
}

// classFromText reads "failed permanently" / "has been delayed" from
// texts that carry no code and come without a status.
func classFromText(lower string) bouncescan.Class {
	permanent, transient := classMarkers()
	for _, t := range permanent {
		if strings.Contains(lower, t) {
			return bouncescan.ClassPermanent
		}
	}
	for _, t := range transient {
		if strings.Contains(lower, t) {
			return bouncescan.ClassTransient
		}
	}
	return bouncescan.ClassUnknown
}

// classMarkers are the words of classFromText.
func classMarkers() (permanent, transient []string) {
	return []string{"failed permanently", "permanent failure", "permanent error", "permanently rejected", "retry timeout exceeded"},
		[]string{"has been delayed", "temporary failure", "will be retried", "temporarily deferred",
			"connection refused", "connection timed out", "timed out", "lost connection", "connection reset",
			"host not found, try again", "no route to host", "network is unreachable", "try again later", "greylist",
			// Sendmail's stat=Deferred: ...; an unfinished DNS look-up,
			// a timeout or a dropped connection (Exim's and sysexits'
			// words): nothing refused the message for good
			"deferred:", "did not complete", "smtp timeout", "server timeout", "dns timeout", "closed connection", "unexpected disconnection",
			"temporarily", "temporary error", "temporary problem"}
}

func stageFromText(lower string) bouncescan.Stage {
	for _, m := range stageMarkers {
		for _, t := range m.text {
			if strings.Contains(lower, t) {
				return m.stage
			}
		}
	}
	return bouncescan.StageUnknown
}

// conditionEvidence describes what a rule without text matched on.
func conditionEvidence(r *rule, in *input) string {
	switch {
	case len(r.enhanced) > 0 && in.enh != "":
		return in.enh
	case len(r.replies) > 0 && in.reply != 0:
		return strconv.Itoa(in.reply)
	case r.statuses != 0:
		return "status=" + in.status.String()
	case r.stages != 0:
		return "stage=" + in.stage.String()
	case len(r.relays) > 0:
		return "relay=" + in.relay
	case len(r.providers) > 0:
		return "provider=" + in.provider
	}
	return ""
}

func (c *Classifier) flags(in *input, e *bouncescan.Event, enhFromEvent string, decided *rule, v *bouncescan.Verdict) []string {
	var fl []string
	if in.reply != 0 && in.enh != "" && (enhFromEvent != "" || in.enh != normalizeEnhanced(e.DSN)) {
		if in.reply/100 != int(in.enh[0]-'0') && in.reply/100 != 3 {
			fl = append(fl, FlagReplyEnhancedClass)
		}
	}
	if in.reply != 0 {
		if valid, known := c.t.validForStage(in.reply, in.stage); known && !valid {
			fl = append(fl, FlagReplyInvalidStage)
		}
	}
	if decided != nil && decided.hasText() && decided.builtin == builtinNone {
		switch {
		case in.enh != "" && in.weak:
			fl = append(fl, FlagTextOverWeakCode)
		case !in.weak:
			if ci := c.t.lookupEnhancedIn(in.enh, in.lower); ci != nil && ci.Reason != "" && ci.Reason != v.Reason {
				fl = append(fl, FlagTextOverCode)
			}
		}
	}
	if cs := bouncescan.SubjectOfCode(in.enh); !in.weak && cs != bouncescan.SubjectNone && cs != v.Subject {
		fl = append(fl, FlagSubjectCode)
	}
	switch {
	case e.Status == bouncescan.StatusDeferred && v.Class == bouncescan.ClassPermanent,
		e.Status == bouncescan.StatusBounced && v.Class == bouncescan.ClassTransient,
		e.Status == bouncescan.StatusSent && v.Class != bouncescan.ClassSuccess:
		fl = append(fl, FlagStatusClass)
	}
	return fl
}

// cache is a bounded two-generation map: lookups see both generations;
// when the young one is full it becomes the old one and the oldest is
// dropped.
//
// The maps hold pointers: a verdict is copied once on a hit (by Classify),
// not out of the map and again (BenchmarkClassify).
type cache struct {
	young, old map[string]*bouncescan.Verdict
	max        int
	// exact is in front of the maps: direct-mapped, by a hash of the
	// key's first part (codes, stage, status, provider, MTA, relay) and
	// the event's text as it is. A log repeats a reply word for word (a
	// remote server's one text for each of its recipients, the same
	// timeout for each retry): such a repeat needs no template, which is
	// most of a cache hit's time. A slot holds the verdict the maps gave
	// for its text, so it answers as they would; two keys share a slot
	// only if their 64-bit hashes are equal (odds about 2^-64 a look-up).
	exact []exactSlot
	seed  maphash.Seed
}

type exactSlot struct {
	h uint64
	v *bouncescan.Verdict
}

func newCache(size int) cache {
	half := max(size/2, 1)
	n := 1
	for n < size {
		n <<= 1 // the slots: a power of two, as many as the maps hold at most
	}
	return cache{young: make(map[string]*bouncescan.Verdict, half), old: map[string]*bouncescan.Verdict{}, max: half,
		exact: make([]exactSlot, n), seed: maphash.MakeSeed()}
}

// exactSlot returns the slot of the key whose first part is prefix and
// whose text is text, and the hash the slot must hold for it.
func (c *cache) exactSlot(prefix []byte, text string) (*exactSlot, uint64) {
	h := maphash.String(c.seed, text)*0x9e3779b97f4a7c15 ^ maphash.Bytes(c.seed, prefix)
	return &c.exact[h&uint64(len(c.exact)-1)], h
}

// get is the verdict remembered for the key k, or nil.
func (c *cache) get(k []byte) *bouncescan.Verdict {
	if v := c.young[string(k)]; v != nil {
		return v
	}
	if v := c.old[string(k)]; v != nil {
		c.put(string(k), v)
		return v
	}
	return nil
}

func (c *cache) put(k string, v *bouncescan.Verdict) {
	if len(c.young) >= c.max {
		c.old = c.young
		c.young = make(map[string]*bouncescan.Verdict, c.max)
	}
	c.young[k] = v
}
