package main

import (
	"encoding/json"
	"fmt"

	"github.com/bouncescan/bouncescan/classify"
)

// ExplainCmd is `bouncescan explain`.
type ExplainCmd struct {
	Codes  []string `arg:"" name:"CODE" help:"Reply codes (550), enhanced status codes (5.7.26, X.7.26, 5.7.606) or both in one argument (\"421 4.7.0\")."`
	Output string   `short:"o" default:"text" enum:"text,json" help:"Output: text (for people) or json (one object per code)."`
	Format string   `short:"f" hidden:"" enum:",text,json" default:"" help:"The old spelling of -o."`
}

// Help is shown by `bouncescan explain --help` below the flags.
func (ExplainCmd) Help() string {
	return `For each code: what it means, its class and subject, which SMTP commands
may answer with it, the RFC that defines it (or the vendor, for codes such
as Microsoft's 5.7.606), the reason bouncescan gives it when the text says
no more, and common real-world causes.

Examples:
  bouncescan explain 5.7.26
  bouncescan explain 550
  bouncescan explain "421 4.7.0"
  bouncescan explain 5.7.606 X.1.1
  bouncescan explain -o json 452 4.2.2

An unknown code is an error (exit 1); the other codes are still explained.`
}

// Run explains every code.
func (c *ExplainCmd) Run(app *App) error {
	if c.Format != "" {
		fmt.Fprintf(app.Stderr, "bouncescan: explain: -f %s is read as -o %s (-o is the output format in every command)\n", c.Format, c.Format)
		c.Output = c.Format
	}
	cl, err := classify.New(classify.Options{})
	if err != nil {
		return &exitError{code: exitFailure, err: err}
	}
	var firstErr error
	enc := json.NewEncoder(app.Stdout)
	enc.SetEscapeHTML(false)
	for i, code := range c.Codes {
		ex, err := cl.Explain(code)
		if err != nil {
			fmt.Fprintf(app.Stderr, "bouncescan: explain: %v\n", err)
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		if c.Output == "json" {
			err = enc.Encode(ex)
		} else {
			if i > 0 {
				fmt.Fprintln(app.Stdout)
			}
			err = ex.WriteText(app.Stdout)
		}
		if err != nil {
			return &exitError{code: exitFailure, err: err}
		}
	}
	if firstErr != nil {
		return &exitError{code: exitFailure}
	}
	return nil
}
