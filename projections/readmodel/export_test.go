package readmodel

import (
	"context"
	"database/sql"
	"fmt"
	"reflect"
	"strings"

	"github.com/pnyx-civic/pnyx/projections"
)

// WrapQueries makes every Snapshot of m read through wrap(tx): tests
// record query plans with it.
func WrapQueries(m *ReadModel, wrap func(projections.Queryer) projections.Queryer) { m.wrap = wrap }

// EncodeCursor is encodeCursor, for tests that forge cursors.
var EncodeCursor = encodeCursor

// RowsReadBack checks every row of every table in db, the read-write
// handle of a built read model: read into its row type through its
// columns, it writes back the values it was read from, which is what a
// batch writes for a row it loaded and changed nothing of. It returns the
// number of rows checked.
func RowsReadBack(ctx context.Context, db *sql.DB) (int, error) {
	n := 0
	for _, t := range tables {
		m, err := t.(interface {
			readBack(context.Context, *sql.DB) (int, error)
		}).readBack(ctx, db)
		if err != nil {
			return n, err
		}
		n += m
	}
	return n, nil
}

func (t *table[K, R]) readBack(ctx context.Context, db *sql.DB) (int, error) {
	var names []string
	for _, c := range t.columns {
		names = append(names, c.name)
	}
	rows, err := db.QueryContext(ctx, "SELECT "+strings.Join(names, ", ")+" FROM "+t.name)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		vals := make([]any, len(t.columns))
		dest := make([]any, len(vals))
		for i := range vals {
			dest[i] = &vals[i]
		}
		if err := rows.Scan(dest...); err != nil {
			return n, err
		}
		var k K
		r := t.newRow(k)
		var want []any
		for i, c := range t.columns {
			if c.name != t.auto {
				want = append(want, normal(vals[i]))
			}
			c.set(&r, vals[i])
		}
		got := t.values(&r)
		for i := range got {
			got[i] = normal(got[i])
		}
		if !reflect.DeepEqual(got, want) {
			return n, fmt.Errorf("%s: read %#v, writes back %#v", t.name, want, got)
		}
		n++
	}
	return n, rows.Err()
}

// normal is a value as SQLite stores it.
func normal(v any) any {
	switch v := v.(type) {
	case bool:
		if v {
			return int64(1)
		}
		return int64(0)
	case []byte:
		return string(v)
	}
	return v
}

// ScanThroughTx is a dataset scan through the snapshot's transaction
// (database/sql), the plain reading the tests compare the scans with.
func ScanThroughTx(ctx context.Context, s *Snapshot, name string, columns func([]string) error, row func(*DatasetRow) error) error {
	return s.scanThroughTx(ctx, datasetQueries[name], columns, row)
}

// OwnConnections is how many connections of its own s's scans have
// opened at its state (0: they read through its transaction).
func OwnConnections(s *Snapshot) int {
	s.readers.mu.Lock()
	defer s.readers.mu.Unlock()
	return len(s.readers.all)
}
