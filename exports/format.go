package exports

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"strconv"
	"unicode/utf8"

	"github.com/pnyx-civic/pnyx/opendata"
	"github.com/pnyx-civic/pnyx/projections/readmodel"
)

// A TableWriter writes the rows of one dataset in one format, streaming:
// it holds one row (Parquet: one row group) in memory, whatever the size
// of the dataset. Rows come as the read model scans them (null, integer,
// float or text), one value per field of the dataset in the catalog's
// order, and are written as the field's catalog type. WriteRow keeps
// nothing of the row it is given.
type TableWriter interface {
	WriteRow(r *readmodel.DatasetRow) error
	// Close writes what the format ends with; it does not close the
	// underlying writer.
	Close() error
}

// NewTableWriter returns the writer of format for dataset d on w.
func NewTableWriter(format opendata.Format, d opendata.Dataset, w io.Writer) (TableWriter, error) {
	switch format.Ext {
	case "csv":
		return newCSV(d, w, false)
	case "excel.csv":
		return newCSV(d, w, true)
	case "json":
		return newJSON(d, w, false), nil
	case "ndjson":
		return newJSON(d, w, true), nil
	case "parquet":
		return newParquet(d, w)
	}
	return nil, fmt.Errorf("exports: no writer for format %q", format.Ext)
}

// csvWriter writes RFC 4180 CSV in UTF-8: a header of the field names,
// fields quoted when they hold a comma, a quote, a line break or a leading
// or trailing space, quotes doubled. Lines end in LF, or in the excel
// dialect in CRLF after a byte order mark, which spreadsheet programs need
// to read Greek as UTF-8. Null is an empty field; booleans are true and
// false.
type csvWriter struct {
	w     *bufio.Writer
	types []opendata.Type
	eol   string
	buf   []byte
}

func newCSV(d opendata.Dataset, w io.Writer, excel bool) (*csvWriter, error) {
	c := &csvWriter{w: bufio.NewWriterSize(w, 64<<10), types: fieldTypes(d), eol: "\n"}
	if excel {
		c.eol = "\r\n"
		c.w.WriteString("\ufeff")
	}
	for i, name := range d.FieldNames() {
		if i > 0 {
			c.buf = append(c.buf, ',')
		}
		c.buf = appendCSVField(c.buf, name)
	}
	c.buf = append(c.buf, c.eol...)
	_, err := c.w.Write(c.buf)
	return c, err
}

func (c *csvWriter) WriteRow(r *readmodel.DatasetRow) error {
	b := c.buf[:0]
	for i := range r.Len() {
		if i > 0 {
			b = append(b, ',')
		}
		switch r.Kind(i) {
		case readmodel.ValueText:
			b = appendCSVField(b, r.Text(i))
		case readmodel.ValueInteger:
			if c.types[i] == opendata.Boolean {
				b = strconv.AppendBool(b, r.Int(i) != 0)
			} else {
				b = strconv.AppendInt(b, r.Int(i), 10)
			}
		case readmodel.ValueFloat:
			b = strconv.AppendFloat(b, r.Float(i), 'g', -1, 64)
		}
	}
	b = append(b, c.eol...)
	c.buf = b
	_, err := c.w.Write(b)
	return err
}

func (c *csvWriter) Close() error { return c.w.Flush() }

// appendCSVField appends s, quoted when RFC 4180 needs it (and when it
// starts or ends with a space, which spreadsheet programs would trim).
func appendCSVField[T string | []byte](b []byte, s T) []byte {
	quote := len(s) > 0 && (s[0] == ' ' || s[len(s)-1] == ' ')
	if !quote {
		for i := 0; i < len(s); i++ {
			if c := s[i]; c == ',' || c == '"' || c == '\n' || c == '\r' {
				quote = true
				break
			}
		}
	}
	if !quote {
		return append(b, s...)
	}
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		if s[i] == '"' {
			b = append(b, '"')
		}
		b = append(b, s[i])
	}
	return append(b, '"')
}

// jsonWriter writes rows as JSON objects with the fields in catalog order:
// an array of them, or one a line (NDJSON). Null is null, booleans are
// JSON booleans; the text is UTF-8, Greek unescaped.
type jsonWriter struct {
	w      *bufio.Writer
	types  []opendata.Type
	keys   [][]byte // `"name":` of each field
	lines  bool
	n      int64
	buf    []byte
	closed bool
}

func newJSON(d opendata.Dataset, w io.Writer, lines bool) *jsonWriter {
	j := &jsonWriter{w: bufio.NewWriterSize(w, 64<<10), types: fieldTypes(d), lines: lines}
	for _, name := range d.FieldNames() {
		j.keys = append(j.keys, append(appendJSONString(nil, name), ':'))
	}
	return j
}

func (j *jsonWriter) WriteRow(r *readmodel.DatasetRow) error {
	b := j.buf[:0]
	switch {
	case j.lines:
	case j.n == 0:
		b = append(b, "[\n"...)
	default:
		b = append(b, ",\n"...)
	}
	b = append(b, '{')
	for i := range r.Len() {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, j.keys[i]...)
		switch r.Kind(i) {
		case readmodel.ValueNull:
			b = append(b, "null"...)
		case readmodel.ValueText:
			b = appendJSONString(b, r.TextString(i))
		case readmodel.ValueInteger:
			if j.types[i] == opendata.Boolean {
				b = strconv.AppendBool(b, r.Int(i) != 0)
			} else {
				b = strconv.AppendInt(b, r.Int(i), 10)
			}
		case readmodel.ValueFloat:
			if x := r.Float(i); math.IsInf(x, 0) || math.IsNaN(x) {
				b = append(b, "null"...)
			} else {
				b = strconv.AppendFloat(b, x, 'g', -1, 64)
			}
		}
	}
	b = append(b, '}')
	if j.lines {
		b = append(b, '\n')
	}
	j.n++
	j.buf = b
	_, err := j.w.Write(b)
	return err
}

func (j *jsonWriter) Close() error {
	if !j.lines && !j.closed {
		if j.n == 0 {
			j.w.WriteString("[]\n")
		} else {
			j.w.WriteString("\n]\n")
		}
	}
	j.closed = true
	return j.w.Flush()
}

const hexDigits = "0123456789abcdef"

// appendJSONString appends s as a JSON string: quotes, backslashes and
// control characters escaped, U+2028 and U+2029 too (JavaScript reads
// them as line ends), invalid UTF-8 replaced by U+FFFD.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

func fieldTypes(d opendata.Dataset) []opendata.Type {
	ts := make([]opendata.Type, len(d.Fields))
	for i, f := range d.Fields {
		ts[i] = f.Type
	}
	return ts
}
