// Package importer brings a municipality's history into Pnyx: records read
// from another system's files (OCDS, Popolo, Open311, a decision register)
// by the decoders of its subpackages, one per format, become commands
// handled by the command service, so the rules run and the actor is
// checked. It owns what every import shares: each record's commands are
// decided together against a stage and committed all or none (a process is
// never half imported), under the imported exception and with each
// command's provenance (events.WithImport), with ids derived from the
// source's ids (a second import of the same file writes nothing), and a
// Report of what was written, left as it was and refused, and why.
package importer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/pnyx-civic/pnyx/events"
)

// Record is one record of a source, as a decoder maps it: the commands
// that bring it into Pnyx, in order, all imported or none.
type Record struct {
	// Kind is what the record is, such as "procurement" or "decision";
	// the report counts records by kind.
	Kind string
	// SourceID is the record's id in its source (an ocid, an ΑΔΑ).
	SourceID string
	// Steps are the record's commands in order.
	Steps []Step
	// Refused, when set, is why the decoder could not map the record; it
	// has no steps and is reported as refused.
	Refused string
	// Notes name the mappings the decoder applied (a local status word
	// read as a standard one), for the report.
	Notes []string
	// Rejected are parts of the record the decoder left out, each with
	// its reason (a release with no date, a duplicate with other
	// content); the record is imported without them, and the report
	// lists each as refused.
	Rejected []Rejection
}

// Rejection is a part of a record left out, and why.
type Rejection struct {
	Kind     string
	SourceID string
	Reason   string
}

// Step is one command of a record. Key is its idempotency key within the
// source, derived from the source's ids, so that importing the record
// again derives the same event ids and writes nothing.
type Step struct {
	Key     string
	Command events.Command
	// IfAbsent skips the step when its stream already holds events: a
	// supplier or body named by many records is registered once, by the
	// first.
	IfAbsent bool
	// SourceID is the id of the part of the record the step comes from,
	// when it is not the record's (a release, a vote); empty means the
	// record's.
	SourceID string
}

// Decoder reads a source's records one by one. Next returns io.EOF after
// the last record; any other error ends the import (a file that is not of
// its format), while a record that cannot be mapped is returned with
// Refused set.
type Decoder interface {
	Next() (Record, error)
}

// Source describes where records come from, for their provenance.
type Source struct {
	Name        string    // such as "diavgeia" or the OCDS publisher's name
	URL         string    // the file's address, or its path
	RetrievedAt time.Time // when it was read
}

// Options configure an import.
type Options struct {
	// Actor is who imports: the access token's id and role.
	Actor events.Actor
	// DryRun decides every record against the stage and commits nothing.
	// The stage then holds every record's events until the end.
	DryRun bool
	// Now is the clock of the stage and of the command service; nil means
	// time.Now.
	Now func() time.Time
	// Progress, when set, is called after each record with the records
	// read so far.
	Progress func(records int)
	// CommitEvery bounds the events staged before a commit; zero means
	// 4096. Records are committed whole.
	CommitEvery int
}

// Import reads every record of dec and brings it in through a command
// service over store, returning the report. It stops at the first error
// that is not a record's refusal (a decoder's, the store's), returning the
// report so far with it: what was committed stays, and running the import
// again completes it.
func Import(ctx context.Context, store Store, src Source, dec Decoder, opts Options) (*Report, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.CommitEvery <= 0 {
		opts.CommitEvery = 4096
	}
	if src.RetrievedAt.IsZero() {
		src.RetrievedAt = opts.Now()
	}
	r := &run{st: newStage(store, opts.Now), src: src, opts: opts, report: newReport(src, opts.DryRun)}
	r.newService()
	err := r.all(ctx, dec)
	if err == nil && !opts.DryRun {
		err = r.commit(ctx)
	}
	r.report.finish()
	return r.report, err
}

type run struct {
	st       *stage
	svc      *events.Service
	src      Source
	opts     Options
	report   *Report
	pending  []*RecordResult // records staged, not committed
	records  int
	stagedAt int
}

// newService starts a command service over the stage. A record rolled
// back leaves states in the service's cache that the stage no longer
// holds; a new service starts with none.
func (r *run) newService() {
	r.svc = events.NewService(r.st, events.ServiceOptions{Now: r.opts.Now})
}

func (r *run) all(ctx context.Context, dec Decoder) error {
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		rec, err := dec.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		r.records++
		if err := r.one(ctx, rec); err != nil {
			return err
		}
		if r.opts.Progress != nil {
			r.opts.Progress(r.records)
		}
		if !r.opts.DryRun && r.st.staged() >= r.opts.CommitEvery {
			if err := r.commit(ctx); err != nil {
				return err
			}
		}
	}
}

// one decides a record's steps against the stage, keeping them all or
// rolling them all back.
func (r *run) one(ctx context.Context, rec Record) error {
	res := &RecordResult{Kind: rec.Kind, SourceID: rec.SourceID, Notes: rec.Notes}
	for _, rj := range rec.Rejected {
		r.report.add(&RecordResult{Kind: rj.Kind, SourceID: rj.SourceID, Refused: rj.Reason, Code: string(events.CodeInvalid)})
	}
	if rec.Refused != "" {
		res.Refused = rec.Refused
		r.report.add(res)
		return nil
	}
	if len(rec.Steps) == 0 {
		res.Refused = "nothing to import"
		r.report.add(res)
		return nil
	}
	m := r.st.mark()
	for _, step := range rec.Steps {
		if step.IfAbsent {
			if _, err := r.st.StreamVersion(ctx, step.Command.Stream()); err == nil {
				continue
			} else if !errors.Is(err, events.ErrStreamNotFound) {
				return err
			}
		}
		sourceID := step.SourceID
		if sourceID == "" {
			sourceID = rec.SourceID
		}
		h, err := r.svc.Handle(ctx, step.Command,
			events.WithActor(r.opts.Actor),
			events.WithIdempotencyKey(r.src.Name+":"+step.Key),
			events.WithImport(events.Provenance{Source: r.src.Name, SourceID: sourceID, SourceURL: r.src.URL, RetrievedAt: r.src.RetrievedAt}))
		if err != nil {
			var de *events.Error
			if !errors.As(err, &de) || de.Code == events.CodeInternal || de.Code == events.CodeUnavailable {
				return fmt.Errorf("record %s: %w", rec.SourceID, err)
			}
			r.st.rollback(m)
			r.newService()
			res.Refused = fmt.Sprintf("%s: %s", commandName(step.Command), de.Message)
			res.Code = string(de.Code)
			res.Written = nil
			r.report.add(res)
			return nil
		}
		if h.Replayed {
			res.Unchanged++
			continue
		}
		for _, p := range h.Payloads {
			res.Written = append(res.Written, p.EventType())
		}
	}
	if r.opts.DryRun {
		r.report.add(res)
		return nil
	}
	r.pending = append(r.pending, res)
	return nil
}

// commit writes the staged records in one atomic step and reports them.
func (r *run) commit(ctx context.Context) error {
	if err := r.st.commit(ctx); err != nil {
		r.newService()
		for _, res := range r.pending {
			res.Refused, res.Code, res.Written = "not written: "+err.Error(), "unavailable", nil
			r.report.add(res)
		}
		r.pending = nil
		return err
	}
	for _, res := range r.pending {
		r.report.add(res)
	}
	r.pending = nil
	return nil
}

func commandName(c events.Command) string {
	return fmt.Sprintf("%T", c)[len("events."):]
}
