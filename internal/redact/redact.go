// Package redact hides the people in bounce data while keeping it
// joinable: the local part of every mail address is replaced by a keyed
// hash of it (the same address gives the same hash under the same key),
// the domain is kept. Addresses inside free text (an SMTP reply quoting
// the recipient) are found and replaced the same way.
//
// What is not redacted: domains, host names, IP addresses, queue ids,
// message ids, file names, and a local part that a text gives without its
// domain ("user bob unknown"): nothing marks it as an address.
package redact

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"hash"
	"strings"

	"github.com/bouncescan/bouncescan"
)

// ErrNoKey is returned by New without a key.
var ErrNoKey = errors.New("redaction needs a key")

// Prefix starts every hashed local part, so that a reader can tell a
// redacted address from a real one.
const Prefix = "h."

// hashLen is the number of hex digits kept of the HMAC (64 bits: no
// collision among billions of addresses in practice).
const hashLen = 16

// Redactor rewrites addresses with one key. Not safe for concurrent use
// (it reuses its HMAC state and buffers).
type Redactor struct {
	mac  hash.Hash
	sum  []byte
	buf  []byte
	hexb [hashLen]byte
}

// New makes a Redactor for key (which must not be empty).
func New(key []byte) (*Redactor, error) {
	if len(key) == 0 {
		return nil, ErrNoKey
	}
	return &Redactor{mac: hmac.New(sha256.New, key)}, nil
}

// Local returns the redacted form of a local part: Prefix and 16 hex
// digits of HMAC-SHA256(key, lower-cased local part). Local parts are
// folded to lower case first, so that Bob@ and bob@ join (MTAs differ in
// the case they log).
func (r *Redactor) Local(local string) string {
	r.buf = appendLower(r.buf[:0], local)
	r.mac.Reset()
	r.mac.Write(r.buf)
	r.sum = r.mac.Sum(r.sum[:0])
	hex.Encode(r.hexb[:], r.sum[:hashLen/2])
	return Prefix + string(r.hexb[:])
}

// Address redacts one address field: local@domain becomes
// h.<hash>@domain; a value without @ (a bare local part, a file or pipe
// an alias delivered to) is hashed whole. Empty stays empty; "<>" (the
// null sender) is kept.
func (r *Redactor) Address(addr string) string {
	if addr == "" || addr == "<>" {
		return addr
	}
	at := strings.LastIndexByte(addr, '@')
	if at < 0 {
		return r.Local(addr)
	}
	if strings.HasPrefix(addr[:at], Prefix) && len(addr[:at]) == len(Prefix)+hashLen {
		return addr // already redacted
	}
	return r.Local(addr[:at]) + addr[at:]
}

// Text masks every address inside free text (local@domain with a dotted
// domain, or local@[ip]): the local part becomes its keyed hash, as
// Address does, so a quoted recipient still matches the recipient column.
func (r *Redactor) Text(s string) string {
	if strings.IndexByte(s, '@') < 0 {
		return s
	}
	var b strings.Builder
	last := 0
	for i := 0; i < len(s); i++ {
		if s[i] != '@' {
			continue
		}
		start := i
		for start > last && isLocalByte(s[start-1]) {
			start--
		}
		end := domainEnd(s, i+1)
		if start == i || end == i+1 {
			continue
		}
		local := s[start:i]
		if strings.HasPrefix(local, Prefix) && len(local) == len(Prefix)+hashLen {
			i = end - 1
			continue
		}
		b.WriteString(s[last:start])
		b.WriteString(r.Local(local))
		last = i
		i = end - 1
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// Event redacts the fields of e that hold addresses (sender, recipient,
// original recipient) and masks addresses in its text and in the
// verdict's evidence.
func (r *Redactor) Event(e *bouncescan.Event) {
	e.Sender = r.Address(e.Sender)
	e.Recipient = r.Address(e.Recipient)
	e.OrigRecipient = r.Address(e.OrigRecipient)
	e.Text = r.Text(e.Text)
	if v := e.Verdict; v != nil {
		v.Evidence = r.Text(v.Evidence)
	}
}

// isLocalByte reports whether c may be part of an unquoted local part
// (RFC 5322 atext and the dot), as addresses appear in log text.
func isLocalByte(c byte) bool {
	switch {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		return true
	case c >= 0x80: // UTF-8 local parts (RFC 6531)
		return true
	}
	return strings.IndexByte(".!#$%&'*+/=?^_`{|}~-", c) >= 0
}

// domainEnd returns the end of a domain starting at i (a host name,
// dotted or not as local deliveries log root@localhost, or an address
// literal in brackets), or i when there is none.
func domainEnd(s string, i int) int {
	if i < len(s) && s[i] == '[' {
		if j := strings.IndexByte(s[i:], ']'); j > 0 {
			return i + j + 1
		}
		return i
	}
	j := i
	for j < len(s) {
		c := s[j]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c >= 0x80 || c == '.' && j > i {
			j++
			continue
		}
		break
	}
	for j > i && s[j-1] == '.' {
		j--
	}
	return j
}

func appendLower(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		dst = append(dst, c)
	}
	return dst
}
