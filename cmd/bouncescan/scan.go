package main

import "errors"

// ScanCmd is not written yet.
type ScanCmd struct{}

// Run is a placeholder until the subcommand is written.
func (ScanCmd) Run(app *App) error { return errors.New("scan: not implemented yet") }
