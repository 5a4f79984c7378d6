package main

import "errors"

// FormatsCmd is not written yet.
type FormatsCmd struct{}

// Run is a placeholder until the subcommand is written.
func (FormatsCmd) Run(app *App) error { return errors.New("formats: not implemented yet") }
