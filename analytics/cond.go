package analytics

import (
	"strings"
	"time"
)

// Cond gathers the conditions of an engine's SQL WHERE clause and their
// arguments, in text order, so that a query's text and arguments never
// drift apart. The zero value holds no condition.
type Cond struct {
	parts []string
	args  []any
}

// Add appends a condition with the arguments of its placeholders.
func (c *Cond) Add(sql string, args ...any) {
	c.parts = append(c.parts, sql)
	c.args = append(c.args, args...)
}

// Eq appends column = value, unless value is empty (no filter).
func (c *Cond) Eq(column, value string) {
	if value != "" {
		c.Add(column+" = ?", value)
	}
}

// Period appends the bounds of f's period on column, From inclusive and
// To exclusive, each one set; at gives a bound as the engine's column
// holds times.
func (c *Cond) Period(column string, f Filter, at func(time.Time) any) {
	if !f.From.IsZero() {
		c.Add(column+" >= ?", at(f.From))
	}
	if !f.To.IsZero() {
		c.Add(column+" < ?", at(f.To))
	}
}

// Where is the conditions as a continuation of a WHERE clause (" AND
// ..."), empty for none.
func (c *Cond) Where() string {
	if len(c.parts) == 0 {
		return ""
	}
	return " AND " + strings.Join(c.parts, " AND ")
}

// Args are the arguments of the conditions' placeholders, in text order.
func (c *Cond) Args() []any { return c.args }
