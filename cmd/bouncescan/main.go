// Command bouncescan reads mail-server logs and tells what bounced and why.
//
// This file only wires the subcommands with kong; each subcommand lives in
// its own file with a Run method.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"time"

	"github.com/alecthomas/kong"

	"github.com/bouncescan/bouncescan/output"
	"github.com/bouncescan/bouncescan/parsers"
)

// Exit codes (documented in README).
const (
	exitOK      = 0 // everything read and reported
	exitFailure = 1 // fatal error: bad flags, nothing could be read, --strict violation
	exitPartial = 2 // report written, but some input could not be read (missing, unreadable, corrupt file)
)

// App is what every subcommand's Run receives: the process's streams and
// clock, injected so that tests can run commands in-process.
type App struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	Now    func() time.Time
	// StderrIsTerminal decides whether a progress bar may be drawn.
	StderrIsTerminal bool
	// Notify and StopNotify are signal.Notify and signal.Stop in the real
	// process; nil in tests that run commands in-process.
	Notify     func(c chan<- os.Signal, sig ...os.Signal)
	StopNotify func(c chan<- os.Signal)
}

// CLI is the command tree.
type CLI struct {
	Scan     ScanCmd     `cmd:"" help:"Analyse mail logs once: every recipient outcome, classified, as a report."`
	Export   ExportCmd   `cmd:"" help:"Write events and bounce statistics as Parquet, CSV or NDJSON tables (Hive partitions), incrementally."`
	Tail     TailCmd     `cmd:"" help:"Follow live mail logs across rotation: classified events as they happen, checkpointed."`
	Merge    MergeCmd    `cmd:"" help:"Merge JSON reports of several scans (one per host or per day) into one report."`
	Trace    TraceCmd    `cmd:"" help:"Follow one message (message-id, queue id or recipient) across logs and hosts, every hop in time order."`
	Classify ClassifyCmd `cmd:"" help:"Classify SMTP replies / diagnostic texts given as arguments or on stdin."`
	Explain  ExplainCmd  `cmd:"" help:"Explain an SMTP reply code or enhanced status code (550, 5.7.26, \"421 4.7.0\")."`
	Formats  FormatsCmd  `cmd:"" help:"List the log formats bouncescan reads, with an example line each."`
	Version  VersionCmd  `cmd:"" help:"Print the version and the VCS revision it was built from."`

	VersionFlag kong.VersionFlag `name:"version" help:"Print the version and the VCS revision it was built from."`
}

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

// VersionCmd prints the version.
type VersionCmd struct{}

// Run prints the version: the one set at build time, else the module
// version `go install …@version` recorded, else the VCS revision.
func (VersionCmd) Run(app *App) error {
	_, err := fmt.Fprintln(app.Stdout, versionLine())
	return err
}

// versionLine is what `bouncescan version` and `--version` print: the
// version, then the VCS revision and time the binary was built from (Go
// records them when building inside a git checkout).
func versionLine() string {
	s := "bouncescan " + buildVersion()
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return s
	}
	var rev, at, modified string
	for _, kv := range info.Settings {
		switch kv.Key {
		case "vcs.revision":
			rev = kv.Value
		case "vcs.time":
			at = kv.Value
		case "vcs.modified":
			modified = kv.Value
		}
	}
	if rev == "" {
		return s + " (no VCS revision recorded: built outside a git checkout, or with -buildvcs=false in the flags or GOFLAGS; " + info.GoVersion + ")"
	}
	s += " (revision " + rev
	if at != "" {
		s += " of " + at
	}
	if modified == "true" {
		s += ", with uncommitted changes"
	}
	return s + "; " + info.GoVersion + ")"
}

func buildVersion() string {
	if version != "dev" {
		return version
	}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return version
	}
	if v := info.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	for _, s := range info.Settings {
		if s.Key == "vcs.revision" && len(s.Value) >= 12 {
			return "dev-" + s.Value[:12]
		}
	}
	return version
}

// exitError carries an exit code out of a Run method.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit status %d", e.code)
	}
	return e.err.Error()
}
func (e *exitError) Unwrap() error { return e.err }

// kongExit carries kong's exit request (after --help) out of Parse.
type kongExit int

// run executes the CLI with args and returns the process exit code.
func run(args []string, app *App) (code int) {
	defer func() {
		if r := recover(); r != nil {
			c, ok := r.(kongExit)
			if !ok {
				panic(r)
			}
			code = int(c)
		}
	}()
	var cli CLI
	parser, err := kong.New(&cli,
		kong.Name("bouncescan"),
		kong.Description("Read mail-server logs (Postfix, Exim, Exchange, Sendmail), find every delivery attempt with its SMTP codes and text, and classify why mail bounced or was deferred."),
		kong.UsageOnError(),
		kong.ConfigureHelp(kong.HelpOptions{Compact: true}),
		kong.Writers(app.Stdout, app.Stderr),
		kong.Exit(func(c int) { panic(kongExit(c)) }),
		kong.Bind(app),
		kong.Vars{"formats": formatNames(parsers.Builtin()), "outputs": output.Names(output.Builtin()), "version": versionLine()},
	)
	if err != nil {
		fmt.Fprintf(app.Stderr, "bouncescan: %v\n", err)
		return exitFailure
	}
	if len(args) == 0 {
		args = []string{"--help"} // bouncescan alone: what it does and its commands
	}
	ctx, err := parser.Parse(args)
	if err != nil {
		fmt.Fprintf(app.Stderr, "bouncescan: %v\n", err)
		return exitFailure
	}
	if ctx == nil || ctx.Command() == "" {
		return exitOK
	}
	if err := ctx.Run(); err != nil {
		var ee *exitError
		if errors.As(err, &ee) {
			if ee.err != nil {
				fmt.Fprintf(app.Stderr, "bouncescan: %v\n", ee.err)
			}
			return ee.code
		}
		fmt.Fprintf(app.Stderr, "bouncescan: %v\n", err)
		return exitFailure
	}
	return exitOK
}

func main() {
	app := &App{
		Stdin:            os.Stdin,
		Stdout:           os.Stdout,
		Stderr:           os.Stderr,
		Now:              time.Now,
		StderrIsTerminal: isTerminal(os.Stderr),
		Notify:           signal.Notify,
		StopNotify:       signal.Stop,
	}
	os.Exit(run(os.Args[1:], app))
}
