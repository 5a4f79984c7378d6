package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/bouncescan/bouncescan"
	"github.com/bouncescan/bouncescan/classify"
)

// ClassifyCmd is `bouncescan classify`.
type ClassifyCmd struct {
	Texts  []string `arg:"" optional:"" name:"TEXT" help:"Texts to classify (one verdict each). Without any, lines are read from stdin."`
	Output string   `short:"o" default:"table" enum:"table,json" help:"Output: table (for people) or json (one object per input line, in input order)."`
	Format string   `short:"f" default:"text" enum:"text,tsv,table,json" help:"Input format, as -f is in every command: text (the remote server's reply; codes are taken from it) or tsv (reply_code<TAB>enhanced_code<TAB>command<TAB>diagnostic, any may be empty). (-f table|json: the old spelling of -o, still read, with a note.)"`
	Input  string   `short:"i" hidden:"" enum:",text,tsv" default:"" help:"The old spelling of -f text|tsv."`
	Rules  string   `placeholder:"FILE" help:"Extra classification rules (TOML, or YAML for .yaml/.yml), tried before the built-in ones; see README."`
	// Taxonomy adds the Sisimai 4 reason and a PowerMTA-style bounce category.
	Taxonomy bool `help:"Also give each verdict's reason as Sisimai 4 named it and a PowerMTA-style bounce category (sisimai4_reason, bounce_category; see README)."`
}

// maxClassifyLine bounds one input line of `classify` (1 MiB).
const maxClassifyLine = 1 << 20

// flushEvery: JSON output reaches stdout at least every this many lines,
// so that `tail -f … | bouncescan classify -o json` keeps moving.
const flushEvery = 64

// Help is shown by `bouncescan classify --help` below the flags.
func (ClassifyCmd) Help() string {
	return `Each text (an argument, or a line of stdin) gets one verdict: class
(permanent, transient, success, unknown), RFC 3463 subject, reason, the
codes, the registry description, the provider, the rule that decided and
the evidence it matched, and flags where the data contradicts itself.
A text here has no MTA status, so it is read as a delivery report (a
bounce or DSN: the message has failed): "Connection timed out" is then
expired, where in a log a deferral with those words is networkerror.

Examples:
  bouncescan classify "550 5.1.1 <bob@example.com>: Recipient address rejected: User unknown"
  bouncescan classify -o json "421 4.7.0 [TSS04] Messages from 192.0.2.1 temporarily deferred"
  grep -h 'status=bounced' /var/log/mail.log | sed 's/.*said: //' | bouncescan classify
  printf '550\t5.7.26\tDATA\tUnauthenticated email is not accepted\n' | bouncescan classify -f tsv -o json
  bouncescan classify --rules my-rules.toml -f json < replies.txt

TSV input: four tab-separated columns reply_code, enhanced_code, command
(CONNECT, HELO, EHLO, STARTTLS, AUTH, MAIL, RCPT, DATA, EOD for end of data),
diagnostic; any may be empty. A header line naming the columns is skipped.
A bad line stops the command with its line number and column (exit 1).

JSON output has exactly these keys on every line: class, subject, reason,
enhanced_code, reply_code (null when none), description, provider, rule,
evidence, flags (a list, empty when none).`
}

// oldFlags reads the spellings of bouncescan 0.x, where -f was the
// output format and -i the input format, so that scripts keep working;
// each use is noted on stderr with the new spelling.
func (c *ClassifyCmd) oldFlags(app *App) {
	if c.Format == "table" || c.Format == "json" {
		fmt.Fprintf(app.Stderr, "bouncescan: classify: -f %s is read as -o %s (-f is the input format in every command: text or tsv)\n", c.Format, c.Format)
		c.Output, c.Format = c.Format, "text"
	}
	if c.Input != "" {
		fmt.Fprintf(app.Stderr, "bouncescan: classify: -i %s is read as -f %s\n", c.Input, c.Input)
		c.Format = c.Input
	}
}

// Run classifies the texts, or the lines of stdin.
func (c *ClassifyCmd) Run(app *App) error {
	c.oldFlags(app)
	cl, err := classify.New(classify.Options{RulesFile: c.Rules})
	if err != nil {
		return &exitError{code: exitFailure, err: err}
	}
	out := bufio.NewWriter(app.Stdout)
	var write func(bouncescan.Verdict) error
	var flushTable func() error
	switch {
	case c.Output == "json" && c.Taxonomy:
		enc := json.NewEncoder(out)
		enc.SetEscapeHTML(false)
		write = func(v bouncescan.Verdict) error {
			return enc.Encode(struct {
				classify.Record
				classify.Taxonomy
			}{classify.RecordOf(v), cl.Taxonomy(v.Reason)})
		}
		flushTable = func() error { return nil }
	case c.Output == "json":
		write, flushTable = classify.NewJSONWriter(out).Write, func() error { return nil }
	case c.Taxonomy:
		tw := classify.NewTableWriter(out)
		write = func(v bouncescan.Verdict) error {
			t := cl.Taxonomy(v.Reason)
			v.Flags = append(append([]string(nil), v.Flags...), "sisimai4="+t.Sisimai4, "category="+t.Category)
			return tw.Write(v)
		}
		flushTable = tw.Flush
	default:
		tw := classify.NewTableWriter(out)
		write, flushTable = tw.Write, tw.Flush
	}
	flush := func() error {
		if err := flushTable(); err != nil {
			return err
		}
		return out.Flush()
	}
	one := func(line string, n int) error {
		var e *bouncescan.Event
		if c.Format == "tsv" {
			if e, err = classify.ParseTSV(line, n); err != nil {
				return err
			}
		} else {
			e = classify.EventFromText(line)
		}
		return write(cl.Classify(e))
	}
	if len(c.Texts) > 0 {
		for i, t := range c.Texts {
			if err := one(t, i+1); err != nil {
				return c.fail(err, "argument")
			}
		}
		return flush()
	}
	sc := bufio.NewScanner(app.Stdin)
	sc.Buffer(make([]byte, 64*1024), maxClassifyLine)
	n := 0
	for sc.Scan() {
		n++
		line := sc.Text()
		if n == 1 && c.Format == "tsv" && classify.IsTSVHeader(line) {
			continue
		}
		if err := one(line, n); err != nil {
			_ = flush()
			return c.fail(err, "stdin")
		}
		if n%flushEvery == 0 && c.Output == "json" {
			if err := out.Flush(); err != nil {
				return &exitError{code: exitFailure, err: err}
			}
		}
	}
	if err := sc.Err(); err != nil {
		_ = flush()
		if errors.Is(err, bufio.ErrTooLong) {
			return &exitError{code: exitFailure, err: fmt.Errorf("stdin:%d: line longer than %d bytes: split it or shorten it", n+1, maxClassifyLine)}
		}
		return &exitError{code: exitFailure, err: fmt.Errorf("stdin: %w", err)}
	}
	return flush()
}

// fail turns an error into an exit error; a bad input line is named by
// where it came from (stdin:LINE or argument N).
func (c *ClassifyCmd) fail(err error, where string) error {
	var ie *classify.InputError
	if errors.As(err, &ie) {
		pos := fmt.Sprintf("stdin:%d", ie.Line)
		if where == "argument" {
			pos = fmt.Sprintf("argument %d", ie.Line)
		}
		err = fmt.Errorf("%s: column %d (%s): %w; TSV lines are reply_code<TAB>enhanced_code<TAB>command<TAB>diagnostic", pos, ie.Column, ie.Field, ie.Err)
	}
	return &exitError{code: exitFailure, err: err}
}
