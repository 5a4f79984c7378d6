package exchange

import (
	"bytes"

	"github.com/bouncescan/bouncescan"
	"github.com/bouncescan/bouncescan/parsers/parsekit"
)

// outcome is what one recipient-status value says.
type outcome struct {
	code          int
	enhanced, dsn string
	text          []byte // remote reply text, or Exchange's own reason
	rawText       bool   // text is not a parsed reply: copy as is
	reply         parsekit.Reply
	fqdn, ip      []byte
	stage         bouncescan.Stage
	expired       bool
}

// parseStatus reads a recipient-status value: a plain status
// ("550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP
// address lookup", "250 2.1.5 Recipient OK") or the bracketed last-error
// form "[{LRT=…};{LED=432 4.3.2 …};{MSG=…};{FQDN=…};{IP=…}]", optionally
// after a plain status ("550 4.4.7 QUEUE.Expired; message expired
// [{LED=…};…]"). The code, enhanced code and text come from the last error
// (LED) when there is one, and from the remote server's answer quoted in it
// ('… responded with: "421 4.2.1 Unable to connect."') when there is that;
// dsn is the enhanced code Exchange itself recorded.
func parseStatus(b []byte) outcome {
	var o outcome
	b = bytes.TrimSpace(b)
	b = bytes.TrimPrefix(b, []byte("Reason: "))
	prefix := b
	var led []byte
	hasLED := false
	if i := bytes.Index(b, []byte("[{")); i >= 0 {
		prefix = bytes.TrimSpace(b[:i])
		br := b[i:]
		led, hasLED = braced(br, "LED")
		o.fqdn, _ = braced(br, "FQDN")
		o.ip, _ = braced(br, "IP")
	} else if i := bytes.Index(b, []byte("{LED=")); i >= 0 {
		prefix = bytes.TrimSpace(b[:i])
		led, hasLED = braced(b[i:], "LED")
	}
	pr := parsekit.ParseReply(prefix)
	if pr.Code == 0 && pr.Enhanced == "" {
		if n := parsekit.EnhancedAt(prefix); n > 0 {
			pr.Enhanced = string(prefix[:n])
		}
	}
	o.dsn = pr.Enhanced
	if expiredStatus(prefix, pr.Enhanced) {
		o.expired = true
	}
	src := prefix
	r := pr
	if hasLED && len(bytes.TrimSpace(led)) > 0 {
		src = led
		r = parsekit.ParseReply(led)
		if o.dsn == "" {
			o.dsn = r.Enhanced // Exchange's own code for the last error
		}
		if q := quotedReply(led); q != nil {
			if rr := parsekit.ParseReply(q); rr.Code > 0 {
				r = rr
				src = q
			}
		}
	}
	if r.Code == 0 && r.Enhanced == "" && len(src) == 0 && len(prefix) > 0 {
		src = prefix
	}
	o.code, o.enhanced = r.Code, r.Enhanced
	o.reply = r
	o.text = src
	o.rawText = r.Code == 0
	if bytes.Contains(src, []byte("Failed to connect")) || bytes.Contains(src, []byte("Winsock error")) ||
		bytes.Contains(src, []byte("Connection refused")) {
		o.stage = bouncescan.StageConnect
	}
	return o
}

// expiredStatus reports whether a status says the message expired in the
// queue: Exchange's QUEUE.Expired, the RFC 3463 codes 4.4.7 and 5.4.7,
// and Exchange Online's "550 5.4.300 Message expired".
func expiredStatus(b []byte, enhanced string) bool {
	return bytes.Contains(b, []byte("QUEUE.Expired")) || enhanced == "4.4.7" || enhanced == "5.4.7" ||
		enhanced == "5.4.300" || bytes.Contains(b, []byte("Message expired"))
}

// textOf returns the text of an outcome as a string.
func (o *outcome) textOf() string {
	if o.rawText {
		return string(bytes.TrimSpace(o.text))
	}
	return o.reply.Text
}

// braced returns the value of "{KEY=value}" in b.
func braced(b []byte, key string) ([]byte, bool) {
	for from := 0; from < len(b); {
		i := bytes.Index(b[from:], []byte(key))
		if i < 0 {
			return nil, false
		}
		i += from
		j := i + len(key)
		if i > 0 && b[i-1] == '{' && j < len(b) && b[j] == '=' {
			v := b[j+1:]
			// the value ends at "};{" or "}]" or the last "}"
			if k := bytes.Index(v, []byte("};{")); k >= 0 {
				return v[:k], true
			}
			if k := bytes.Index(v, []byte("}]")); k >= 0 {
				return v[:k], true
			}
			if k := bytes.LastIndexByte(v, '}'); k >= 0 {
				return v[:k], true
			}
			return v, true
		}
		from = j
	}
	return nil, false
}

// quotedReply finds the remote server's reply quoted in an Exchange error:
// `… responded with: "454 4.7.0 Temporary authentication failure." …`.
func quotedReply(b []byte) []byte {
	i := bytes.Index(b, []byte(`responded with: "`))
	if i < 0 {
		return nil
	}
	v := b[i+len(`responded with: "`):]
	j := bytes.IndexByte(v, '"')
	if j < 0 {
		return nil
	}
	return v[:j]
}

// splitStatuses splits a recipient-status value holding one status per
// recipient. The separator is ';', but a status text has ';' of its own
// ("RESOLVER.ADR.RecipientNotFound; Recipient not found") and so does the
// bracketed form ("[{LED=…};{FQDN=…}]"): a ';' separates only outside
// brackets and braces, when what follows starts a new status (a reply
// code, an enhanced code or '['). It appends to dst.
func splitStatuses(b []byte, dst [][]byte) [][]byte {
	depth := 0
	start := 0
	for i := 0; i < len(b); i++ {
		switch b[i] {
		case '[', '{':
			depth++
		case ']', '}':
			if depth > 0 {
				depth--
			}
		case ';':
			if depth != 0 {
				continue
			}
			rest := bytes.TrimLeft(b[i+1:], " ")
			if len(rest) > 0 && (rest[0] == '[' || replyCodeAt(rest) || parsekit.EnhancedAt(rest) > 0) {
				dst = append(dst, b[start:i])
				start = i + 1
			}
		}
	}
	if start < len(b) || len(dst) == 0 {
		dst = append(dst, b[start:])
	}
	return dst
}

// replyCodeAt reports whether b starts with a reply code and a space or '-'.
func replyCodeAt(b []byte) bool {
	return len(b) >= 4 && b[0] >= '2' && b[0] <= '5' && b[1] >= '0' && b[1] <= '9' && b[2] >= '0' && b[2] <= '9' &&
		(b[3] == ' ' || b[3] == '-')
}
