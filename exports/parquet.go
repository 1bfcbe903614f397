package exports

import (
	"fmt"
	"io"
	"time"

	"github.com/parquet-go/parquet-go"

	"github.com/pnyx-civic/pnyx/opendata"
	"github.com/pnyx-civic/pnyx/projections/readmodel"
)

// parquetRowGroup bounds the rows a Parquet writer holds before it writes
// a row group, and so its memory.
const parquetRowGroup = 64 << 10

// parquetBatch is how many rows are handed to the Parquet writer at once.
const parquetBatch = 512

// parquetWriter writes a dataset as one Parquet file: every column
// optional (null where the read model has none), strings as UTF-8
// strings, integers as INT64, booleans as BOOLEAN, numbers as DOUBLE and
// times as TIMESTAMP(NANOS, UTC), Snappy-compressed. Parquet orders a
// group's columns by name; the names are the catalog's.
type parquetWriter struct {
	w     *parquet.Writer
	types []opendata.Type
	leaf  []int // leaf column index of each field
	rows  []parquet.Row
	n     int
}

func parquetNode(t opendata.Type) parquet.Node {
	switch t {
	case opendata.Integer:
		return parquet.Int(64)
	case opendata.Boolean:
		return parquet.Leaf(parquet.BooleanType)
	case opendata.Number:
		return parquet.Leaf(parquet.DoubleType)
	case opendata.DateTime:
		return parquet.Timestamp(parquet.Nanosecond)
	}
	return parquet.String()
}

// ParquetSchema is the Parquet schema of dataset d.
func ParquetSchema(d opendata.Dataset) *parquet.Schema {
	g := parquet.Group{}
	for _, f := range d.Fields {
		g[f.Name] = parquet.Optional(parquetNode(f.Type))
	}
	return parquet.NewSchema(d.Name, g)
}

func newParquet(d opendata.Dataset, w io.Writer) (*parquetWriter, error) {
	schema := ParquetSchema(d)
	cfg, err := parquet.NewWriterConfig(schema, parquet.Compression(&parquet.Snappy), parquet.MaxRowsPerRowGroup(parquetRowGroup),
		parquet.CreatedBy("pnyx", "", ""))
	if err != nil {
		return nil, fmt.Errorf("exports: parquet: %w", err)
	}
	p := &parquetWriter{w: parquet.NewWriter(w, cfg), types: fieldTypes(d), leaf: make([]int, len(d.Fields))}
	index := map[string]int{}
	for i, path := range schema.Columns() {
		index[path[0]] = i
	}
	for i, f := range d.Fields {
		p.leaf[i] = index[f.Name]
	}
	p.rows = make([]parquet.Row, parquetBatch)
	for i := range p.rows {
		p.rows[i] = make(parquet.Row, len(d.Fields))
	}
	return p, nil
}

func (p *parquetWriter) WriteRow(r *readmodel.DatasetRow) error {
	row := p.rows[p.n]
	for i := range r.Len() {
		col := p.leaf[i]
		var pv parquet.Value
		switch r.Kind(i) {
		case readmodel.ValueNull:
			row[col] = parquet.NullValue().Level(0, 0, col)
			continue
		case readmodel.ValueText:
			if x := r.TextString(i); p.types[i] == opendata.DateTime {
				if x == "" {
					row[col] = parquet.NullValue().Level(0, 0, col)
					continue
				}
				t, err := time.Parse(time.RFC3339Nano, x)
				if err != nil {
					return fmt.Errorf("exports: parquet: time %q: %w", x, err)
				}
				pv = parquet.Int64Value(t.UnixNano())
			} else {
				// The row group holds the value: a copy of the scan's view.
				pv = parquet.ByteArrayValue([]byte(x))
			}
		case readmodel.ValueInteger:
			if p.types[i] == opendata.Boolean {
				pv = parquet.BooleanValue(r.Int(i) != 0)
			} else {
				pv = parquet.Int64Value(r.Int(i))
			}
		case readmodel.ValueFloat:
			pv = parquet.DoubleValue(r.Float(i))
		}
		row[col] = pv.Level(0, 1, col)
	}
	p.n++
	if p.n == len(p.rows) {
		return p.flush()
	}
	return nil
}

func (p *parquetWriter) flush() error {
	if p.n == 0 {
		return nil
	}
	_, err := p.w.WriteRows(p.rows[:p.n])
	p.n = 0
	return err
}

func (p *parquetWriter) Close() error {
	if err := p.flush(); err != nil {
		return err
	}
	return p.w.Close()
}
