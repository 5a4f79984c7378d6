package classify

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/bouncescan/bouncescan"
)

// ErrUnknownCode: explain was given something that is not a known SMTP
// reply code or enhanced status code.
var ErrUnknownCode = errors.New("unknown code")

// ReplyExplanation describes a basic SMTP reply code.
type ReplyExplanation struct {
	Code     int              `json:"code"`
	Title    string           `json:"title"`
	RFC      string           `json:"rfc,omitempty"`
	Class    bouncescan.Class `json:"class"`
	Category string           `json:"category"`           // RFC 5321 meaning of the second digit
	Commands []string         `json:"commands,omitempty"` // commands that may return it
	Reasons  []string         `json:"reasons,omitempty"`  // our fallback reason per stage, "stage: reason"
	Enhanced []string         `json:"enhanced,omitempty"` // enhanced codes usually sent with it, "5.1.1 (addressing): title"
	Causes   []string         `json:"causes,omitempty"`
}

// EnhancedExplanation describes an enhanced status code.
type EnhancedExplanation struct {
	Code         string             `json:"code"`
	Title        string             `json:"title"`
	RFC          string             `json:"rfc,omitempty"`
	Vendor       string             `json:"vendor,omitempty"` // set for vendor-specific codes
	Class        bouncescan.Class   `json:"class"`
	ClassTitle   string             `json:"class_title"`
	Subject      bouncescan.Subject `json:"subject"`
	SubjectTitle string             `json:"subject_title"`
	Reason       string             `json:"reason,omitempty"` // our default reason for it
	Replies      []int              `json:"replies,omitempty"`
	Commands     []string           `json:"commands,omitempty"` // commands that may return those replies
	Causes       []string           `json:"causes,omitempty"`
}

// Explanation is what `bouncescan explain` prints.
type Explanation struct {
	Query    string               `json:"query"`
	Reply    *ReplyExplanation    `json:"reply,omitempty"`
	Enhanced *EnhancedExplanation `json:"enhanced,omitempty"`
	Flags    []string             `json:"flags,omitempty"` // e.g. the two codes disagree on the class
}

// Explain explains "550", "5.7.26", "X.7.26", "421 4.7.0" or "5.7.606".
func (c *Classifier) Explain(code string) (Explanation, error) {
	q := strings.TrimSpace(code)
	ex := Explanation{Query: q}
	fields := codeFields(q)
	if len(fields) == 0 || len(fields) > 2 {
		return ex, fmt.Errorf("%q: give a reply code (550), an enhanced code (5.7.26) or both (\"421 4.7.0\"): %w", q, ErrUnknownCode)
	}
	for _, f := range fields {
		switch {
		case len(f) == 3 && isDigit(f[0]) && isDigit(f[1]) && isDigit(f[2]):
			if ex.Reply != nil {
				return ex, fmt.Errorf("%q: two reply codes: %w", q, ErrUnknownCode)
			}
			n, _ := strconv.Atoi(f)
			r, err := c.explainReply(n)
			if err != nil {
				return ex, err
			}
			ex.Reply = r
		default:
			if ex.Enhanced != nil {
				return ex, fmt.Errorf("%q: two enhanced codes: %w", q, ErrUnknownCode)
			}
			e, err := c.explainEnhanced(f)
			if err != nil {
				return ex, err
			}
			ex.Enhanced = e
		}
	}
	if ex.Reply != nil && ex.Enhanced != nil && ex.Enhanced.Class != bouncescan.ClassUnknown && ex.Reply.Class != ex.Enhanced.Class {
		ex.Flags = append(ex.Flags, FlagReplyEnhancedClass)
	}
	return ex, nil
}

// replyCategories: what the second digit of a reply code says (RFC 5321
// section 4.2.1).
var replyCategories = [10]string{
	"syntax (x0z)", "information (x1z)", "connections (x2z)", "unspecified (x3z)",
	"unspecified (x4z)", "mail system (x5z)", "", "", "", "",
}

// codeFields splits a query as people paste it from logs: "421 4.7.0",
// "421-4.7.0", "550, 5.1.1", "#5.1.1", "(5.7.1)", "5.1.1.".
func codeFields(q string) []string {
	var out []string
	for _, f := range strings.FieldsFunc(q, func(r rune) bool {
		return r == ' ' || r == '\t' || r == ',' || r == ';'
	}) {
		f = strings.Trim(f, "#()[]<>.:'\"")
		if len(f) > 4 && f[3] == '-' && isDigit(f[0]) && isDigit(f[1]) && isDigit(f[2]) {
			out = append(out, f[:3])
			f = f[4:]
		}
		if f != "" {
			out = append(out, f)
		}
	}
	return out
}

func (c *Classifier) explainReply(n int) (*ReplyExplanation, error) {
	ri := c.t.replies[n]
	if ri == nil {
		return nil, fmt.Errorf("reply code %d is not in the SMTP registry (RFC 5321 and extensions); try `bouncescan explain 550` or an enhanced code such as 5.7.1: %w", n, ErrUnknownCode)
	}
	r := &ReplyExplanation{Code: n, Title: ri.Title, RFC: ri.RFC, Causes: ri.Causes, Commands: c.t.commandsFor(n),
		Category: replyCategories[n/10%10]}
	if d := n / 100; d == 2 || d == 4 || d == 5 {
		r.Class = bouncescan.ClassOfDigit(byte('0' + d))
	}
	if d := n / 100; d == 2 || d == 4 || d == 5 {
		for _, ci := range c.t.genericList {
			if containsInt(ci.Reply, n) {
				code := strconv.Itoa(d) + ci.Code[1:]
				r.Enhanced = append(r.Enhanced, fmt.Sprintf("%s (%s): %s", code, bouncescan.SubjectOfCode(code), ci.Title))
			}
		}
	}
	for _, st := range []string{"any", "connect", "helo", "starttls", "auth", "mail", "rcpt", "data", "eod", "local"} {
		if reason, ok := ri.Reasons[st]; ok {
			r.Reasons = append(r.Reasons, st+": "+reason)
		}
	}
	return r, nil
}

func (c *Classifier) explainEnhanced(f string) (*EnhancedExplanation, error) {
	generic := false
	if strings.HasPrefix(f, "X.") || strings.HasPrefix(f, "x.") {
		generic = true
		f = "5" + f[1:]
	}
	code := normalizeEnhanced(f)
	if code == "" {
		if cl, s, _, ok := splitEnhanced(f); ok {
			if cl != 2 && cl != 4 && cl != 5 {
				return nil, fmt.Errorf("%q: the class (first number) of an enhanced status code is 2, 4 or 5: %w", f, ErrUnknownCode)
			}
			if s > 7 {
				return nil, fmt.Errorf("%q: the subject (second number) of an enhanced status code is 0 to 7: %w", f, ErrUnknownCode)
			}
		}
		return nil, fmt.Errorf("%q is neither a reply code (three digits, e.g. 550) nor an enhanced status code (class.subject.detail, e.g. 5.7.26): %w", f, ErrUnknownCode)
	}
	ci := c.t.lookupEnhanced(code)
	if ci == nil {
		return nil, fmt.Errorf("enhanced code %s is not in the IANA registry nor among the vendor codes bouncescan knows: %w", code, ErrUnknownCode)
	}
	cl, s, _, _ := splitEnhanced(code)
	e := &EnhancedExplanation{
		Code: code, Title: ci.Title, RFC: ci.RFC, Vendor: ci.Vendor, Reason: ci.Reason,
		Causes: ci.Causes,
		Class:  bouncescan.ClassOfDigit(byte('0' + cl)), ClassTitle: c.t.classTitle[cl],
		Subject: bouncescan.Subject(s), SubjectTitle: c.t.subjectTitle[s],
	}
	if generic {
		e.Code = "X" + code[1:]
		e.Class, e.ClassTitle = bouncescan.ClassUnknown, "any class (2 success, 4 transient, 5 permanent)"
	}
	// the replies that go with this class, and the commands that may
	// return them; "any command" replies (421) come last
	seen := map[string]bool{}
	anyCmd := ""
	for _, rc := range ci.Reply {
		if !generic && rc/100 != cl {
			continue
		}
		e.Replies = append(e.Replies, rc)
		if c.t.anyReply[rc] {
			anyCmd = fmt.Sprintf("any command (%d)", rc)
			continue
		}
		for _, cmd := range c.t.commandsFor(rc) {
			if !seen[cmd] {
				seen[cmd] = true
				e.Commands = append(e.Commands, cmd)
			}
		}
	}
	if anyCmd != "" {
		e.Commands = append(e.Commands, anyCmd)
	}
	if ci.Vendor != "" && e.RFC == "" {
		e.RFC = "vendor-specific (" + ci.Vendor + "), not in the IANA registry"
	}
	return e, nil
}

// WriteText writes the explanation for people.
func (ex Explanation) WriteText(w io.Writer) error {
	var b strings.Builder
	if r := ex.Reply; r != nil {
		fmt.Fprintf(&b, "%d  %s\n", r.Code, r.Title)
		if r.Code/100 == 3 {
			line(&b, "class", "intermediate (the server waits for more from the client)")
		}
		line(&b, "class", classLine(r.Class, fmt.Sprintf("%dxx", r.Code/100)))
		line(&b, "category", r.Category)
		line(&b, "defined in", r.RFC)
		line(&b, "returned by", listOr(r.Commands, "no command lists it as a valid reply"))
		line(&b, "reason", strings.Join(r.Reasons, ", "))
		if len(r.Enhanced) > 0 {
			codes := make([]string, len(r.Enhanced))
			for i, e := range r.Enhanced {
				codes[i], _, _ = strings.Cut(e, " ")
			}
			line(&b, "sent with", wrap(strings.Join(codes, ", "), 62, strings.Repeat(" ", 15)))
		}
		causes(&b, r.Causes)
	}
	if e := ex.Enhanced; e != nil {
		if ex.Reply != nil {
			b.WriteByte('\n')
		}
		fmt.Fprintf(&b, "%s  %s\n", e.Code, e.Title)
		if e.Class == bouncescan.ClassUnknown {
			line(&b, "class", e.ClassTitle)
		} else {
			line(&b, "class", classLine(e.Class, e.Code[:1]+".x.x: "+e.ClassTitle))
		}
		line(&b, "subject", fmt.Sprintf("%s (%s)", e.Subject, e.SubjectTitle))
		line(&b, "defined in", e.RFC)
		if len(e.Replies) > 0 {
			rs := make([]string, len(e.Replies))
			for i, r := range e.Replies {
				rs[i] = strconv.Itoa(r)
			}
			line(&b, "sent with", strings.Join(rs, ", "))
		}
		line(&b, "returned by", strings.Join(e.Commands, ", "))
		line(&b, "reason", e.Reason)
		causes(&b, e.Causes)
	}
	for _, f := range ex.Flags {
		if f == FlagReplyEnhancedClass {
			fmt.Fprintf(&b, "\nnote: the reply code and the enhanced code disagree on the class (%s vs %s); bouncescan trusts the reply code and flags it %q\n",
				ex.Reply.Class, ex.Enhanced.Class, f)
			continue
		}
		fmt.Fprintf(&b, "\nflag: %s\n", f)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func line(b *strings.Builder, key, val string) {
	if val != "" {
		fmt.Fprintf(b, "  %-12s %s\n", key+":", val)
	}
}

func causes(b *strings.Builder, cs []string) {
	if len(cs) == 0 {
		return
	}
	b.WriteString("  common causes:\n")
	for _, c := range cs {
		fmt.Fprintf(b, "    - %s\n", c)
	}
}

// classLine: "permanent (5xx: do not retry as is)".
func classLine(c bouncescan.Class, what string) string {
	switch c {
	case bouncescan.ClassPermanent:
		return fmt.Sprintf("permanent (%s; do not retry as is)", what)
	case bouncescan.ClassTransient:
		return fmt.Sprintf("transient (%s; retry later)", what)
	case bouncescan.ClassSuccess:
		return fmt.Sprintf("success (%s)", what)
	}
	return ""
}

// wrap breaks s after commas so that no line is longer than width; the
// lines after the first start with indent.
func wrap(s string, width int, indent string) string {
	var b strings.Builder
	n := 0
	for i, part := range strings.Split(s, ", ") {
		if i > 0 {
			if n+2+len(part) > width {
				b.WriteString(",\n" + indent)
				n = 0
			} else {
				b.WriteString(", ")
				n += 2
			}
		}
		b.WriteString(part)
		n += len(part)
	}
	return b.String()
}

func listOr(l []string, none string) string {
	if len(l) == 0 {
		return none
	}
	return strings.Join(l, ", ")
}
