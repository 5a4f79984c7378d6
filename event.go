// Package bouncescan holds the vocabulary every other package speaks: the
// Event a parser produces for one recipient outcome, the Verdict the
// classifier attaches to it, and the errors that describe bad input.
package bouncescan

import (
	"fmt"
	"time"
)

// Status is what the MTA says happened to one recipient.
type Status uint8

// Recipient outcomes, as logged by the MTA.
const (
	StatusUnknown   Status = iota
	StatusSent             // delivered (accepted by the next hop or a local mailbox)
	StatusDeferred         // temporary failure, will be retried
	StatusBounced          // permanent failure, a non-delivery notice follows
	StatusExpired          // gave up after retrying for the queue lifetime
	StatusRejected         // refused by our own SMTP server (NOQUEUE, rejected RCPT)
	StatusDiscarded        // silently dropped on purpose (discard transport, filter)
	StatusHeld             // parked in the hold / quarantine queue
	StatusFiltered         // marked or quarantined as spam by the receiving system
	StatusPending          // still in flight (message trace exports)
	// StatusProbe is an address verification probe (Postfix verify(8),
	// sendmail -bv): the MTA asked whether a recipient would be taken and
	// sent nothing; the reply (or DSN) says whether it was deliverable.
	StatusProbe
	statusCount
)

var statusNames = [statusCount]string{"unknown", "sent", "deferred", "bounced", "expired", "rejected", "discarded", "held", "filtered", "pending", "probe"}

// String returns the lower-case name used in reports and JSON.
func (s Status) String() string {
	if s < statusCount {
		return statusNames[s]
	}
	return fmt.Sprintf("status(%d)", uint8(s))
}

// ParseStatus maps a name (as written by String, or by an MTA such as
// Postfix's status=) to a Status. Unknown names give StatusUnknown, false.
func ParseStatus(name string) (Status, bool) {
	for i, n := range statusNames {
		if n == name {
			return Status(i), true
		}
	}
	switch name {
	case "delivered", "relayed":
		return StatusSent, true
	case "deferral", "delayed":
		return StatusDeferred, true
	case "failed", "bounce", "undeliverable":
		return StatusBounced, true
	case "reject":
		return StatusRejected, true
	}
	return StatusUnknown, false
}

// Statuses lists every status in a stable order, for reports.
func Statuses() []Status {
	out := make([]Status, 0, statusCount)
	for s := StatusUnknown; s < statusCount; s++ {
		out = append(out, s)
	}
	return out
}

// MarshalText makes Status appear by name in JSON.
func (s Status) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText reads a Status back from its name.
func (s *Status) UnmarshalText(b []byte) error {
	v, ok := ParseStatus(string(b))
	if !ok {
		return fmt.Errorf("unknown status %q", b)
	}
	*s = v
	return nil
}

// Stage is the point of the SMTP dialogue (or local delivery) at which the
// reply in an Event was given.
type Stage uint8

// SMTP stages. StageLocal is delivery to a local mailbox, pipe or program;
// StageUnknown means the log did not say.
const (
	StageUnknown   Stage = iota
	StageConnect         // greeting / connection level (incl. refused, timed out, lost)
	StageHelo            // HELO / EHLO / LHLO
	StageStartTLS        // STARTTLS and the TLS handshake
	StageAuth            // AUTH
	StageMail            // MAIL FROM
	StageRcpt            // RCPT TO
	StageData            // DATA command
	StageEndOfData       // the reply after the final dot
	StageLocal           // local delivery agent
	stageCount
)

var stageNames = [stageCount]string{"", "connect", "helo", "starttls", "auth", "mail", "rcpt", "data", "eod", "local"}

// String returns the short name (empty for StageUnknown).
func (s Stage) String() string {
	if s < stageCount {
		return stageNames[s]
	}
	return fmt.Sprintf("stage(%d)", uint8(s))
}

// ParseStage maps a name (as written by String, or a common spelling such as
// "ehlo", "end-of-data", "RCPT TO") to a Stage.
func ParseStage(name string) (Stage, bool) {
	for i, n := range stageNames {
		if i > 0 && n == name {
			return Stage(i), true
		}
	}
	switch name {
	case "ehlo", "lhlo", "HELO", "EHLO", "LHLO":
		return StageHelo, true
	case "end-of-data", "end of data", "end of DATA", "dot":
		return StageEndOfData, true
	case "MAIL", "MAIL FROM", "mail from":
		return StageMail, true
	case "RCPT", "RCPT TO", "rcpt to":
		return StageRcpt, true
	case "DATA":
		return StageData, true
	case "greeting", "banner", "CONNECT":
		return StageConnect, true
	case "STARTTLS", "tls":
		return StageStartTLS, true
	case "AUTH":
		return StageAuth, true
	case "":
		return StageUnknown, true
	}
	return StageUnknown, false
}

// MarshalText makes Stage appear by name in JSON.
func (s Stage) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText reads a Stage back from its name.
func (s *Stage) UnmarshalText(b []byte) error {
	v, ok := ParseStage(string(b))
	if !ok {
		return fmt.Errorf("unknown stage %q", b)
	}
	*s = v
	return nil
}

// Event is one recipient outcome (or one rejected attempt) found in a log.
// Parsers fill the fields they can; zero values mean "not in the log".
type Event struct {
	// ID is stable for the same log content: source fingerprint, byte
	// offset of the line and the index of the event within the line.
	ID     string    `json:"id"`
	Time   time.Time `json:"time"`
	Host   string    `json:"host,omitempty"`   // host that wrote the log line
	MTA    string    `json:"mta"`              // parser name: postfix, exim, …
	Source string    `json:"source,omitempty"` // file name as given, "-" for stdin
	Line   int64     `json:"line"`             // 1-based line number in Source
	Offset int64     `json:"offset"`           // byte offset of the line in the uncompressed stream

	QueueID   string `json:"queue_id,omitempty"`
	MessageID string `json:"message_id,omitempty"`
	Sender    string `json:"sender,omitempty"`
	Size      int64  `json:"size,omitempty"`

	Recipient     string `json:"recipient,omitempty"`
	OrigRecipient string `json:"orig_recipient,omitempty"`
	Domain        string `json:"domain,omitempty"` // recipient domain, lower-case

	Process   string  `json:"process,omitempty"` // e.g. postfix/smtp, smtpd, qmgr
	Relay     string  `json:"relay,omitempty"`   // next-hop host name (or "local", "none")
	RelayIP   string  `json:"relay_ip,omitempty"`
	RelayPort int     `json:"relay_port,omitempty"`
	Delay     float64 `json:"delay,omitempty"` // seconds, as logged
	// Attempt numbers the outcomes of this recipient of this message
	// (queue id) the parser has joined, 1 for the first: deferred twice
	// then sent gives 1, 2, 3. An expiry counts as the attempt after the
	// last deferral (deferred twice then expired: 1, 2, 3), whether the
	// MTA logs it per recipient or once for the message. Outcomes of
	// logs that show no retries of a message (rejections, SMTP protocol
	// logs, message trace exports) are 1. 0 means unknown: the parser had
	// to drop deferrals of the message to stay within its memory bounds
	// (see parsekit.Deferrals), or the event is not a recipient outcome.
	Attempt int `json:"attempt,omitempty"`

	Status       Status `json:"status"`
	Stage        Stage  `json:"stage,omitempty"`
	ReplyCode    int    `json:"reply_code,omitempty"`    // basic SMTP reply code (last line of the reply)
	EnhancedCode string `json:"enhanced_code,omitempty"` // RFC 3463 code given by the remote server
	DSN          string `json:"dsn,omitempty"`           // status code the MTA recorded (Postfix dsn=, Sendmail dsn=)
	Text         string `json:"text,omitempty"`          // remote server's text (multi-line replies joined), or the MTA's own reason

	// NextQueueID is the queue id the next hop gave the message when this
	// outcome is a hand-off ("250 2.0.0 Ok: queued as 4F1A…" from a content
	// filter or relay whose own log lines may be in the same input).
	NextQueueID string `json:"next_queue_id,omitempty"`
	// Hop marks an internal hand-off (to a content filter on loopback, to
	// the mailbox transport of the same organisation): the message's real
	// outcome is a later event, linked by NextQueueID or MessageID, and
	// reports do not count a hop as a delivery.
	Hop bool `json:"hop,omitempty"`

	Verdict *Verdict `json:"verdict,omitempty"`
}

// Pos locates a line in its source.
type Pos struct {
	Source string // file name as given by the user, "-" for stdin
	Line   int64  // 1-based
	Offset int64  // byte offset of the first byte of the line (uncompressed)
}

func (p Pos) String() string {
	if p.Line > 0 {
		return fmt.Sprintf("%s:%d", p.Source, p.Line)
	}
	return p.Source
}
