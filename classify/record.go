package classify

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/bouncescan/bouncescan"
)

// Record is a verdict as `bouncescan classify --format json` writes it:
// every key is always there, in this order; reply_code is null when there
// was none, flags an empty list when the data agreed with itself.
type Record struct {
	Class        string   `json:"class"`
	Subject      string   `json:"subject"`
	Reason       string   `json:"reason"`
	EnhancedCode string   `json:"enhanced_code"`
	ReplyCode    *int     `json:"reply_code"`
	Description  string   `json:"description"`
	Provider     string   `json:"provider"`
	Rule         string   `json:"rule"`
	Evidence     string   `json:"evidence"`
	Flags        []string `json:"flags"`
}

// RecordOf turns a verdict into a Record.
func RecordOf(v bouncescan.Verdict) Record {
	r := Record{
		Class:        v.Class.String(),
		Subject:      v.Subject.String(),
		Reason:       v.Reason,
		EnhancedCode: v.EnhancedCode,
		Description:  v.Description,
		Provider:     v.Provider,
		Rule:         v.Rule,
		Evidence:     v.Evidence,
		Flags:        append([]string{}, v.Flags...),
	}
	if v.ReplyCode != 0 {
		code := v.ReplyCode
		r.ReplyCode = &code
	}
	return r
}

// JSONWriter writes one JSON object per verdict, one per line.
type JSONWriter struct {
	enc *json.Encoder
}

// NewJSONWriter writes records to w.
func NewJSONWriter(w io.Writer) *JSONWriter {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return &JSONWriter{enc: enc}
}

// Write writes the verdict as one line of JSON.
func (j *JSONWriter) Write(v bouncescan.Verdict) error {
	return j.enc.Encode(RecordOf(v))
}

// TableWriter writes verdicts as an aligned table for people; call Flush
// at the end. Rows are aligned in blocks of tableBlock rows, so that a long
// input does not pile up in memory.
type TableWriter struct {
	tw *tabwriter.Writer
	n  int
}

// maxEvidence bounds the evidence column of the table.
const maxEvidence = 60

// tableBlock is the number of rows aligned together.
const tableBlock = 1000

// NewTableWriter writes a table with a header line to w.
func NewTableWriter(w io.Writer) *TableWriter {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "#\tCLASS\tSUBJECT\tREASON\tREPLY\tENHANCED\tPROVIDER\tRULE\tEVIDENCE\tFLAGS")
	return &TableWriter{tw: tw}
}

// Write adds the verdict of the next input line.
func (t *TableWriter) Write(v bouncescan.Verdict) error {
	t.n++
	reply := "-"
	if v.ReplyCode != 0 {
		reply = strconv.Itoa(v.ReplyCode)
	}
	ev := strings.Map(func(r rune) rune {
		if r == '\t' || r == '\n' || r == '\r' {
			return ' '
		}
		return r
	}, v.Evidence)
	if len(ev) > maxEvidence {
		cut := maxEvidence
		for cut > 0 && ev[cut]&0xC0 == 0x80 { // do not split a UTF-8 sequence
			cut--
		}
		ev = ev[:cut] + "…"
	}
	_, err := fmt.Fprintf(t.tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", t.n,
		v.Class, dash(v.Subject.String()), v.Reason, reply, dash(v.EnhancedCode), dash(v.Provider),
		v.Rule, dash(ev), dash(strings.Join(v.Flags, ",")))
	if err == nil && t.n%tableBlock == 0 {
		err = t.tw.Flush()
	}
	return err
}

// Flush writes the table out.
func (t *TableWriter) Flush() error { return t.tw.Flush() }

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
