// Package export writes bouncescan's events as warehouse tables: Parquet
// (parquet-go, zstd, dictionary-encoded low-cardinality columns), CSV or
// NDJSON files in Hive-style partitions, two tables (events and stats),
// each file named by the source identity and the range of event offsets
// it holds, written atomically (temporary file, then rename), so that a
// re-run replaces files instead of duplicating rows and an incremental run
// (pipeline.Config.Resume) adds only what is new.
//
// The Exporter is a pipeline.Consumer and pipeline.Checkpointer: events
// reach it in input order and it keeps copies (the rows it buffers), never
// the events themselves.
package export

import (
	"strings"
	"time"

	"github.com/bouncescan/bouncescan"
)

// SchemaVersion is the version of the table layouts below. It is written
// in every Parquet file's key-value metadata (bouncescan.schema_version)
// and in DIR/_bouncescan/export.json; a directory holding another version
// is refused.
const SchemaVersion = 1

// EventRow is one row of the events table: one recipient outcome with its
// verdict. Empty strings and zero numbers are nulls (unknown). Partition
// columns (date, hour, host) are in the directory names, not in the file.
type EventRow struct {
	EventID        string  `parquet:"event_id" json:"event_id"`
	Time           int64   `parquet:"time,timestamp(microsecond:utc),optional" json:"time" kind:"time"`
	Host           string  `parquet:"host,dict,optional" json:"host"`
	MTA            string  `parquet:"mta,dict" json:"mta"`
	Source         string  `parquet:"source,dict,optional" json:"source"`
	SourceIdentity string  `parquet:"source_identity,dict" json:"source_identity"`
	Line           int64   `parquet:"line" json:"line"`
	Offset         int64   `parquet:"offset" json:"offset"`
	EventIndex     int32   `parquet:"event_index" json:"event_index" kind:"always"`
	QueueID        string  `parquet:"queue_id,optional" json:"queue_id"`
	MessageID      string  `parquet:"message_id,optional" json:"message_id"`
	Sender         string  `parquet:"sender,optional" json:"sender"`
	Size           int64   `parquet:"size,optional" json:"size"`
	Recipient      string  `parquet:"recipient,optional" json:"recipient"`
	OrigRecipient  string  `parquet:"orig_recipient,optional" json:"orig_recipient"`
	Domain         string  `parquet:"domain,dict,optional" json:"domain"`
	Process        string  `parquet:"process,dict,optional" json:"process"`
	Relay          string  `parquet:"relay,dict,optional" json:"relay"`
	RelayIP        string  `parquet:"relay_ip,dict,optional" json:"relay_ip"`
	RelayPort      int32   `parquet:"relay_port,optional" json:"relay_port"`
	DelaySeconds   float64 `parquet:"delay_seconds,optional" json:"delay_seconds"`
	Attempt        int32   `parquet:"attempt,optional" json:"attempt"`
	Status         string  `parquet:"status,dict" json:"status"`
	Stage          string  `parquet:"stage,dict,optional" json:"stage"`
	ReplyCode      string  `parquet:"reply_code,dict,optional" json:"reply_code"`
	EnhancedCode   string  `parquet:"enhanced_code,dict,optional" json:"enhanced_code"`
	DSN            string  `parquet:"dsn,dict,optional" json:"dsn"`
	Text           string  `parquet:"text,optional" json:"text"`
	NextQueueID    string  `parquet:"next_queue_id,optional" json:"next_queue_id"`
	Hop            bool    `parquet:"hop" json:"hop" kind:"always"`
	Class          string  `parquet:"class,dict,optional" json:"class"`
	Subject        string  `parquet:"subject,dict,optional" json:"subject"`
	Reason         string  `parquet:"reason,dict,optional" json:"reason"`
	Provider       string  `parquet:"provider,dict,optional" json:"provider"`
	Rule           string  `parquet:"rule,dict,optional" json:"rule"`
	Evidence       string  `parquet:"evidence,dict,optional" json:"evidence"`
	Flags          string  `parquet:"flags,dict,optional" json:"flags"`
	// With Options.Taxonomy only (`export --taxonomy`): the reason as
	// Sisimai 4 named it and a PowerMTA-style bounce category. Without it
	// the files have no such columns (opt:"taxonomy").
	Sisimai4Reason string `parquet:"sisimai4_reason,dict,optional" json:"sisimai4_reason" opt:"taxonomy"`
	BounceCategory string `parquet:"bounce_category,dict,optional" json:"bounce_category" opt:"taxonomy"`
}

// StatsRow is one row of the stats table: the events of one source file
// content (identity) on one UTC day for one host × recipient domain ×
// provider × status × class × reason. Sum rows over identities for totals.
type StatsRow struct {
	Day            int32   `parquet:"day,date" json:"day" kind:"date"`
	Host           string  `parquet:"host,dict,optional" json:"host"`
	Domain         string  `parquet:"domain,dict,optional" json:"domain"`
	Provider       string  `parquet:"provider,dict,optional" json:"provider"`
	Status         string  `parquet:"status,dict" json:"status"`
	Class          string  `parquet:"class,dict,optional" json:"class"`
	Reason         string  `parquet:"reason,dict,optional" json:"reason"`
	SourceIdentity string  `parquet:"source_identity,dict" json:"source_identity"`
	Events         int64   `parquet:"events" json:"events" kind:"always"`
	Recipients     int64   `parquet:"recipients" json:"recipients" kind:"always"`
	DelaySum       float64 `parquet:"delay_sum_seconds" json:"delay_sum_seconds" kind:"always"`
	Delayed        int64   `parquet:"delayed_events" json:"delayed_events" kind:"always"`
	FirstTime      int64   `parquet:"first_time,timestamp(microsecond:utc),optional" json:"first_time" kind:"time"`
	LastTime       int64   `parquet:"last_time,timestamp(microsecond:utc),optional" json:"last_time" kind:"time"`
	// With Options.Taxonomy only, as in EventRow (from Reason).
	Sisimai4Reason string `parquet:"sisimai4_reason,dict,optional" json:"sisimai4_reason" opt:"taxonomy"`
	BounceCategory string `parquet:"bounce_category,dict,optional" json:"bounce_category" opt:"taxonomy"`
}

// micros is a time as microseconds since the epoch in UTC, 0 for the zero
// time (a null).
func micros(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMicro()
}

// splitID returns the identity and the index on the line of an event id
// (IDENTITY-OFFSET[-INDEX]).
func splitID(id string) (identity string, index int32) {
	i := strings.IndexByte(id, '-')
	if i < 0 {
		return id, 0
	}
	identity = id[:i]
	rest := id[i+1:]
	if j := strings.IndexByte(rest, '-'); j >= 0 {
		for _, c := range rest[j+1:] {
			if c < '0' || c > '9' {
				return identity, 0
			}
			index = index*10 + int32(c-'0')
		}
	}
	return identity, index
}

// eventRow copies what the row needs out of e (e itself is not kept).
func eventRow(e *bouncescan.Event) EventRow {
	identity, index := splitID(e.ID)
	r := EventRow{
		EventID: e.ID, Time: micros(e.Time), Host: e.Host, MTA: e.MTA, Source: e.Source,
		SourceIdentity: identity, Line: e.Line, Offset: e.Offset, EventIndex: index,
		QueueID: e.QueueID, MessageID: e.MessageID, Sender: e.Sender, Size: e.Size,
		Recipient: e.Recipient, OrigRecipient: e.OrigRecipient, Domain: e.Domain,
		Process: e.Process, Relay: e.Relay, RelayIP: e.RelayIP, RelayPort: int32(e.RelayPort),
		DelaySeconds: e.Delay, Attempt: int32(e.Attempt), Status: e.Status.String(),
		Stage: e.Stage.String(), EnhancedCode: e.EnhancedCode, DSN: e.DSN, Text: e.Text,
		NextQueueID: e.NextQueueID, Hop: e.Hop,
	}
	if e.ReplyCode != 0 {
		r.ReplyCode = replyCode(e.ReplyCode)
	}
	if v := e.Verdict; v != nil {
		r.Class, r.Subject, r.Reason, r.Provider, r.Rule, r.Evidence = v.Class.String(), v.Subject.String(), v.Reason, v.Provider, v.Rule, v.Evidence
		if len(v.Flags) > 0 {
			r.Flags = strings.Join(v.Flags, ",")
		}
	}
	return r
}

// replyCode writes a reply code as a string without allocating for the
// usual three digits.
func replyCode(c int) string {
	if c >= 200 && c < 600 {
		return replyCodes[c-200]
	}
	return itoa(int64(c))
}

func itoa(v int64) string {
	var b [20]byte
	i := len(b)
	neg := v < 0
	if neg {
		v = -v
	}
	for {
		i--
		b[i] = byte('0' + v%10)
		v /= 10
		if v == 0 {
			break
		}
	}
	if neg {
		i--
		b[i] = '-'
	}
	return string(b[i:])
}

var replyCodes = func() (t [400]string) {
	for i := range t {
		t[i] = itoa(int64(i + 200))
	}
	return t
}()
