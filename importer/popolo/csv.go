package popolo

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/pnyx-civic/pnyx/events"
	"github.com/pnyx-civic/pnyx/importer/internal/source"
)

// CSVParts are the files of a council in Popolo CSV, one per part, named
// after it (persons.csv, organizations.csv, ...), with a header row of
// the Popolo fields (docs/IMPORTS.md); read in this order.
var CSVParts = []string{"persons", "organizations", "memberships", "motions", "votes", "vote_events"}

// countColumns are the columns of vote_events.csv that hold a vote
// event's counts, by option.
var countColumns = []string{"yes", "no", "abstain", "present", "absent", "not voting", "excused", "paired"}

// NewCSVDecoder reads a council in Popolo CSV: files by part (CSVParts;
// the vote_events file is required, the others may be absent). Close it
// to remove its spill.
func NewCSVDecoder(ctx context.Context, files map[string]io.Reader, opts Options) (*Decoder, error) {
	for part := range files {
		if !slices.Contains(CSVParts, part) {
			return nil, events.Invalidf("popolo CSV: %s.csv is not a part of Popolo CSV (%s)", part, strings.Join(CSVParts, ", "))
		}
	}
	if files["vote_events"] == nil && files["memberships"] == nil {
		return nil, events.Invalidf("popolo CSV: neither vote_events.csv nor memberships.csv")
	}
	d := NewDecoder(ctx, nil, opts)
	d.csv = files
	return d, nil
}

// readCSV reads each part's rows as the items of the JSON's arrays: a
// row is the object of its columns, its empty cells absent.
func (d *Decoder) readCSV() error {
	for _, part := range CSVParts {
		r, ok := d.csv[part]
		if !ok {
			continue
		}
		br := bufio.NewReaderSize(r, 64<<10)
		source.FirstByte(br) // a byte order mark
		cr := csv.NewReader(br)
		cr.FieldsPerRecord = -1
		head, err := cr.Read()
		if errors.Is(err, io.EOF) {
			continue
		}
		if err != nil {
			return events.Invalidf("popolo CSV: %s.csv header: %v", part, err)
		}
		for i, h := range head {
			head[i] = strings.ToLower(strings.TrimSpace(h))
		}
		if !slices.Contains(head, "id") && part != "votes" {
			return events.Invalidf("popolo CSV: %s.csv has no id column", part)
		}
		for line := 2; ; line++ {
			row, err := cr.Read()
			if errors.Is(err, io.EOF) {
				break
			}
			var pe *csv.ParseError
			if errors.As(err, &pe) && errors.Is(pe.Err, csv.ErrFieldCount) {
				err = nil
			}
			if err != nil {
				return events.Invalidf("popolo CSV: %s.csv: %v", part, err)
			}
			raw, err := json.Marshal(csvItem(part, head, row))
			if err != nil {
				return err
			}
			if err := d.item(part, raw); err != nil {
				return fmt.Errorf("%s.csv line %d: %w", part, line, err)
			}
		}
	}
	return nil
}

// csvItem is a row as the JSON item of its part: counts of a vote event
// from its count columns, an organization's short name as its other name.
func csvItem(part string, head, row []string) map[string]any {
	item := map[string]any{}
	var counts []any
	for i, h := range head {
		if i >= len(row) {
			break
		}
		v := strings.TrimSpace(row[i])
		if v == "" {
			continue
		}
		switch {
		case part == "vote_events" && slices.Contains(countColumns, strings.ReplaceAll(h, "_", " ")):
			counts = append(counts, map[string]any{"option": strings.ReplaceAll(h, "_", " "), "value": v})
		case part == "organizations" && h == "short_name":
			item["other_names"] = []any{map[string]any{"name": v, "note": "short name"}}
		default:
			item[h] = v
		}
	}
	if counts != nil {
		item["counts"] = counts
	}
	return item
}
