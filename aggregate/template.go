package aggregate

import (
	"hash/maphash"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/bouncescan/bouncescan"
)

// Diag is one diagnostic text template (the texts of failures and
// deferrals with their variable parts masked), how often it was seen, one
// real example and its verdict.
type Diag struct {
	Template     string    `json:"template"`
	Example      string    `json:"example"`
	Count        int64     `json:"count"`
	Status       string    `json:"status"`
	ReplyCode    int       `json:"reply_code,omitempty"`
	EnhancedCode string    `json:"enhanced_code,omitempty"`
	Class        string    `json:"class,omitempty"`
	Subject      string    `json:"subject,omitempty"`
	Reason       string    `json:"reason,omitempty"`
	Provider     string    `json:"provider,omitempty"`
	Rule         string    `json:"rule,omitempty"`
	Domains      Distinct  `json:"domains"` // distinct recipient domains
	First        time.Time `json:"first,omitzero"`
	Last         time.Time `json:"last,omitzero"`
}

func (d *Diag) key() string {
	return d.Status + "|" + itoa(d.ReplyCode) + "|" + d.EnhancedCode + "|" + d.Template
}

// diagKey is what tells templates apart (Report.templates).
type diagKey struct {
	status string
	code   int
	enh    string
	tpl    string
}

func (d *Diag) diagKey() diagKey { return diagKey{d.Status, d.ReplyCode, d.EnhancedCode, d.Template} }

// maxExample bounds the example text kept per template.
const maxExample = 2000

// addDiag counts e under its template; sl is the slot of its text, or nil.
func (r *Report) addDiag(e *bouncescan.Event, sl *textSlot) {
	if sl == nil {
		sl = r.textSlot(e.Text)
	}
	status := e.Status.String()
	d := sl.diag
	if d == nil || d.Status != status || d.ReplyCode != e.ReplyCode || d.EnhancedCode != e.EnhancedCode {
		key := diagKey{status, e.ReplyCode, e.EnhancedCode, sl.tpl}
		d = r.templates[key]
		if d == nil {
			if len(r.templates) >= r.limits.Templates {
				r.Dropped.Templates++
				return
			}
			ex := e.Text
			if len(ex) > maxExample {
				ex = ex[:maxExample]
			}
			d = &Diag{Template: sl.tpl, Example: strings.Clone(ex), Status: status, ReplyCode: e.ReplyCode,
				EnhancedCode: strings.Clone(e.EnhancedCode), Domains: newDistinct(64, 10), First: e.Time, Last: e.Time}
			if v := e.Verdict; v != nil {
				d.Class, d.Subject, d.Reason, d.Provider, d.Rule = v.Class.String(), v.Subject.String(), v.Reason, v.Provider, v.Rule
			}
			r.templates[d.diagKey()] = d
		}
		sl.diag = d
	}
	d.Count++
	d.Domains.Add(lower(e.Domain))
	if !e.Time.IsZero() {
		if d.First.IsZero() || e.Time.Before(d.First) {
			if !d.First.IsZero() {
				// the example is the earliest text (as a merge keeps it)
				ex := e.Text
				if len(ex) > maxExample {
					ex = ex[:maxExample]
				}
				d.Example = strings.Clone(ex)
			}
			d.First = e.Time
		}
		if e.Time.After(d.Last) {
			d.Last = e.Time
		}
	}
}

func (r *Report) mergeDiag(o *Diag) {
	key := o.diagKey()
	d := r.templates[key]
	if d == nil {
		if len(r.templates) >= r.limits.Templates {
			r.Dropped.Templates += o.Count
			return
		}
		cp := *o
		cp.Domains = newDistinct(64, 10)
		cp.Domains.Merge(&o.Domains)
		r.templates[key] = &cp
		return
	}
	d.Count += o.Count
	d.Domains.Merge(&o.Domains)
	if !o.First.IsZero() && (d.First.IsZero() || o.First.Before(d.First)) {
		d.First, d.Example = o.First, o.Example // the earliest example, as one run keeps it
	}
	if o.Last.After(d.Last) {
		d.Last = o.Last
	}
}

func sortDiags(ds []*Diag) {
	sort.Slice(ds, func(i, j int) bool {
		a, b := ds[i], ds[j]
		if a.Count != b.Count {
			return a.Count > b.Count
		}
		return a.key() < b.key()
	})
}

// Template reduces a diagnostic text to its shape, so that the same reply
// sent for different recipients, hosts and message ids counts as one:
// e-mail addresses become <addr>, IP addresses <ip>, host names <host>
// (except the blocklist after "using", as in "blocked using
// zen.spamhaus.org"), URLs keep their host only, and tokens holding digits
// (numbers, ids, dates, times) become #; reply and enhanced codes and
// provider tags such as TSS04 stay.
func Template(text string) string {
	var buf [512]byte
	return string(appendTemplate(buf[:0], text))
}

// appendTemplate appends Template(text) to dst. A token none of whose
// bytes is one that shape looks at (white space aside: [ ] @ . : and
// digits; tokenClass) is its own shape, so it is copied as it is, and a
// run of such tokens one space apart is copied at once; the other tokens
// are shaped. A text with a byte beyond ASCII is split as strings.Fields
// splits (Unicode white space too) and every token shaped. The ASCII
// test is folded into the split (TestTemplateSameAsRef holds all this to
// the tokenwise form it replaced; BenchmarkTemplate, distinct failure
// texts of the 1M-line Exim log: 1500 -> 970 cpu-ns a text).
func appendTemplate(dst []byte, text string) []byte {
	if len(text) > 400 {
		text = text[:400]
	}
	start := len(dst)
	prev := ""
	runFrom, runTo := 0, -1 // text[runFrom:runTo]: plain tokens not yet copied
	for i := 0; ; {
		for i < len(text) && tokenClass(text[i]) == classSpace {
			i++
		}
		if i == len(text) {
			break
		}
		j := i
		var class uint8
		for ; j < len(text); j++ {
			c := tokenClass(text[j])
			if c == classSpace {
				break
			}
			class |= c
		}
		if class&classHigh != 0 {
			return appendTemplateFields(dst[:start], text)
		}
		tok := text[i:j]
		switch {
		case class == 0 && runTo >= 0 && runTo+1 == i && text[runTo] == ' ':
			runTo = j // one space from the run: the run goes on
		case class == 0:
			dst = appendRun(dst, start, text[runFrom:max(runTo, runFrom)])
			runFrom, runTo = i, j
		default:
			dst = appendRun(dst, start, text[runFrom:max(runTo, runFrom)])
			runTo = -1
			if len(dst) > start {
				dst = append(dst, ' ')
			}
			dst = shape(dst, tok, prev)
		}
		prev = tok
		i = j
	}
	return appendRun(dst, start, text[runFrom:max(runTo, runFrom)])
}

// appendRun appends tokens copied as they are ("" none), after a space
// when the template (from start) holds tokens already.
func appendRun(dst []byte, start int, run string) []byte {
	if run == "" {
		return dst
	}
	if len(dst) > start {
		dst = append(dst, ' ')
	}
	return append(dst, run...)
}

// appendTemplateFields is appendTemplate for a text with bytes beyond
// ASCII: split as strings.Fields splits, every token shaped.
func appendTemplateFields(dst []byte, text string) []byte {
	start := len(dst)
	prev := ""
	for _, tok := range strings.Fields(text) {
		if len(dst) > start {
			dst = append(dst, ' ')
		}
		dst = shape(dst, tok, prev)
		prev = tok
	}
	return dst
}

// What tokenClass says of a byte.
const (
	classSpace   = 1 // ASCII white space (isSpace): between tokens
	classSpecial = 2 // [ ] @ . : or a digit: the token must be shaped
	classHigh    = 4 // beyond ASCII
)

// tokenClasses is the class of each ASCII byte (tokenClass).
const tokenClasses = "" +
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01\x01\x01\x01\x01\x00\x00" + // 00-0f
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" + // 10-1f
	"\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00" + // 20-2f
	"\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x00\x00\x00\x00\x00" + // 30-3f
	"\x02\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" + // 40-4f
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\x02\x00\x00" + // 50-5f
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" + // 60-6f
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" // 70-7f

// tokenClass is the class of byte c: classSpace, classSpecial,
// classHigh, or 0 for a byte that leaves a token as it is.
func tokenClass(c byte) uint8 {
	if c >= 0x80 {
		return classHigh
	}
	return tokenClasses[c]
}

// isPunct is what is cut from both ends of a token before it is shaped.
func isPunct(c byte) bool {
	switch c {
	case '<', '>', '(', ')', '[', ']', '{', '}', ',', ';', ':', '.', '"', '\'':
		return true
	}
	return false
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
}

// shape appends the shape of one token to b.
func shape(b []byte, tok, prev string) []byte {
	// host[ip]:port and similar: shape the parts on each side of a bracket
	if i := indexBracket(tok); i > 0 && i < len(tok)-1 {
		b = shape(b, tok[:i], prev)
		b = shape(b, tok[i:i+1], "")
		return shape(b, tok[i+1:], "")
	}
	lead, end := 0, len(tok)
	for lead < end && isPunct(tok[lead]) {
		lead++
	}
	for end > lead && isPunct(tok[end-1]) {
		end--
	}
	if lead == end {
		return append(b, tok...)
	}
	trim, pre, post := tok[lead:end], tok[:lead], tok[end:]
	// one look at the bytes decides which of the tests below can hold
	var at, dot, colon, digit bool
	for i := 0; i < len(trim); i++ {
		switch c := trim[i]; {
		case c == '@':
			at = true
		case c == '.':
			dot = true
		case c == ':':
			colon = true
		case c >= '0' && c <= '9':
			digit = true
		}
	}
	mid := ""
	switch {
	case strings.HasPrefix(trim, "http://") || strings.HasPrefix(trim, "https://"):
		u := trim[strings.Index(trim, "//")+2:]
		if i := strings.IndexAny(u, "/?#"); i >= 0 {
			u = u[:i]
		}
		b = append(b, pre...)
		b = append(b, "https://"...)
		b = append(b, u...)
		b = append(b, "/…"...)
		return append(b, post...)
	case at:
		pre = strings.TrimSuffix(pre, "<")
		post = strings.TrimPrefix(post, ">")
		mid = "<addr>"
	case (dot || colon) && isIP(trim):
		mid = "<ip>"
	case dot && isHost(trim) && !keepHost(trim, prev):
		mid = "<host>"
	case digit && !(isCode(trim) && codeHere(trim, pre, prev)):
		mid = "#"
	default:
		return append(b, tok...)
	}
	b = append(b, pre...)
	b = append(b, mid...)
	return append(b, post...)
}

// indexBracket is strings.IndexAny(s, "[]").
func indexBracket(s string) int {
	for i := 0; i < len(s); i++ {
		if s[i] == '[' || s[i] == ']' {
			return i
		}
	}
	return -1
}

// codeHere tells whether a 3-digit number shaped like a reply code
// stands where one may: not inside brackets ("[123]") and not right after
// a host name ("[mx1.example.net 123]", the trailer some providers add):
// there it is an id, and kept as it is every reply would be a template
// of its own. Enhanced codes and provider tags ("[TSS04]") stay anywhere.
func codeHere(code, pre, prev string) bool {
	if len(code) != 3 {
		return true
	}
	if strings.IndexByte(pre, '[') >= 0 {
		return false
	}
	p := strings.TrimLeft(prev, "[(<")
	return !isHost(p)
}

// isCode keeps reply and enhanced status codes ("550", "5.7.1") and
// provider tags like "TSS04" recognisable.
func isCode(s string) bool {
	if len(s) == 3 && s[0] >= '2' && s[0] <= '5' && hasOnly(s, "0123456789") {
		return true
	}
	if len(s) >= 5 && len(s) <= 9 && (s[0] == '2' || s[0] == '4' || s[0] == '5') && s[1] == '.' && hasOnly(s, "0123456789.") && strings.Count(s, ".") == 2 {
		return true
	}
	if len(s) >= 4 && len(s) <= 6 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z' {
		return hasOnly(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
	}
	return false
}

// isHost: a dotted name with a letter-only last label of 2+ letters
// (mx1.example.com, gmail-smtp-in.l.google.com), not a file or a word
// with a full stop.
func isHost(s string) bool {
	dot := strings.LastIndexByte(s, '.')
	if dot <= 0 || dot == len(s)-1 {
		return false
	}
	tld := s[dot+1:]
	if len(tld) < 2 {
		return false
	}
	for i := 0; i < len(tld); i++ {
		if c := tld[i] | 0x20; c < 'a' || c > 'z' {
			return false
		}
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == '_') {
			return false
		}
	}
	// a word ending a sentence has no inner dot; names have at least one
	// label before the last: "example.com"; skip common file names
	for _, ext := range [...]string{"txt", "html", "htm", "php", "log", "exe", "zip", "pdf", "doc"} {
		if strings.EqualFold(tld, ext) {
			return false
		}
	}
	return true
}

// keepHost keeps blocklist names: after "using" (Postfix), or a name of a
// well-known list service after "at"/"in" (Exim's "in a black list at").
func keepHost(name, prev string) bool {
	if strings.EqualFold(prev, "using") {
		return true
	}
	n := lower(name) // ASCII only (isHost)
	for _, m := range []string{"spamhaus", "spamcop", "barracuda", "sorbs", "uceprotect", "abuseat", "mailspike", "surbl", "dnsbl", "rbl", "blocklist", "blacklist"} {
		if strings.Contains(n, m) {
			return true
		}
	}
	return false
}

func isIP(s string) bool {
	dots, colons, other := 0, 0, false
	hex := true
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '.':
			dots++
		case c == ':':
			colons++
		case c >= '0' && c <= '9':
		case c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F':
			other = true
		default:
			other, hex = true, false
		}
	}
	if dots == 3 && colons == 0 && !other {
		return true
	}
	return colons >= 2 && (colons == 7 || strings.Contains(s, "::")) && hex
}

func hasOnly(s, set string) bool {
	for i := 0; i < len(s); i++ {
		if strings.IndexByte(set, s[i]) < 0 {
			return false
		}
	}
	return true
}

func itoa(n int) string { return strconv.Itoa(n) }

// textSlots is the size of Report.texts.
const textSlots = 8192

// textSlot is what Report.texts remembers of a text.
type textSlot struct {
	hash  uint64 // maphash of text: most texts compared are not the slot's, and this says so without reading them
	text  []byte // the text, in memory of the slot's own that the next text of the slot reuses
	tpl   string // Template(text)
	diag  *Diag  // the template the last event with this text went to, or nil
	restr string // restriction of a reject with this text at stage restrStage, or ""
	stage bouncescan.Stage
	used  uint32 // Report.textClock when last used
}

// textSlot gives the slot of text in Report.texts, a two-way
// set-associative cache of the texts seen last (by a maphash of the
// text; a new text takes the slot of the two used less recently): a
// deferral repeated on every retry has the same text each time (on the
// 1M-line benchmark log 73% of failure texts are repeats), and Template
// costs about a microsecond. A new text costs no allocation once the
// slots have memory for their texts and its template was seen before
// (templateOf).
func (r *Report) textSlot(text string) *textSlot {
	if r.texts == nil {
		r.texts = make([]textSlot, textSlots)
	}
	r.textClock++
	h := maphash.String(r.seed, text)
	i := h & (textSlots - 2)
	sl := &r.texts[i]
	if sl.hash != h || string(sl.text) != text {
		if o := &r.texts[i+1]; o.hash == h && string(o.text) == text {
			sl = o
		} else {
			if o.used < sl.used {
				sl = o
			}
			*sl = textSlot{hash: h, text: append(sl.text[:0], text...), tpl: r.templateOf(text)}
		}
	}
	sl.used = r.textClock
	return sl
}

// maxTemplateStrings bounds Report.tplStrings.
const maxTemplateStrings = 4 * textSlots

// templateOf is Template(text), made in a buffer of the report's and
// given as the string made for the same template before, if any: the
// texts of the report's text cache that are new are mostly new texts of
// templates met already (on the 1M-line Exim log, 130 000 texts, 91
// templates). It remembers the strings of at most maxTemplateStrings
// templates; beyond, each is a string of its own.
func (r *Report) templateOf(text string) string {
	r.tplBuf = appendTemplate(r.tplBuf[:0], text)
	if s, ok := r.tplStrings[string(r.tplBuf)]; ok {
		return s
	}
	s := string(r.tplBuf)
	if len(r.tplStrings) < maxTemplateStrings {
		if r.tplStrings == nil {
			r.tplStrings = map[string]string{}
		}
		r.tplStrings[s] = s
	}
	return s
}

// lower is strings.ToLower(s) for a string holding an ASCII capital
// letter, else s (no copy). It looks at 8 bytes at a time.
func lower(s string) string {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	i := 0
	for ; i+8 <= len(s); i += 8 {
		w := uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
			uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
		if w&highs != 0 {
			break // a byte beyond ASCII: the sums below would carry
		}
		// the high bit of a byte is set where it is >= 'A' and <= 'Z'
		if (w+(0x80-'A')*ones)&^(w+(0x80-'Z'-1)*ones)&highs != 0 {
			return strings.ToLower(s)
		}
	}
	for ; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			return strings.ToLower(s)
		}
	}
	return s
}
