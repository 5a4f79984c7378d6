package parsekit

import (
	"bytes"
	"strconv"
	"strings"
)

// EventID builds the stable id of the idx-th event (0-based) found on the
// line at byte offset off of the input whose content fingerprint is fp:
// "fp-offset" or "fp-offset-idx". The same log content gives the same ids
// wherever it is read from (rotated, compressed, re-read after a restart).
func EventID(fp uint64, off int64, idx int) string {
	const hexDigits = "0123456789abcdef"
	var buf [48]byte
	for i := 15; i >= 0; i-- { // fixed width hex
		buf[i] = hexDigits[fp&0xf]
		fp >>= 4
	}
	buf[16] = '-'
	b := buf[:17]
	b = strconv.AppendInt(b, off, 10)
	if idx > 0 {
		b = append(b, '-')
		b = strconv.AppendInt(b, int64(idx), 10)
	}
	return string(b)
}

// Domain returns the lower-cased domain of an address ("" if none).
func Domain(addr string) string {
	i := strings.LastIndexByte(addr, '@')
	if i < 0 || i == len(addr)-1 {
		return ""
	}
	d := addr[i+1:]
	// strings.TrimRight(d, ">.") without building its cutset each call
	n := len(d)
	for n > 0 && (d[n-1] == '>' || d[n-1] == '.') {
		n--
	}
	d = d[:n]
	for j := 0; j < len(d); j++ {
		if c := d[j]; c >= 'A' && c <= 'Z' {
			return strings.ToLower(d)
		}
	}
	return d
}

// Unbracket strips one pair of angle brackets: "<a@b>" → "a@b".
func Unbracket(b []byte) []byte {
	if len(b) >= 2 && b[0] == '<' && b[len(b)-1] == '>' {
		return b[1 : len(b)-1]
	}
	return b
}

// HostIP splits "host[ip]:port" or "host [ip]:port" (port optional) into
// its parts.
func HostIP(b []byte) (host, ip []byte, port int) {
	lb := bytes.IndexByte(b, '[')
	if lb < 0 {
		return bytes.TrimSpace(b), nil, 0
	}
	host = bytes.TrimSpace(b[:lb])
	rest := b[lb+1:]
	rb := bytes.IndexByte(rest, ']')
	if rb < 0 {
		return host, nil, 0
	}
	ip = rest[:rb]
	rest = rest[rb+1:]
	if len(rest) > 1 && (rest[0] == ':' || rest[0] == '.') {
		port, _ = digits(rest[1:])
	}
	return host, ip, port
}

// Field finds "key=" in b (at the start or after ", " or " ") and returns
// its value up to the next ", " (or the end). ok is false if absent.
func Field(b []byte, key string) (val []byte, ok bool) {
	for from := 0; from < len(b); {
		i := bytes.Index(b[from:], []byte(key))
		if i < 0 {
			return nil, false
		}
		i += from
		j := i + len(key)
		if j < len(b) && b[j] == '=' && (i == 0 || b[i-1] == ' ' || b[i-1] == ',') {
			v := b[j+1:]
			if k := bytes.Index(v, []byte(", ")); k >= 0 {
				v = v[:k]
			}
			return v, true
		}
		from = j
	}
	return nil, false
}
