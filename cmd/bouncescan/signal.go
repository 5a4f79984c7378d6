package main

import (
	"context"
	"fmt"
	"os"
	"syscall"
)

// signalError is why an interrupted run stopped: the signal received.
type signalError struct{ sig os.Signal }

func (e *signalError) Error() string { return fmt.Sprintf("interrupted by %v", e.sig) }

// exitCode is 128 + the signal number, as shells report it: 130 for
// SIGINT, 143 for SIGTERM.
func (e *signalError) exitCode() int {
	if s, ok := e.sig.(syscall.Signal); ok {
		return 128 + int(s)
	}
	return exitFailure
}

// interruptContext is a context that SIGINT and SIGTERM cancel, its cause
// a *signalError. stop releases the signals. Without app.Notify (tests
// run in-process) nothing is caught.
func interruptContext(app *App) (ctx context.Context, stop func()) {
	ctx, cancel := context.WithCancelCause(context.Background())
	if app.Notify == nil {
		return ctx, func() { cancel(nil) }
	}
	ch := make(chan os.Signal, 2)
	app.Notify(ch, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		select {
		case s := <-ch:
			cancel(&signalError{sig: s})
		case <-done:
		}
	}()
	return ctx, func() {
		app.StopNotify(ch)
		close(done)
		cancel(nil)
	}
}
