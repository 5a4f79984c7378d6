package exim

import (
	"bytes"
)

// fields are the KEY=value items Exim writes between the address and the
// message of a delivery or rejection line (log_selector decides which):
// R=router T=transport H=host [ip]:port I=[ip]:port X=tls CV=yes DN="…"
// K C="250 …" QT=1s DT=0s F=<sender> P=<return path> U=user, and the
// "defer (errno)[: strerror]" of a deferral.
type fields struct {
	router, transport []byte
	hasHost           bool
	host, helo, ip    []byte
	port              int
	conf              []byte // C="…": the remote server's confirmation
	from              []byte // F=<…> or P=<…>
	qt                []byte // QT=: time on the queue
	deferred          bool   // "defer (n)" seen
	strerror          []byte // ": strerror" after "defer (n)"
	text              []byte // the message after ": " (may be empty)
	rest              []byte // what follows the fields when it is no message (rejection verbs)
}

// parse reads fields from b until a ": " introduces the message or a word
// that is no field starts (then f.rest holds it).
func (f *fields) parse(b []byte) {
	for {
		b = bytes.TrimLeft(b, " ")
		if len(b) == 0 {
			return
		}
		if b[0] == ':' {
			f.text = bytes.TrimSpace(b[1:])
			return
		}
		if bytes.HasPrefix(b, []byte("routing defer (")) {
			b = b[len("routing "):]
		}
		if bytes.HasPrefix(b, []byte("defer (")) {
			j := bytes.IndexByte(b, ')')
			if j < 0 {
				f.text = b
				return
			}
			f.deferred = true
			b = b[j+1:]
			if bytes.HasPrefix(b, []byte(": ")) {
				// "defer (110): Connection timed out H=h [ip]: message"
				b = b[2:]
				h := bytes.Index(b, []byte(" H="))
				c := bytes.Index(b, []byte(": "))
				if h >= 0 && (c < 0 || h < c) {
					f.strerror = b[:h]
					b = b[h:]
					continue
				}
				f.text = bytes.TrimSpace(b)
				return
			}
			continue
		}
		k := keyLen(b)
		if k == 0 {
			if w := flagWord(b); w > 0 {
				b = b[w:]
				continue
			}
			f.rest = b
			return
		}
		key, v := b[:k], b[k+1:]
		if len(v) > 0 && v[0] == '"' {
			end := closingQuote(v)
			var val []byte
			if end < 0 {
				val, b = v[1:], nil
			} else {
				val, b = v[1:end], v[end+1:]
			}
			f.set(key, val)
			continue
		}
		if len(key) == 1 && key[0] == 'H' {
			b = f.hostField(v)
			continue
		}
		sp := bytes.IndexByte(v, ' ')
		var val []byte
		if sp < 0 {
			val, b = v, nil
		} else {
			val, b = v[:sp], v[sp:]
		}
		if n := len(val); n > 0 && val[n-1] == ':' {
			f.set(key, val[:n-1])
			f.text = bytes.TrimSpace(b)
			return
		}
		f.set(key, val)
	}
}

func (f *fields) set(key, val []byte) {
	switch string(key) {
	case "R":
		f.router = val
	case "T":
		f.transport = val
	case "C":
		f.conf = val
	case "F", "P":
		if f.from == nil || key[0] == 'F' {
			f.from = val
		}
	case "QT":
		f.qt = val
	}
}

// hostField reads the value of H=: "name [ip]:port", "name (helo) [ip]",
// "(helo) [ip]", "[ip]:port", each optionally followed by '*' (a reused
// connection). It returns what follows.
func (f *fields) hostField(v []byte) []byte {
	f.hasHost = true
	if len(v) > 0 && v[0] != '[' && v[0] != '(' {
		end := 0
		for end < len(v) && v[end] != ' ' {
			end++
		}
		name := v[:end]
		if n := len(name); n > 0 && name[n-1] == ':' { // "H=localhost: message"
			f.host = name[:n-1]
			return v[end-1:]
		}
		f.host = name
		v = v[end:]
		if !bytes.HasPrefix(v, []byte(" (")) && !bytes.HasPrefix(v, []byte(" [")) {
			return v
		}
		v = v[1:]
	}
	if len(v) > 0 && v[0] == '(' {
		j := bytes.IndexByte(v, ')')
		if j < 0 {
			return v
		}
		f.helo = v[1:j]
		v = v[j+1:]
		if !bytes.HasPrefix(v, []byte(" [")) {
			return v
		}
		v = v[1:]
	}
	if len(v) == 0 || v[0] != '[' {
		return v
	}
	j := bytes.IndexByte(v, ']')
	if j < 0 {
		return v
	}
	f.ip = v[1:j]
	v = v[j+1:]
	if len(v) > 1 && (v[0] == ':' || v[0] == '.') && v[1] != ' ' {
		k := 1
		port := 0
		digits := true
		for k < len(v) && v[k] != ' ' && v[k] != ':' && v[k] != '*' {
			if c := v[k]; c >= '0' && c <= '9' {
				port = port*10 + int(c-'0')
			} else {
				digits = false
			}
			k++
		}
		if digits && port < 65536 {
			f.port = port
		}
		v = v[k:]
	}
	if len(v) > 0 && v[0] == '*' {
		v = v[1:]
	}
	return v
}

// keyLen returns the length of the key of a "KEY=value" word at the start
// of b (an upper-case letter, then up to 4 letters or digits), or 0.
func keyLen(b []byte) int {
	if len(b) < 2 || b[0] < 'A' || b[0] > 'Z' {
		return 0
	}
	for i := 1; i < len(b) && i <= 5; i++ {
		c := b[i]
		if c == '=' {
			return i
		}
		if !alnum(c) {
			return 0
		}
	}
	return 0
}

// flagWord returns the length of a bare flag Exim writes among the fields
// (K for CHUNKING, L for a connection from the hints database, PRDR, TFO,
// '*' for a reused connection), or 0.
func flagWord(b []byte) int {
	end := bytes.IndexByte(b, ' ')
	if end < 0 {
		end = len(b)
	}
	switch string(b[:end]) {
	case "K", "L", "*", "PRDR", "TFO":
		return end
	}
	return 0
}

// closingQuote finds the quote that ends the quoted value starting at
// v[0] (backslash escapes skipped), or -1.
func closingQuote(v []byte) int {
	for i := 1; i < len(v); i++ {
		switch v[i] {
		case '\\':
			i++
		case '"':
			return i
		}
	}
	return -1
}

// duration reads Exim's QT=/DT= times: "2s", "1m2s", "1h2m3s", "0.123s",
// "1d2h" (seconds; 0 when unreadable).
func duration(b []byte) float64 {
	total, cur, frac, scale := 0.0, 0.0, false, 1.0
	for _, c := range b {
		switch {
		case c >= '0' && c <= '9':
			if frac {
				scale /= 10
				cur += float64(c-'0') * scale
			} else {
				cur = cur*10 + float64(c-'0')
			}
		case c == '.':
			frac = true
		default:
			var unit float64
			switch c {
			case 'w':
				unit = 7 * 86400
			case 'd':
				unit = 86400
			case 'h':
				unit = 3600
			case 'm':
				unit = 60
			case 's':
				unit = 1
			default:
				return 0
			}
			total += cur * unit
			cur, frac, scale = 0, false, 1
		}
	}
	return total + cur
}
