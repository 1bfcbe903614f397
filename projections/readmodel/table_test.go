package readmodel_test

import (
	"context"
	"testing"

	"github.com/pnyx-civic/pnyx/projections/readmodel"
)

// TestRowsReadBack checks each table's columns against the rows the read
// model wrote: a row loaded into its Go type and written again unchanged
// must write the values it was read from, NULLs included, or a batch that
// changes one column of a row of an earlier batch would change others.
func TestRowsReadBack(t *testing.T) {
	e := newRMEnv(t)
	for n := 1; n <= 3; n++ {
		e.scenario(t, n)
		e.offices(t, n)
	}
	e.sync(t)
	n, err := readmodel.RowsReadBack(context.Background(), e.db)
	if err != nil {
		t.Fatal(err)
	}
	if n < 100 {
		t.Fatalf("checked %d rows, want the scenario's hundreds", n)
	}
}
