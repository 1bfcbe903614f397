package readmodel

import (
	"fmt"
	"unsafe"
)

// Kind is the kind of one value of a DatasetRow.
type ValueKind uint8

const (
	ValueNull ValueKind = iota
	ValueInteger
	ValueFloat
	ValueText
)

// A DatasetRow is one row of a public dataset as ScanDatasetRows reads
// it: each column's kind and value, read in place. Text is a view of the
// scan's memory, valid only until the row callback returns; Value copies.
// A writer of a whole table reads every value with no allocation.
type DatasetRow struct {
	kinds  []ValueKind
	ints   []int64
	floats []float64
	texts  [][]byte
}

// NewDatasetRow returns a row of n columns, all null, for SetValues.
func NewDatasetRow(n int) *DatasetRow {
	return &DatasetRow{kinds: make([]ValueKind, n), ints: make([]int64, n), floats: make([]float64, n), texts: make([][]byte, n)}
}

// Len is the number of columns.
func (r *DatasetRow) Len() int { return len(r.kinds) }

// Kind is the kind of column i's value.
func (r *DatasetRow) Kind(i int) ValueKind { return r.kinds[i] }

// Int is column i's value when its kind is ValueInteger.
func (r *DatasetRow) Int(i int) int64 { return r.ints[i] }

// Float is column i's value when its kind is ValueFloat.
func (r *DatasetRow) Float(i int) float64 { return r.floats[i] }

// Text is column i's UTF-8 text when its kind is ValueText: a view valid until
// the row callback returns, not to be modified or kept.
func (r *DatasetRow) Text(i int) []byte { return r.texts[i] }

// TextString is Text(i) as a string sharing its memory: for reading it
// during the callback only (parsing, comparing), never for keeping.
func (r *DatasetRow) TextString(i int) string {
	b := r.texts[i]
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

// Value is column i's value as nil, int64, float64 or string, a copy that
// outlives the callback.
func (r *DatasetRow) Value(i int) any {
	switch r.kinds[i] {
	case ValueInteger:
		return r.ints[i]
	case ValueFloat:
		return r.floats[i]
	case ValueText:
		return string(r.texts[i])
	}
	return nil
}

// Values puts every column's Value into vals, which has Len elements.
func (r *DatasetRow) Values(vals []any) {
	for i := range r.kinds {
		vals[i] = r.Value(i)
	}
}

// SetValues sets the row from vals (nil, int64, float64 or string, one
// per column): for rows that come from elsewhere than a scan, such as the
// log's events. The strings are viewed, not copied: keep them unchanged
// while the row is read.
func (r *DatasetRow) SetValues(vals []any) error {
	if len(vals) != len(r.kinds) {
		return fmt.Errorf("readmodel: %d values for a row of %d columns", len(vals), len(r.kinds))
	}
	for i, v := range vals {
		switch x := v.(type) {
		case nil:
			r.kinds[i] = ValueNull
		case int64:
			r.kinds[i], r.ints[i] = ValueInteger, x
		case float64:
			r.kinds[i], r.floats[i] = ValueFloat, x
		case string:
			r.kinds[i], r.texts[i] = ValueText, unsafe.Slice(unsafe.StringData(x), len(x))
		case []byte:
			r.kinds[i], r.texts[i] = ValueText, x
		default:
			return fmt.Errorf("readmodel: value of type %T", v)
		}
	}
	return nil
}
