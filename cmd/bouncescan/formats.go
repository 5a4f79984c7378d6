package main

import (
	"fmt"

	"github.com/bouncescan/bouncescan/parsers"
)

// FormatsCmd is `bouncescan formats`.
type FormatsCmd struct{}

// Run lists every built-in parser with the variants it reads and an example.
func (FormatsCmd) Run(app *App) error {
	for i, f := range parsers.Builtin() {
		if i > 0 {
			fmt.Fprintln(app.Stdout)
		}
		fmt.Fprintf(app.Stdout, "%s\n", f.Name)
		for _, v := range f.Variants {
			fmt.Fprintf(app.Stdout, "  - %s\n", v)
		}
		if _, err := fmt.Fprintf(app.Stdout, "  example: %s\n", f.Example); err != nil {
			return err
		}
	}
	return nil
}
