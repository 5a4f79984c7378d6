package export

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
	"unsafe"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/compress/zstd"
)

// Formats are the file formats Export writes.
var formatExts = map[string]string{"parquet": ".parquet", "csv": ".csv", "ndjson": ".ndjson"}

// Formats lists the output formats, in the order shown to users.
func Formats() []string { return []string{"parquet", "csv", "ndjson"} }

// rowWriter writes rows of one table to one file.
type rowWriter[T any] interface {
	write(rows []T) error
	close() error // flushes; does not close the underlying file
}

func newRowWriter[T any](format string, w io.Writer, o *Options) rowWriter[T] {
	switch format {
	case "csv":
		return newCSVWriter[T](w, o.Taxonomy != nil)
	case "ndjson":
		return newNDJSONWriter[T](w, o.Taxonomy != nil)
	}
	return newParquetWriter[T](w, o)
}

// written tells whether a field of a row is a column of the file: the
// taxonomy columns (opt:"taxonomy") only with Options.Taxonomy.
func written(f reflect.StructField, taxonomy bool) bool {
	return taxonomy || f.Tag.Get("opt") != "taxonomy"
}

// parquetWriter writes with parquet-go: zstd for every column, dictionary
// pages where the schema says dict, row groups of RowGroupRows rows. Rows
// are handed to parquet-go as parquet.Row values with explicit definition
// levels: an unknown (zero) value of an optional column is a null. (The
// generic struct writer of v0.32.0 wrote some empty strings of optional
// dictionary columns as "" instead of null; the DuckDB test caught it.)
type parquetWriter[T any] struct {
	w    *parquet.Writer
	cols []pcolumn
	rows []parquet.Row
}

type pcolumn struct {
	index    int
	optional bool
}

func newParquetWriter[T any](w io.Writer, o *Options) *parquetWriter[T] {
	opts := []parquet.WriterOption{
		parquet.Compression(&zstd.Codec{Level: zstd.SpeedFastest}),
		parquet.MaxRowsPerRowGroup(int64(o.rowGroupRows())),
		parquet.CreatedBy("bouncescan", o.Version, ""),
		parquet.KeyValueMetadata("bouncescan.schema_version", strconv.Itoa(SchemaVersion)),
		parquet.KeyValueMetadata("bouncescan.redacted", strconv.FormatBool(o.Redacted)),
	}
	t := reflect.TypeFor[T]()
	var cols []pcolumn
	var fields []reflect.StructField
	for i := range t.NumField() {
		if !written(t.Field(i), o.Taxonomy != nil) {
			continue
		}
		tag := t.Field(i).Tag.Get("parquet")
		cols = append(cols, pcolumn{index: i, optional: strings.Contains(tag, ",optional")})
		fields = append(fields, t.Field(i))
	}
	schema := parquet.SchemaOf(new(T))
	if len(fields) < t.NumField() {
		// the row type without the columns left out, under the row's name
		schema = parquet.NewSchema(t.Name(), parquet.SchemaOf(reflect.New(reflect.StructOf(fields)).Interface()))
	}
	return &parquetWriter[T]{w: parquet.NewWriter(w, append(opts, schema)...), cols: cols}
}

func (p *parquetWriter[T]) write(rows []T) error {
	if cap(p.rows) < len(rows) {
		p.rows = make([]parquet.Row, len(rows))
	}
	out := p.rows[:len(rows)]
	for i := range rows {
		v := reflect.ValueOf(&rows[i]).Elem()
		r := out[i][:0]
		for c, col := range p.cols {
			f := v.Field(col.index)
			var pv parquet.Value
			switch f.Kind() {
			case reflect.String:
				pv = parquet.ByteArrayValue(unsafeBytes(f.String()))
			case reflect.Bool:
				pv = parquet.BooleanValue(f.Bool())
			case reflect.Float64:
				pv = parquet.DoubleValue(f.Float())
			case reflect.Int32:
				pv = parquet.Int32Value(int32(f.Int()))
			default:
				pv = parquet.Int64Value(f.Int())
			}
			def := 0
			if col.optional {
				if f.IsZero() {
					pv = parquet.NullValue()
				} else {
					def = 1
				}
			}
			r = append(r, pv.Level(0, def, c))
		}
		out[i] = r
	}
	_, err := p.w.WriteRows(out)
	return err
}

func (p *parquetWriter[T]) close() error { return p.w.Close() }

// unsafeBytes is s as bytes without a copy (strings are immutable and
// parquet-go does not write into the values it is given).
func unsafeBytes(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }

// column is how CSV and NDJSON write one field of a row.
type column struct {
	name  string
	index int
	kind  string // "time" (µs → RFC 3339), "date" (days → YYYY-MM-DD), "always" (zero is a value), "" (zero is null)
}

func columnsOf(t reflect.Type, taxonomy bool) []column {
	var cols []column
	for i := range t.NumField() {
		f := t.Field(i)
		if !written(f, taxonomy) {
			continue
		}
		cols = append(cols, column{name: f.Tag.Get("json"), index: i, kind: f.Tag.Get("kind")})
	}
	return cols
}

// Columns returns the column names of a table ("events" or "stats"), in
// file order, as written without Options.Taxonomy.
func Columns(table string) []string { return columns(table, false) }

// TaxonomyColumns returns the column names of a table as written with
// Options.Taxonomy: Columns, then sisimai4_reason and bounce_category.
func TaxonomyColumns(table string) []string { return columns(table, true) }

func columns(table string, taxonomy bool) []string {
	t := reflect.TypeFor[EventRow]()
	if table == "stats" {
		t = reflect.TypeFor[StatsRow]()
	}
	var names []string
	for _, c := range columnsOf(t, taxonomy) {
		names = append(names, c.name)
	}
	return names
}

// cell formats one field; null reports an unknown value.
func cell(v reflect.Value, c column) (s string, null bool) {
	switch v.Kind() {
	case reflect.String:
		return v.String(), v.String() == "" && c.kind != "always"
	case reflect.Bool:
		return strconv.FormatBool(v.Bool()), false
	case reflect.Float64:
		f := v.Float()
		return strconv.FormatFloat(f, 'f', -1, 64), f == 0 && c.kind != "always"
	}
	n := v.Int()
	switch c.kind {
	case "time":
		if n == 0 {
			return "", true
		}
		return time.UnixMicro(n).UTC().Format("2006-01-02T15:04:05.000000Z"), false
	case "date":
		return time.Unix(n*86400, 0).UTC().Format(time.DateOnly), false
	case "always":
		return strconv.FormatInt(n, 10), false
	}
	return strconv.FormatInt(n, 10), n == 0
}

// csvWriter writes RFC 4180 CSV with a header row; nulls are empty cells.
type csvWriter[T any] struct {
	w      *csv.Writer
	cols   []column
	header bool
	rec    []string
}

func newCSVWriter[T any](w io.Writer, taxonomy bool) *csvWriter[T] {
	cols := columnsOf(reflect.TypeFor[T](), taxonomy)
	return &csvWriter[T]{w: csv.NewWriter(w), cols: cols, rec: make([]string, len(cols))}
}

func (c *csvWriter[T]) write(rows []T) error {
	if !c.header {
		c.header = true
		for i, col := range c.cols {
			c.rec[i] = col.name
		}
		if err := c.w.Write(c.rec); err != nil {
			return err
		}
	}
	for i := range rows {
		v := reflect.ValueOf(&rows[i]).Elem()
		for j, col := range c.cols {
			c.rec[j], _ = cell(v.Field(col.index), col)
		}
		if err := c.w.Write(c.rec); err != nil {
			return err
		}
	}
	return nil
}

func (c *csvWriter[T]) close() error {
	c.w.Flush()
	return c.w.Error()
}

// ndjsonWriter writes one JSON object per row, every column present, null
// where unknown, timestamps as RFC 3339 strings in UTC.
type ndjsonWriter[T any] struct {
	bw   *bufio.Writer
	cols []column
	buf  []byte
}

func newNDJSONWriter[T any](w io.Writer, taxonomy bool) *ndjsonWriter[T] {
	return &ndjsonWriter[T]{bw: bufio.NewWriterSize(w, 64<<10), cols: columnsOf(reflect.TypeFor[T](), taxonomy)}
}

func (n *ndjsonWriter[T]) write(rows []T) error {
	for i := range rows {
		n.buf = n.row(reflect.ValueOf(&rows[i]).Elem())
		if _, err := n.bw.Write(n.buf); err != nil {
			return err
		}
	}
	return nil
}

// row encodes one row with encoding/json's string escaping.
func (n *ndjsonWriter[T]) row(v reflect.Value) []byte {
	b := append(n.buf[:0], '{')
	for j, col := range n.cols {
		if j > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, col.name)
		b = append(b, ':')
		f := v.Field(col.index)
		s, null := cell(f, col)
		switch {
		case null:
			b = append(b, "null"...)
		case f.Kind() == reflect.String || col.kind == "time" || col.kind == "date":
			b = appendJSONString(b, s)
		default:
			b = append(b, s...)
		}
	}
	return append(b, '}', '\n')
}

// appendJSONString appends s as a JSON string: quotes, backslashes and
// control bytes escaped, invalid UTF-8 replaced by U+FFFD (as
// encoding/json does), nothing else (no HTML escaping).
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c == '\n':
				b = append(b, '\\', 'n')
			case c == '\r':
				b = append(b, '\\', 'r')
			case c == '\t':
				b = append(b, '\\', 't')
			case c < 0x20:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, "\\ufffd"...)
		} else {
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return append(b, '"')
}

func (n *ndjsonWriter[T]) close() error { return n.bw.Flush() }

// errorf names the file in a write error.
func errorf(path string, err error) error { return fmt.Errorf("%s: %w", path, err) }
