package readmodel

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/pnyx-civic/pnyx/events"
)

// Lists page by keyset: each list has one order, a sort key of columns
// that never change once a row is written, ending with the row's primary
// key, and an index that serves it for each filter. A page reads its rows
// with "key > the cursor's key ORDER BY key LIMIT First+1", so a page
// costs the same wherever it is, and rows appended later (a new decision
// sorts by its adoption, later than a cursor taken before) are found by a
// cursor taken before them, none skipped, none repeated.
//
// A cursor is the list's name and the key of the row it points after,
// as a JSON array in base64url: opaque to callers, and checked on the way
// back (a cursor of another list is invalid, not a silent wrong answer).

// maxCursorBytes bounds the cursor a caller may send.
const maxCursorBytes = 2048

// listSpec is one list query: the rows it reads and the order its cursors
// follow.
type listSpec[T any] struct {
	name    string   // the list and its order, the cursor's tag
	columns string   // the select list scan reads
	from    string   // the FROM clause
	args    []any    // of the placeholders in from (none in columns)
	key     []string // the sort key, ascending, ending with the primary key
	scan    func(scanner) (T, error)
}

// keyed scans a row's columns, then the key columns after them.
type keyed struct {
	s   scanner
	key []any
}

func (k *keyed) Scan(dest ...any) error {
	for i := range k.key {
		dest = append(dest, &k.key[i])
	}
	return k.s.Scan(dest...)
}

// runList reads one page of l selected by q, and its total if asked: in
// the list's order, or in reverse with p.Desc (newest first for the lists
// by time), each with cursors of its own.
func runList[T any](ctx context.Context, s *Snapshot, l listSpec[T], q query, p Page) (List[T], error) {
	first, err := p.size()
	if err != nil {
		return List[T]{}, err
	}
	name, order := l.name, strings.Join(l.key, ", ")
	if p.Desc {
		name, order = l.name+descSuffix, strings.Join(l.key, " DESC, ")+" DESC"
	}
	after, err := decodeCursor(p.After, name, len(l.key))
	if err != nil {
		return List[T]{}, err
	}
	var keys [][]any
	read := func(cond string, condArgs []any, limit int) ([]T, error) {
		where := query{conds: append([]string(nil), q.conds...), args: append([]any(nil), q.args...)}
		if cond != "" {
			where.where(cond, condArgs...)
		}
		text := "SELECT " + l.columns + ", " + strings.Join(l.key, ", ") + " FROM " + l.from + where.String() +
			" ORDER BY " + order + " LIMIT ?"
		args := append(append(append([]any(nil), l.args...), where.args...), limit)
		return queryRows(ctx, s.q, text, args, func(sc scanner) (T, error) {
			k := &keyed{s: sc, key: make([]any, len(l.key))}
			v, err := l.scan(k)
			keys = append(keys, k.key)
			return v, err
		})
	}
	var items []T
	switch {
	case after == nil:
		items, err = read("", nil, first+1)
	case !p.Desc:
		cond, args := keysetAfter(l.key, after, q.fixed)
		items, err = read(cond, args, first+1)
	default:
		// In reverse, rows whose first free key column is NULL sort last,
		// where no comparison with the cursor's value finds them: once the
		// rows below the cursor run out, the page goes on with them.
		cols, vals := freeKey(l.key, after, q.fixed)
		cond, args := before(cols, vals)
		items, err = read(cond, args, first+1)
		if err == nil && len(items) <= first && len(cols) > 1 && vals[0] != nil && !q.bounded[cols[0]] {
			var more []T
			more, err = read(cols[0]+" IS NULL", nil, first+1-len(items))
			items = append(items, more...)
		}
	}
	if err != nil {
		return List[T]{}, err
	}
	out := List[T]{Items: items, Next: p.After, keys: keys, name: name}
	if len(out.Items) > first {
		out.Items, out.HasMore = out.Items[:first], true
	}
	if out.Items == nil {
		out.Items = []T{}
	}
	if n := len(out.Items); n > 0 {
		if out.Next, err = encodeCursor(name, keys[n-1]); err != nil {
			return List[T]{}, err
		}
	}
	if p.Total {
		var total int
		if err := s.q.QueryRowContext(ctx, "SELECT count(*) FROM "+l.from+q.String(),
			append(append([]any(nil), l.args...), q.args...)...).Scan(&total); err != nil {
			return List[T]{}, readError(err)
		}
		out.Total = &total
	}
	return out, nil
}

// descSuffix tags the cursors of a list read in reverse, so that a cursor
// of one direction is refused in the other.
const descSuffix = ":desc"

// keysetAfter returns the condition "the row's key sorts after key": one
// row-value comparison SQLite serves from the index, without the columns
// the filters fix (which the index holds constant). A NULL sorts first, as
// SQLite sorts it.
func keysetAfter(cols []string, key []any, fixed map[string]bool) (string, []any) {
	return after(freeKey(cols, key, fixed))
}

// freeKey is the key's columns and values without those the filters fix.
func freeKey(cols []string, key []any, fixed map[string]bool) ([]string, []any) {
	var cs []string
	var vs []any
	for i, c := range cols {
		if !fixed[c] {
			cs, vs = append(cs, c), append(vs, key[i])
		}
	}
	return cs, vs
}

// before is after for a list read in reverse: the rows whose key sorts
// before key. A NULL sorts last in reverse; the rows with a NULL first
// column after a cursor that has none are runList's to add. The columns
// after the first are ids, never NULL, in every list.
func before(cols []string, key []any) (string, []any) {
	switch {
	case len(cols) == 0:
		return "0", nil
	case key[0] == nil:
		if len(cols) == 1 {
			return "0", nil
		}
		rest, args := before(cols[1:], key[1:])
		return "(" + cols[0] + " IS NULL AND " + rest + ")", args
	case len(cols) == 1:
		return cols[0] + " < ?", key
	}
	for _, v := range key[1:] {
		if v == nil {
			rest, args := before(cols[1:], key[1:])
			return "(" + cols[0] + " < ? OR (" + cols[0] + " = ? AND " + rest + "))", append([]any{key[0], key[0]}, args...)
		}
	}
	return "(" + strings.Join(cols, ", ") + ") < (?" + strings.Repeat(", ?", len(cols)-1) + ")", key
}

func after(cols []string, key []any) (string, []any) {
	switch {
	case len(cols) == 0:
		return "0", nil // the filters fix the whole key: one row, already read
	case key[0] == nil:
		if len(cols) == 1 {
			return cols[0] + " IS NOT NULL", nil
		}
		rest, args := after(cols[1:], key[1:])
		return "((" + cols[0] + " IS NULL AND " + rest + ") OR " + cols[0] + " IS NOT NULL)", args
	case len(cols) == 1:
		return cols[0] + " > ?", key
	}
	for _, v := range key[1:] {
		if v == nil {
			rest, args := after(cols[1:], key[1:])
			return "(" + cols[0] + " > ? OR (" + cols[0] + " = ? AND " + rest + "))", append([]any{key[0], key[0]}, args...)
		}
	}
	return "(" + strings.Join(cols, ", ") + ") > (?" + strings.Repeat(", ?", len(cols)-1) + ")", key
}

// encodeCursor returns the cursor of the row with key in list.
func encodeCursor(list string, key []any) (string, error) {
	raw, err := json.Marshal(append([]any{list}, key...))
	if err != nil {
		return "", fmt.Errorf("read model: cursor of %s: %w", list, err)
	}
	return base64.RawURLEncoding.EncodeToString(raw), nil
}

// decodeCursor returns the key a cursor of list holds, nil for "". A
// cursor that does not decode, is of another list or holds a key of
// another shape is an invalid error.
func decodeCursor(cursor, list string, n int) ([]any, error) {
	if cursor == "" {
		return nil, nil
	}
	bad := events.Invalidf("after: not a cursor of this list (%s); pass the next cursor of a page of the same list", list)
	if len(cursor) > maxCursorBytes {
		return nil, bad
	}
	raw, err := base64.RawURLEncoding.DecodeString(cursor)
	if err != nil {
		return nil, bad
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var vals []any
	if err := dec.Decode(&vals); err != nil || dec.More() || len(vals) != n+1 {
		return nil, bad
	}
	if tag, ok := vals[0].(string); !ok || tag != list {
		return nil, bad
	}
	key := vals[1:]
	for i, v := range key {
		switch v := v.(type) {
		case nil, string:
		case json.Number:
			if iv, err := strconv.ParseInt(string(v), 10, 64); err == nil {
				key[i] = iv
			} else if fv, err := strconv.ParseFloat(string(v), 64); err == nil {
				key[i] = fv
			} else {
				return nil, bad
			}
		default:
			return nil, bad
		}
	}
	return key, nil
}

// MaxBatch is the most ids one batch getter takes: a dataloader's batch
// of one request.
const MaxBatch = 500

// getSpec is how the getters of one entity read it by its key.
type getSpec[T any] struct {
	what    string   // such as "vote", for errors
	columns string   // the select list scan reads
	from    string   // the FROM clause
	key     []string // the key columns, the primary key
	scan    func(scanner) (T, error)
}

// getBatch reads the rows of keys (each a value per key column) in one
// query: out[i] answers keys[i], nil when there is no such row. More than
// MaxBatch keys is an invalid error.
func getBatch[T any](ctx context.Context, s *Snapshot, g getSpec[T], keys [][]any) ([]*T, error) {
	if len(keys) > MaxBatch {
		return nil, events.Invalidf("%s: %d ids asked at once, over the maximum of %d", g.what, len(keys), MaxBatch)
	}
	out := make([]*T, len(keys))
	if len(keys) == 0 {
		return out, nil
	}
	seen := map[string]bool{}
	var conds []string
	var args []any
	for _, k := range keys {
		id := keyString(k)
		if seen[id] {
			continue
		}
		seen[id] = true
		args = append(args, k...)
		if len(g.key) > 1 {
			conds = append(conds, "("+strings.Join(g.key, " = ? AND ")+" = ?)")
		}
	}
	where := g.key[0] + " IN (?" + strings.Repeat(", ?", len(seen)-1) + ")"
	if len(g.key) > 1 {
		where = strings.Join(conds, " OR ")
	}
	type found struct {
		row T
		key []any
	}
	rows, err := queryRows(ctx, s.q, "SELECT "+g.columns+", "+strings.Join(g.key, ", ")+" FROM "+g.from+" WHERE "+where, args,
		func(sc scanner) (found, error) {
			k := &keyed{s: sc, key: make([]any, len(g.key))}
			v, err := g.scan(k)
			return found{v, k.key}, err
		})
	if err != nil {
		return nil, err
	}
	byKey := make(map[string]*T, len(rows))
	for i := range rows {
		byKey[keyString(rows[i].key)] = &rows[i].row
	}
	for i, k := range keys {
		out[i] = byKey[keyString(k)]
	}
	return out, nil
}

// getOne reads the row of one key, or returns a not_found error naming it.
func getOne[T any](ctx context.Context, s *Snapshot, g getSpec[T], key ...any) (T, error) {
	rows, err := getBatch(ctx, s, g, [][]any{key})
	if err != nil {
		var zero T
		return zero, err
	}
	if rows[0] == nil {
		var zero T
		return zero, events.Errorf(events.CodeNotFound, "%s %s not found", g.what, keyText(key))
	}
	return *rows[0], nil
}

// idKeys turns a batch of string ids into keys of one column.
func idKeys(list []string) [][]any {
	out := make([][]any, len(list))
	for i, id := range list {
		out[i] = []any{id}
	}
	return out
}

// keyString is a key as a map key: its values with their types, so the
// text "1" and the integer 1 differ.
func keyString(key []any) string {
	var b strings.Builder
	for _, v := range key {
		switch v := v.(type) {
		case string:
			b.WriteString("s" + v)
		case int64:
			b.WriteString("i" + strconv.FormatInt(v, 10))
		case int:
			b.WriteString("i" + strconv.Itoa(v))
		default:
			fmt.Fprintf(&b, "%T%v", v, v)
		}
		b.WriteByte(0)
	}
	return b.String()
}

// keyText is a key for an error message, such as "ocds-1/2".
func keyText(key []any) string {
	parts := make([]string, len(key))
	for i, v := range key {
		parts[i] = fmt.Sprint(v)
	}
	return strings.Join(parts, "/")
}
