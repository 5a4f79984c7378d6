package main

import "errors"

// ClassifyCmd is not written yet.
type ClassifyCmd struct{}

// Run is a placeholder until the subcommand is written.
func (ClassifyCmd) Run(app *App) error { return errors.New("classify: not implemented yet") }
