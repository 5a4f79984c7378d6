package exchange

import (
	"bytes"
	"unicode/utf16"
	"unicode/utf8"
)

// maxFields bounds the number of columns read from one row; the widest
// published Exchange layout has 30.
const maxFields = 64

// splitCSV splits one CSV record (RFC 4180 quoting: fields in double quotes
// may hold commas, a doubled quote is a literal quote) into dst. Fields
// point into line, or into scratch for quoted fields with doubled quotes;
// scratch must have a capacity of at least len(line) so that it never
// grows. It returns the fields and false if the record has more than
// maxFields fields or an unterminated quote.
func splitCSV(line []byte, dst [][]byte, scratch []byte) ([][]byte, bool) {
	dst = dst[:0]
	scratch = scratch[:0]
	i := 0
	for {
		if len(dst) == maxFields {
			return dst, false
		}
		if i < len(line) && line[i] == '"' {
			// quoted field
			j := i + 1
			start := j
			plain := true
			mark := len(scratch)
			for {
				k := bytes.IndexByte(line[j:], '"')
				if k < 0 {
					return dst, false
				}
				k += j
				if k+1 < len(line) && line[k+1] == '"' {
					// doubled quote: copy what we have plus one quote
					plain = false
					scratch = append(scratch, line[j:k+1]...)
					j = k + 2
					continue
				}
				var f []byte
				if plain {
					f = line[start:k]
				} else {
					scratch = append(scratch, line[j:k]...)
					f = scratch[mark:len(scratch):len(scratch)]
				}
				dst = append(dst, f)
				i = k + 1
				break
			}
			// anything between the closing quote and the comma is kept out
			c := bytes.IndexByte(line[i:], ',')
			if c < 0 {
				return dst, true
			}
			i += c + 1
			continue
		}
		c := bytes.IndexByte(line[i:], ',')
		if c < 0 {
			dst = append(dst, line[i:])
			return dst, true
		}
		dst = append(dst, line[i:i+c])
		i += c + 1
	}
}

// decodeUTF16 turns a line of a UTF-16LE file (Exchange Online exports
// often are), split on the 0x0A byte by the line reader, into UTF-8 in
// buf. The line of such a file after the first starts with the 0x00 that
// followed the previous 0x0A; a leading byte order mark is dropped.
func decodeUTF16(line, buf []byte) []byte {
	if len(line) > 0 && line[0] == 0 {
		line = line[1:]
	}
	if len(line) >= 2 && line[0] == 0xff && line[1] == 0xfe {
		line = line[2:]
	}
	buf = buf[:0]
	for i := 0; i+1 < len(line); i += 2 {
		u := uint16(line[i]) | uint16(line[i+1])<<8
		r := rune(u)
		if utf16.IsSurrogate(r) && i+3 < len(line) {
			u2 := uint16(line[i+2]) | uint16(line[i+3])<<8
			r = utf16.DecodeRune(r, rune(u2))
			i += 2
		}
		buf = utf8.AppendRune(buf, r)
	}
	return bytes.TrimRight(buf, "\r\x00")
}
