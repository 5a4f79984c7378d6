package classify

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/bouncescan/bouncescan"
)

// ErrBadInput is wrapped by every error about a line given to
// `bouncescan classify`.
var ErrBadInput = errors.New("bad input line")

// InputError locates a bad input line: the 1-based line number, the
// 1-based tab-separated column (0 when the whole line is at fault) and
// that column's name.
type InputError struct {
	Line   int
	Column int
	Field  string
	Err    error
}

func (e *InputError) Error() string {
	if e.Column > 0 {
		return fmt.Sprintf("line %d, column %d (%s): %v", e.Line, e.Column, e.Field, e.Err)
	}
	return fmt.Sprintf("line %d: %v", e.Line, e.Err)
}

// Unwrap gives the cause (which wraps ErrBadInput).
func (e *InputError) Unwrap() error { return e.Err }

// tsvColumns are the columns of `--input tsv`, in order (an immutable table).
var tsvColumns = [...]string{"reply_code", "enhanced_code", "command", "diagnostic"}

// TSVColumns lists the columns of a TSV input line, in order.
func TSVColumns() []string { return tsvColumns[:] }

// IsTSVHeader reports whether line is the optional header line
// "reply_code<TAB>enhanced_code<TAB>command<TAB>diagnostic".
func IsTSVHeader(line string) bool {
	f := strings.Split(strings.TrimRight(line, "\r\n"), "\t")
	return len(f) >= 2 && strings.EqualFold(strings.TrimSpace(f[0]), tsvColumns[0]) &&
		strings.EqualFold(strings.TrimSpace(f[1]), tsvColumns[1])
}

// EventFromText is the event for a remote server's text given on its own:
// the classifier takes the codes and the stage from the text.
func EventFromText(text string) *bouncescan.Event {
	return &bouncescan.Event{Text: strings.TrimRight(text, "\r\n")}
}

// ParseTSV reads one TSV input line (reply_code, enhanced_code, command,
// diagnostic; any may be empty; missing trailing columns are empty; tabs
// after the third one belong to the diagnostic). n is the line number
// used in errors.
func ParseTSV(line string, n int) (*bouncescan.Event, error) {
	line = strings.TrimRight(line, "\r\n")
	f := strings.SplitN(line, "\t", len(tsvColumns))
	for len(f) < len(tsvColumns) {
		f = append(f, "")
	}
	bad := func(col int, format string, a ...any) error {
		return &InputError{Line: n, Column: col + 1, Field: tsvColumns[col],
			Err: fmt.Errorf("%s: %w", fmt.Sprintf(format, a...), ErrBadInput)}
	}
	e := &bouncescan.Event{Text: f[3]}
	if s := strings.TrimSpace(f[0]); s != "" {
		code, err := strconv.Atoi(s)
		if err != nil || len(s) != 3 || s[0] < '2' || s[0] > '5' {
			return nil, bad(0, "%q is not an SMTP reply code (three digits, 2xx to 5xx, e.g. 550); leave the column empty if there is none", s)
		}
		e.ReplyCode = code
	}
	if s := strings.TrimSpace(f[1]); s != "" {
		enh := normalizeEnhanced(s)
		if enh == "" {
			return nil, bad(1, "%q is not an enhanced status code (class.subject.detail, e.g. 5.1.1); leave the column empty if there is none", s)
		}
		e.EnhancedCode = enh
	}
	st, err := StageOfCommand(f[2])
	if err != nil {
		return nil, bad(2, "%v", err)
	}
	e.Stage = st
	return e, nil
}

// StageOfCommand maps the SMTP command a reply answered ("RCPT", "rcpt to",
// "DATA", "end of data", "EHLO", "connect", ...) to a stage. Commands that
// have no stage of their own (RSET, VRFY, EXPN, HELP, NOOP, QUIT, TURN,
// SEND, SOML, SAML) give StageUnknown; anything else is an error.
func StageOfCommand(cmd string) (bouncescan.Stage, error) {
	c := strings.ToLower(strings.Join(strings.Fields(cmd), " "))
	c = strings.TrimSuffix(c, ":")
	switch c {
	case "":
		return bouncescan.StageUnknown, nil
	case "connect", "connection", "greeting", "banner", "conn":
		return bouncescan.StageConnect, nil
	case "helo", "ehlo", "lhlo":
		return bouncescan.StageHelo, nil
	case "starttls", "tls":
		return bouncescan.StageStartTLS, nil
	case "auth":
		return bouncescan.StageAuth, nil
	case "mail", "mail from":
		return bouncescan.StageMail, nil
	case "rcpt", "rcpt to":
		return bouncescan.StageRcpt, nil
	case "data":
		return bouncescan.StageData, nil
	case "eod", "end of data", "end-of-data", "end of data command", ".", "dot", "bdat":
		return bouncescan.StageEndOfData, nil
	case "local":
		return bouncescan.StageLocal, nil
	case "rset", "vrfy", "expn", "help", "noop", "quit", "turn", "send", "soml", "saml", "unknown":
		return bouncescan.StageUnknown, nil
	}
	return bouncescan.StageUnknown, fmt.Errorf("unknown SMTP command %q (use CONNECT, HELO, EHLO, STARTTLS, AUTH, MAIL, RCPT, DATA, EOD for end of data, or leave it empty)", strings.TrimSpace(cmd))
}
