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
	// Requester, when set, is the citizen the command names (a request's
	// requester): the import puts them in the vault (Options.People) just
	// before the step and handles Requester.Command of their reference
	// instead of Command, which then only names the stream. The person
	// never reaches an event, the report or a log line.
	Requester *Requester
	// Public records the step as the public's own act (a request filed on
	// the web, which only the public may record: events.Allowed), not as
	// the importing token's; the token still imports every other step.
	Public bool
}

// Requester is the person a step's command names, and the command for
// their vault reference.
type Requester struct {
	Person events.Person
	// Anonymous says the source names nobody: one anonymous Person, put
	// in the vault once per import when first needed, stands for every
	// such requester (their author references still differ for every
	// request, so nothing public links them).
	Anonymous bool
	Command   func(events.SubjectRef) events.Command
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
	// People is the vault, for the steps that name a citizen
	// (Step.Requester); without it such a step ends the import with
	// events.ErrNoVault. A dry run puts nobody in it, and needs none: it
	// seals with keys of its own, kept in memory and dropped.
	People People
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
	r := &run{st: newStage(store, opts.Now), src: src, opts: opts, report: newReport(src, opts.DryRun), people: opts.People}
	if opts.DryRun {
		r.people = newDryPeople()
	}
	r.newService()
	err := r.all(ctx, dec)
	if err == nil && !opts.DryRun {
		if err = r.commit(ctx); err == nil {
			err = r.settle(ctx)
		}
	} else if err != nil {
		// The batch being written ends first (written or not); nothing
		// staged since is written: the people put for it leave the vault
		// again, even when ctx was cancelled.
		_ = r.settle(ctx)
		for res := range r.put {
			r.forget(context.WithoutCancel(ctx), res)
		}
	}
	r.report.finish()
	return r.report, err
}

type run struct {
	st      *stage
	svc     *events.Service
	src     Source
	opts    Options
	report  *Report
	pending []*RecordResult // records staged, not committed
	// writing are the records of the commit being written.
	writing  []*RecordResult
	records  int
	stagedAt int
	people   People
	// put are the people put in the vault for the records staged, by
	// record, forgotten again if their record is not written.
	put       map[*RecordResult][]events.SubjectRef
	anonymous events.SubjectRef // the anonymous requester, once put
}

// newService starts a command service over the stage. A record rolled
// back leaves states in the service's cache that the stage no longer
// holds; a new service starts with none.
func (r *run) newService() {
	opts := events.ServiceOptions{Now: r.opts.Now}
	if r.people != nil {
		opts.Sealer = r.people
	}
	r.svc = events.NewService(r.st, opts)
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
		cmd := step.Command
		if step.Requester != nil {
			if r.people == nil {
				return fmt.Errorf("record %s: %w", rec.SourceID, events.ErrNoVault)
			}
			ref, err := r.requester(ctx, res, step.Requester)
			if err != nil {
				var de *events.Error
				if errors.As(err, &de) && de.Code == events.CodeInvalid {
					r.refuse(ctx, m, res, "the requester: "+de.Message, de.Code)
					return nil
				}
				return fmt.Errorf("record %s: the requester: %w", rec.SourceID, err)
			}
			cmd = step.Requester.Command(ref)
		}
		actor := r.opts.Actor
		if step.Public {
			actor = events.PublicActor
		}
		h, err := r.svc.Handle(ctx, cmd,
			events.WithActor(actor),
			events.WithIdempotencyKey(r.src.Name+":"+step.Key),
			events.WithImport(events.Provenance{Source: r.src.Name, SourceID: sourceID, SourceURL: r.src.URL, RetrievedAt: r.src.RetrievedAt}))
		if err != nil {
			var de *events.Error
			if !errors.As(err, &de) || de.Code == events.CodeInternal || de.Code == events.CodeUnavailable {
				return fmt.Errorf("record %s: %w", rec.SourceID, err)
			}
			r.refuse(ctx, m, res, fmt.Sprintf("%s: %s", commandName(cmd), de.Message), de.Code)
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
		delete(r.put, res)
		r.report.add(res)
		return nil
	}
	r.pending = append(r.pending, res)
	return nil
}

// requester puts q's person in the vault for res, or takes the
// anonymous one.
func (r *run) requester(ctx context.Context, res *RecordResult, q *Requester) (events.SubjectRef, error) {
	if q.Anonymous && r.anonymous != "" {
		return r.anonymous, nil
	}
	ref, err := r.people.Put(ctx, q.Person)
	if err != nil {
		return "", err
	}
	if q.Anonymous {
		r.anonymous = ref
		return ref, nil
	}
	if r.put == nil {
		r.put = map[*RecordResult][]events.SubjectRef{}
	}
	r.put[res] = append(r.put[res], ref)
	return ref, nil
}

// refuse rolls the record back to m, forgets the people put in the vault
// for it, and reports it refused.
func (r *run) refuse(ctx context.Context, m mark, res *RecordResult, reason string, code events.Code) {
	r.st.rollback(m)
	r.newService()
	r.forget(ctx, res)
	res.Refused, res.Code, res.Written = reason, string(code), nil
	r.report.add(res)
}

// forget removes from the vault the people put for res, whose record is
// not written; a failure leaves a person no event names.
func (r *run) forget(ctx context.Context, res *RecordResult) {
	for _, ref := range r.put[res] {
		_ = r.people.Forget(ctx, ref)
	}
	delete(r.put, res)
}

// commit starts writing the staged records in one atomic step, once the
// records written before are (settle).
func (r *run) commit(ctx context.Context) error {
	if err := r.settle(ctx); err != nil {
		return err
	}
	if err := r.st.commit(ctx); err != nil {
		return err
	}
	r.writing, r.pending = r.pending, nil
	return nil
}

// settle waits for the records being written and reports them; if they
// were not, neither are the records staged since, which were decided over
// them.
func (r *run) settle(ctx context.Context) error {
	err := r.st.wait()
	if err != nil {
		r.newService()
		for _, res := range append(r.writing, r.pending...) {
			r.forget(context.WithoutCancel(ctx), res)
			res.Refused, res.Code, res.Written = "not written: "+err.Error(), "unavailable", nil
			r.report.add(res)
		}
		r.writing, r.pending = nil, nil
		return err
	}
	for _, res := range r.writing {
		delete(r.put, res)
		r.report.add(res)
	}
	r.writing = nil
	return nil
}

func commandName(c events.Command) string {
	return fmt.Sprintf("%T", c)[len("events."):]
}
