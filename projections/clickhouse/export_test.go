package clickhouse

import "github.com/pnyx-civic/pnyx/events"

// GatherForTest decodes re and gathers its rows, as the sink does, and
// returns how many fact rows it made.
func GatherForTest(re events.RecordedEvent) int {
	p, err := events.Decode(re)
	if err != nil {
		p = nil
	}
	b := newBatch()
	b.add(re, p)
	n := 0
	for _, rows := range b.rows {
		n += len(rows)
	}
	return n
}
