package importer

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"time"
)

// Report is what an import did: counts per kind of record and per event
// type, every refused record with the reason, and the mappings applied. A
// dry run's report says what the import would write.
type Report struct {
	Source      string    `json:"source"`
	SourceURL   string    `json:"source_url,omitempty"`
	RetrievedAt time.Time `json:"retrieved_at"`
	DryRun      bool      `json:"dry_run"`
	// Records counts records read, by kind.
	Records map[string]int `json:"records"`
	// Imported counts records written (or, in a dry run, that would be),
	// Unchanged records already imported before (nothing written), Refused
	// records refused.
	Imported  int `json:"imported"`
	Unchanged int `json:"unchanged"`
	Refused   int `json:"refused"`
	// Events counts the events written, by type.
	Events map[string]int `json:"events"`
	// Refusals names every refused record and why.
	Refusals []RecordResult `json:"refusals"`
	// Mappings counts each mapping applied (a local word read as a
	// standard one, a default taken).
	Mappings map[string]int `json:"mappings"`
}

// RecordResult is what became of one record.
type RecordResult struct {
	Kind     string   `json:"kind"`
	SourceID string   `json:"source_id"`
	Refused  string   `json:"reason,omitempty"`
	Code     string   `json:"code,omitempty"`
	Written  []string `json:"-"`
	// Unchanged counts steps already imported.
	Unchanged int      `json:"-"`
	Notes     []string `json:"-"`
}

func newReport(src Source, dry bool) *Report {
	return &Report{Source: src.Name, SourceURL: src.URL, RetrievedAt: src.RetrievedAt.UTC(), DryRun: dry,
		Records: map[string]int{}, Events: map[string]int{}, Mappings: map[string]int{}, Refusals: []RecordResult{}}
}

func (r *Report) add(res *RecordResult) {
	r.Records[res.Kind]++
	for _, n := range res.Notes {
		r.Mappings[n]++
	}
	switch {
	case res.Refused != "":
		r.Refused++
		r.Refusals = append(r.Refusals, *res)
	case len(res.Written) == 0:
		r.Unchanged++
	default:
		r.Imported++
		for _, t := range res.Written {
			r.Events[t]++
		}
	}
}

func (r *Report) finish() {}

// WrittenEvents is the number of events written, every type together.
func (r *Report) WrittenEvents() int {
	n := 0
	for _, c := range r.Events {
		n += c
	}
	return n
}

// WriteJSON writes the report as indented JSON.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(r)
}

// WriteText writes the report for a person: the counts, then each refusal
// and mapping on a line of its own.
func (r *Report) WriteText(w io.Writer) error {
	verb := "imported"
	if r.DryRun {
		verb = "would import"
	}
	total := 0
	for _, n := range r.Records {
		total += n
	}
	fmt.Fprintf(w, "%s: %d records read; %s %d, %d unchanged, %d refused\n", r.Source, total, verb, r.Imported, r.Unchanged, r.Refused)
	for _, k := range slices.Sorted(maps.Keys(r.Records)) {
		fmt.Fprintf(w, "  records %-20s %d\n", k, r.Records[k])
	}
	for _, t := range slices.Sorted(maps.Keys(r.Events)) {
		fmt.Fprintf(w, "  events  %-32s %d\n", t, r.Events[t])
	}
	for _, m := range slices.Sorted(maps.Keys(r.Mappings)) {
		fmt.Fprintf(w, "  mapped  %s (%d)\n", m, r.Mappings[m])
	}
	for _, f := range r.Refusals {
		fmt.Fprintf(w, "  refused %s %s: %s\n", f.Kind, f.SourceID, f.Refused)
	}
	return nil
}
