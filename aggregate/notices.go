package aggregate

import "strings"

// Notices counts the lines an MTA wrote about itself or about a message
// without an outcome: Postfix's warnings, errors, fatal errors and panics
// (the sections pflogsumm shows), and reject_warning lines (a restriction
// in warn-only mode, that would have refused the mail). ByText groups them
// by severity and text template ("warning smtpd: hostname <host> does
// not resolve to address <ip>"), bounded like the other top lists.
type Notices struct {
	BySeverity Counts `json:"by_severity"`
	ByText     Counts `json:"by_text"`
}

func (n *Notices) init() {
	if n.BySeverity == nil {
		n.BySeverity = Counts{}
	}
	if n.ByText == nil {
		n.ByText = Counts{}
	}
}

// Notice counts one notice: its severity ("warning", "reject_warning",
// "error", "fatal", "panic") and its text ("smtpd: hostname … does not
// resolve …"), kept as a template of at most 100 bytes. Like the input
// counters (Unparsed, Foreign) and unlike Add, it is called by the reading
// stage of a run: it touches nothing that Add touches.
func (r *Report) Notice(severity, text string) {
	r.Notices.BySeverity[severity]++
	r.Notices.ByText.addBounded(severity+" "+cutTemplate(Template(text), 100), 1, r.limits.Top, &r.Dropped.Notices)
}

func (n *Notices) merge(r *Report, o *Notices) {
	n.BySeverity.add(o.BySeverity)
	for k, c := range o.ByText {
		n.ByText.addBounded(k, c, r.limits.Top, &r.Dropped.Notices)
	}
}

// Total is the number of notices of every severity.
func (n *Notices) Total() int64 {
	var t int64
	for _, c := range n.BySeverity {
		t += c
	}
	return t
}

// cutTemplate cuts a template to at most max bytes, at a UTF-8 boundary.
func cutTemplate(tpl string, max int) string {
	if len(tpl) <= max {
		return tpl
	}
	tpl = tpl[:max]
	for len(tpl) > 0 && tpl[len(tpl)-1]&0xC0 == 0x80 {
		tpl = tpl[:len(tpl)-1]
	}
	if len(tpl) > 0 && tpl[len(tpl)-1] >= 0xC0 {
		tpl = tpl[:len(tpl)-1]
	}
	return strings.TrimRight(tpl, " ")
}
