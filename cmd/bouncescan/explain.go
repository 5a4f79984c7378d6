package main

import "errors"

// ExplainCmd is not written yet.
type ExplainCmd struct{}

// Run is a placeholder until the subcommand is written.
func (ExplainCmd) Run(app *App) error { return errors.New("explain: not implemented yet") }
