package classify

import (
	"errors"
	"fmt"
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
	Commands []string         `json:"commands,omitempty"` // commands that may return it
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
	fields := strings.Fields(q)
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

func (c *Classifier) explainReply(n int) (*ReplyExplanation, error) {
	ri := c.t.replies[n]
	if ri == nil {
		return nil, fmt.Errorf("reply code %d is not in the SMTP registry (RFC 5321 and extensions); try `bouncescan explain 550` or an enhanced code such as 5.7.1: %w", n, ErrUnknownCode)
	}
	r := &ReplyExplanation{Code: n, Title: ri.Title, RFC: ri.RFC, Causes: ri.Causes, Commands: c.t.commandsFor(n)}
	if d := n / 100; d == 2 || d == 4 || d == 5 {
		r.Class = bouncescan.ClassOfDigit(byte('0' + d))
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
		return nil, fmt.Errorf("%q is not a reply code (550) or an enhanced status code (5.7.26): %w", f, ErrUnknownCode)
	}
	ci := c.t.lookupEnhanced(code)
	if ci == nil {
		return nil, fmt.Errorf("enhanced code %s is not in the IANA registry nor among the vendor codes bouncescan knows: %w", code, ErrUnknownCode)
	}
	cl, s, _, _ := splitEnhanced(code)
	e := &EnhancedExplanation{
		Code: code, Title: ci.Title, RFC: ci.RFC, Vendor: ci.Vendor, Reason: ci.Reason,
		Replies: ci.Reply, Causes: ci.Causes,
		Class: bouncescan.ClassOfDigit(byte('0' + cl)), ClassTitle: c.t.classTitle[cl],
		Subject: bouncescan.Subject(s), SubjectTitle: c.t.subjectTitle[s],
	}
	if generic {
		e.Code = "X" + code[1:]
		e.Class, e.ClassTitle = bouncescan.ClassUnknown, "any class (2 success, 4 transient, 5 permanent)"
	}
	if ci.Vendor != "" && e.RFC == "" {
		e.RFC = "vendor-specific (" + ci.Vendor + "), not in the IANA registry"
	}
	return e, nil
}
