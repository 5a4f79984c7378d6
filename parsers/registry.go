package parsers

import (
	"github.com/bouncescan/bouncescan/parsers/exchange"
	"github.com/bouncescan/bouncescan/parsers/exim"
	"github.com/bouncescan/bouncescan/parsers/parsekit"
	"github.com/bouncescan/bouncescan/parsers/postfix"
	"github.com/bouncescan/bouncescan/parsers/sendmail"
)

// Builtin lists the formats bouncescan reads, in detection priority order.
// Adding a format is one package and one entry here.
func Builtin() []Format {
	return []Format{
		{Name: postfix.Name, Variants: postfix.Variants, Example: postfix.Example, Detect: postfix.Detect,
			New: func(o parsekit.Options) Parser { return postfix.New(o) }},
		{Name: exchange.Name, Variants: exchange.Variants, Example: exchange.Example, Detect: exchange.Detect, New: func(o parsekit.Options) Parser { return exchange.New(o) }},
		{Name: sendmail.Name, Variants: sendmail.Variants, Example: sendmail.Example, Detect: sendmail.Detect, New: func(o parsekit.Options) Parser { return sendmail.New(o) }},
		{Name: exim.Name, Variants: exim.Variants, Example: exim.Example, Detect: exim.Detect, New: func(o parsekit.Options) Parser { return exim.New(o) }},
	}
}

// Lookup returns the built-in format called name.
func Lookup(formats []Format, name string) (Format, bool) {
	for _, f := range formats {
		if f.Name == name {
			return f, true
		}
	}
	return Format{}, false
}

// Detect picks the format whose Detect scores the head lines highest. ok is
// false when no format claims them.
func Detect(formats []Format, head [][]byte) (Format, bool) {
	best, bestScore := Format{}, 0
	for _, f := range formats {
		if s := f.Detect(head); s > bestScore {
			best, bestScore = f, s
		}
	}
	return best, bestScore > 0
}
