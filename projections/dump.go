package projections

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Dump writes a canonical text dump of the serving tables of the named
// projections (every projection with serving tables when none is named) to
// w: for each table, sorted by logical name, its columns in declared order,
// then its rows rendered as text and sorted. Two read models are the same
// when their dumps are equal byte for byte, whatever their build numbers,
// row ids or insertion order. Dump reads in one transaction, so the dump
// is a consistent snapshot even while a runner writes. It returns a
// not_found error for a named projection with no serving tables.
func Dump(ctx context.Context, db *sql.DB, w io.Writer, projections ...string) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if len(projections) == 0 {
		projections, err = stringsOf(ctx, tx, `SELECT DISTINCT projection FROM projection_checkpoints
			WHERE status = ? ORDER BY projection`, statusServing)
		if err != nil {
			return fmt.Errorf("dump: %w", err)
		}
	}
	bw := bufio.NewWriter(w)
	for _, p := range projections {
		tables, err := ServingTables(ctx, tx, p)
		if err != nil {
			return err
		}
		names := make([]string, 0, len(tables))
		contentless := map[string]bool{}
		for logical, physical := range tables {
			var kind, def string
			if err := tx.QueryRowContext(ctx, `SELECT type, coalesce(sql, '') FROM sqlite_schema WHERE name = ?`, physical).Scan(&kind, &def); err != nil {
				return fmt.Errorf("dump %s.%s: %w", p, logical, err)
			}
			if kind == "table" {
				names = append(names, logical)
				contentless[logical] = strings.Contains(def, "USING fts5(") && strings.Contains(def, "content = ''")
			}
		}
		slices.Sort(names)
		for _, logical := range names {
			dump := dumpTable
			if contentless[logical] {
				dump = dumpIndex
			}
			if err := dump(ctx, tx, bw, p, logical, tables[logical]); err != nil {
				return fmt.Errorf("dump %s.%s: %w", p, logical, err)
			}
		}
	}
	return bw.Flush()
}

func dumpTable(ctx context.Context, tx *sql.Tx, w *bufio.Writer, projection, logical, physical string) error {
	rows, err := tx.QueryContext(ctx, `SELECT * FROM "`+physical+`"`)
	if err != nil {
		return err
	}
	defer rows.Close()
	cols, err := rows.ColumnTypes()
	if err != nil {
		return err
	}
	header := make([]string, len(cols))
	for i, c := range cols {
		header[i] = c.Name() + " " + c.DatabaseTypeName()
	}
	var lines []string
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	var b strings.Builder
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		b.Reset()
		for i, v := range vals {
			if i > 0 {
				b.WriteByte('\t')
			}
			writeValue(&b, v)
		}
		lines = append(lines, b.String())
	}
	if err := rows.Err(); err != nil {
		return err
	}
	slices.Sort(lines)
	fmt.Fprintf(w, "## %s.%s (%d rows)\n%s\n", projection, logical, len(lines), strings.Join(header, "\t"))
	for _, l := range lines {
		w.WriteString(l)
		w.WriteByte('\n')
	}
	return nil
}

// dumpIndex writes what a contentless FTS5 table indexes, which it keeps
// no copy of: for each row and column, the terms in the order of the text,
// read through a temporary fts5vocab table of the index.
func dumpIndex(ctx context.Context, tx *sql.Tx, w *bufio.Writer, projection, logical, physical string) error {
	if _, err := tx.ExecContext(ctx, `CREATE VIRTUAL TABLE temp.pnyx_dump_terms USING fts5vocab(main, '`+physical+`', 'instance')`); err != nil {
		return err
	}
	defer tx.ExecContext(context.WithoutCancel(ctx), `DROP TABLE temp.pnyx_dump_terms`)
	rows, err := tx.QueryContext(ctx, `SELECT doc, col, group_concat(term, ' ' ORDER BY "offset") FROM temp.pnyx_dump_terms
		GROUP BY doc, col ORDER BY doc, col`)
	if err != nil {
		return err
	}
	defer rows.Close()
	var lines []string
	var b strings.Builder
	for rows.Next() {
		var doc int64
		var col, terms string
		if err := rows.Scan(&doc, &col, &terms); err != nil {
			return err
		}
		b.Reset()
		writeValue(&b, doc)
		b.WriteByte('\t')
		writeValue(&b, col)
		b.WriteByte('\t')
		writeValue(&b, terms)
		lines = append(lines, b.String())
	}
	if err := rows.Err(); err != nil {
		return err
	}
	fmt.Fprintf(w, "## %s.%s (%d indexed columns of rows)\nrowid\tcolumn\tterms\n", projection, logical, len(lines))
	for _, l := range lines {
		w.WriteString(l)
		w.WriteByte('\n')
	}
	return nil
}

// writeValue renders one SQLite value unambiguously: NULL, integers and
// reals as Go literals, text quoted (UTF-8 kept readable), blobs as x'hex'.
func writeValue(b *strings.Builder, v any) {
	switch v := v.(type) {
	case nil:
		b.WriteString("NULL")
	case int64:
		b.WriteString(strconv.FormatInt(v, 10))
	case float64:
		if v == math.Trunc(v) && !math.IsInf(v, 0) && math.Abs(v) < 1e15 {
			b.WriteString(strconv.FormatFloat(v, 'f', 1, 64))
		} else {
			b.WriteString(strconv.FormatFloat(v, 'g', -1, 64))
		}
	case string:
		b.WriteString(strconv.Quote(v))
	case []byte:
		b.WriteString("x'" + hex.EncodeToString(v) + "'")
	case bool:
		b.WriteString(strconv.FormatBool(v))
	case time.Time:
		b.WriteString(v.UTC().Format(time.RFC3339Nano))
	default:
		fmt.Fprintf(b, "%v", v)
	}
}
