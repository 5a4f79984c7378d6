package main

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/bouncescan/bouncescan"
	"github.com/bouncescan/bouncescan/aggregate"
	"github.com/bouncescan/bouncescan/internal/pipeline"
	"github.com/bouncescan/bouncescan/output"
)

// TraceCmd is `bouncescan trace`: every hop of one message.
type TraceCmd struct {
	ID     string   `arg:"" name:"ID" help:"A message-id (with or without <>), a queue id, or a recipient address."`
	Files  []string `arg:"" name:"FILE" help:"Logs to search (several hosts' logs at once), as for scan."`
	Output string   `short:"o" default:"table" enum:"table,json" help:"table, or json (the events, in time order)."`
	Wide   bool     `help:"Full reply texts, not cut to 100 columns."`

	InputFlags `embed:""`
}

// Help is shown by `bouncescan trace --help` below the flags.
func (TraceCmd) Help() string {
	return `Follows the message across the logs given: the events of its queue id,
its message-id (on every host), the queue ids it was handed on to
("250 2.0.0 Ok: queued as …", Event.NextQueueID: content filters, relays
whose logs are among the inputs) and back, in time order, each with its
outcome and verdict. Internal hand-offs are marked "hop". For a recipient,
only that recipient's events are shown (of every message to it).

Examples:
  bouncescan trace 4F1A2B3C4D /var/log/mail.log
  bouncescan trace '<20261122.abc@example.com>' mx1/mail.log mx2/mail.log
  bouncescan trace bob@example.com /var/log/mail.log*`
}

// traceMax bounds the events a trace keeps.
const traceMax = 100_000

type tracer struct {
	id        string
	rcpt      bool // the id is a recipient: keep only its events
	queues    map[string]bool
	msgids    map[string]bool
	events    []bouncescan.Event
	seen      map[string]bool
	truncated bool
}

func normMsgID(s string) string {
	return strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(s), "<"), ">")
}

func (t *tracer) keys() int { return len(t.queues) + len(t.msgids) }

func (t *tracer) match(e *bouncescan.Event) bool {
	if t.rcpt {
		if !strings.EqualFold(e.Recipient, t.id) && !strings.EqualFold(e.OrigRecipient, t.id) {
			return false
		}
		return true
	}
	if e.QueueID != "" && (t.queues[e.QueueID] || e.QueueID == t.id) {
		return true
	}
	if e.NextQueueID != "" && (t.queues[e.NextQueueID] || e.NextQueueID == t.id) {
		return true
	}
	if m := normMsgID(e.MessageID); m != "" && (t.msgids[m] || m == normMsgID(t.id)) {
		return true
	}
	return false
}

// Consume keeps copies of the matching events, learning their links.
func (t *tracer) Consume(events []bouncescan.Event) error {
	for i := range events {
		e := &events[i]
		if !t.match(e) {
			continue
		}
		if e.QueueID != "" {
			t.queues[e.QueueID] = true
		}
		if e.NextQueueID != "" {
			t.queues[e.NextQueueID] = true
		}
		if m := normMsgID(e.MessageID); m != "" {
			t.msgids[m] = true
		}
		if t.seen[e.ID] && e.ID != "" {
			continue
		}
		if len(t.events) >= traceMax {
			t.truncated = true
			continue
		}
		t.seen[e.ID] = true
		cp := *e
		if e.Verdict != nil {
			v := *e.Verdict
			v.Flags = append([]string(nil), v.Flags...)
			cp.Verdict = &v
		}
		t.events = append(t.events, cp)
	}
	return nil
}

// Run traces.
func (c *TraceCmd) Run(app *App) error {
	run, err := c.setup(app, c.Files)
	if err != nil {
		return &exitError{code: exitFailure, err: err}
	}
	t := &tracer{id: c.ID, rcpt: strings.Contains(c.ID, "@") && !strings.HasPrefix(strings.TrimSpace(c.ID), "<")}
	rereadable := true
	for _, in := range run.inputs {
		if in.Name == "-" {
			rereadable = false
		}
	}
	ctx, stop := interruptContext(app)
	defer stop()
	var rep *aggregate.Report
	// A link learnt late (a message-id seen after the first events of a
	// queue id) is followed by reading again, up to 4 passes.
	for pass := 0; pass < 4; pass++ {
		before := t.keys()
		t.events, t.seen = nil, map[string]bool{}
		if t.queues == nil {
			t.queues, t.msgids = map[string]bool{}, map[string]bool{}
		}
		cfg := run.cfg
		cfg.Consumers = []pipeline.Consumer{t}
		rep = aggregate.New(aggregate.Limits{})
		if err := pipeline.Run(ctx, cfg, run.inputs, rep); err != nil {
			return &exitError{code: exitFailure, err: err}
		}
		if pass == 0 && t.rcpt && len(t.events) == 0 {
			// an address-like id that is no recipient: a message-id
			t.rcpt = false
			continue
		}
		if t.rcpt || !rereadable || t.keys() == before {
			break
		}
	}
	sort.SliceStable(t.events, func(i, j int) bool { return t.events[i].Time.Before(t.events[j].Time) })
	if c.Output == "json" {
		enc := json.NewEncoder(app.Stdout)
		enc.SetIndent("", "  ")
		if t.events == nil {
			t.events = []bouncescan.Event{}
		}
		if err := enc.Encode(t.events); err != nil {
			return &exitError{code: exitFailure, err: err}
		}
	} else {
		writeTrace(app, t, c.Wide, run)
	}
	if len(t.events) == 0 {
		return &exitError{code: exitFailure, err: fmt.Errorf("%s: not found in %d files (a message-id, queue id or recipient)", c.ID, len(run.inputs))}
	}
	if len(run.errs) > 0 || rep.Input.FileErrors > 0 {
		return &exitError{code: exitPartial}
	}
	return nil
}

func writeTrace(app *App, t *tracer, wide bool, run *runInputs) {
	w := app.Stdout
	fmt.Fprintf(w, "trace %s: %d events", output.Safe(t.id), len(t.events))
	if len(t.queues) > 0 {
		qs := make([]string, 0, len(t.queues))
		for q := range t.queues {
			qs = append(qs, q)
		}
		sort.Strings(qs)
		fmt.Fprintf(w, ", queue ids %s", output.Safe(strings.Join(qs, " ")))
	}
	fmt.Fprintln(w)
	if t.truncated {
		fmt.Fprintf(w, "  (only the first %d events are shown)\n", traceMax)
	}
	for _, e := range t.events {
		status := e.Status.String()
		if e.Hop {
			status += " (hop)"
		}
		code := ""
		if e.ReplyCode != 0 {
			code = strconv.Itoa(e.ReplyCode)
		}
		if e.EnhancedCode != "" {
			code = strings.TrimSpace(code + " " + e.EnhancedCode)
		}
		verdict := ""
		if v := e.Verdict; v != nil {
			verdict = v.Class.String() + "/" + v.Reason
			if v.Provider != "" {
				verdict += " (" + v.Provider + ")"
			}
		}
		head := fmt.Sprintf("%s  %s %s %s  %s  %s", e.Time.In(run.loc).Format("2006-01-02 15:04:05"), e.Host, e.MTA, e.QueueID, status, e.Recipient)
		fmt.Fprintf(w, "\n%s\n", clipTo(output.Safe(head), 100, wide))
		var parts []string
		if e.Relay != "" || e.RelayIP != "" {
			parts = append(parts, "relay "+strings.TrimSpace(e.Relay+" "+bracket(e.RelayIP)))
		}
		if e.Stage != bouncescan.StageUnknown {
			parts = append(parts, "at "+e.Stage.String())
		}
		if code != "" {
			parts = append(parts, code)
		}
		if verdict != "" {
			parts = append(parts, verdict)
		}
		if e.NextQueueID != "" {
			parts = append(parts, "→ queued as "+e.NextQueueID)
		}
		if e.MessageID != "" {
			parts = append(parts, "msgid <"+normMsgID(e.MessageID)+">")
		}
		if e.Attempt > 1 {
			parts = append(parts, fmt.Sprintf("attempt %d", e.Attempt))
		}
		fmt.Fprintf(w, "    %s\n", clipTo(output.Safe(strings.Join(parts, ", ")), 96, wide))
		if e.Text != "" {
			fmt.Fprintf(w, "    %s\n", clipTo(output.Safe(e.Text), 96, wide))
		}
		fmt.Fprintf(w, "    %s\n", clipTo(output.Safe(bouncescan.Pos{Source: e.Source, Line: e.Line}.String()), 96, wide))
	}
}

func bracket(ip string) string {
	if ip == "" {
		return ""
	}
	return "[" + ip + "]"
}

func clipTo(s string, n int, wide bool) string {
	r := []rune(s)
	if wide || len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
