package readmodel

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/pnyx-civic/pnyx/events"
)

// Point is a moment of the public record: a log position, a recorded time,
// or neither (now). With both set, an event counts only if it satisfies
// both.
type Point struct {
	// Position keeps events at or before this global position; 0 means no
	// bound.
	Position events.Position
	// RecordedAt keeps events recorded at or before this time; zero means no
	// bound.
	RecordedAt time.Time
}

func (p Point) includes(re events.RecordedEvent) bool {
	if p.Position != 0 && re.Position > p.Position {
		return false
	}
	if !p.RecordedAt.IsZero() && re.RecordedAt.After(p.RecordedAt) {
		return false
	}
	return true
}

// EntityState is an entity as the public record showed it at a point.
type EntityState struct {
	Stream string `json:"stream"`
	Kind   string `json:"kind"`
	// Version, Position and RecordedAt are those of the last event folded.
	Version    int64           `json:"version"`
	Position   events.Position `json:"position"`
	RecordedAt time.Time       `json:"recorded_at"`
	// State is the entity's public view: *BodyView, *MeetingView,
	// *ConsultationView, *AmendmentView, *VoteView, *DecisionView,
	// *ProcurementView, *SupplierView or *RequestView, the shapes of the
	// read model's rows; for other kinds, the JSON of the aggregate's
	// decider state without subject references (json.RawMessage).
	State any `json:"state"`
}

// foldChunk is how many events AsOf reads from the log at a time.
const foldChunk = 1000

// AsOf returns the entity of stream as it stood at point at: what the
// public record said then. It folds the stream's events up to that point
// into the entity's public view, with the read model's rules, skipping
// event types this build does not know. The events of the streams read
// last stay decoded in memory (see streamCache), so only events not seen
// before are read from the log. It returns an invalid error for a
// malformed stream name or one of no known aggregate, and a not_found
// error when the stream has no events, or none yet at that point.
func (m *ReadModel) AsOf(ctx context.Context, stream string, at Point) (EntityState, error) {
	if err := events.ValidateStream(stream); err != nil {
		return EntityState{}, err
	}
	agg, err := events.AggregateOf(stream)
	if err != nil {
		return EntityState{}, err
	}
	out := EntityState{Stream: stream, Kind: agg.Kind, Version: -1}
	kind, id := kindOf(stream)
	view := newFold(ctx, m.opener, kind, id)
	var state any
	var failed error
	refs := subjectRefs{}
	if view == nil {
		state = agg.Initial()
	}
	// fold applies events up to the point and reports whether it reached
	// an event past it.
	fold := func(evs []events.RecordedEvent, payloads []events.Payload) (past bool) {
		for i, re := range evs {
			if !at.includes(re) {
				return true
			}
			p := payloads[i]
			if p == nil {
				continue // a type this build does not know
			}
			if view != nil {
				if err := view.apply(re, p); err != nil && failed == nil {
					failed = fmt.Errorf("as of: %s version %d: %w", stream, re.Version, err)
				}
			} else {
				refs.collect(re.Data)
				state = agg.Evolve(state, p)
			}
			out.Version, out.Position, out.RecordedAt = re.Version, re.Position, re.RecordedAt
		}
		return false
	}
	cached, cachedPayloads := m.streams.prefix(stream)
	past := fold(cached, cachedPayloads)
	for from := len(cached); !past; {
		evs, err := m.log.ReadStream(ctx, stream, events.ReadStreamOptions{From: int64(from), Limit: foldChunk})
		if err != nil && (from == 0 || events.ErrorCode(err) != events.CodeNotFound) {
			return EntityState{}, logError(stream, err)
		}
		done := len(evs) < foldChunk
		if cut := slices.IndexFunc(evs, func(re events.RecordedEvent) bool { return !at.includes(re) }); cut >= 0 {
			evs, done = evs[:cut], true
		}
		payloads, err := decodeAll(evs)
		if err != nil {
			return EntityState{}, fmt.Errorf("as of: %s: %w", stream, err)
		}
		m.streams.extend(stream, from, evs, payloads)
		past = fold(evs, payloads) || done
		from += len(evs)
	}
	if out.Version < 0 {
		return EntityState{}, events.Errorf(events.CodeNotFound, "%s had no events yet at that point", stream)
	}
	if failed != nil {
		return EntityState{}, failed
	}
	if view != nil {
		out.State = view.view()
		return out, nil
	}
	raw, err := json.Marshal(state)
	if err != nil {
		return EntityState{}, fmt.Errorf("as of: %s: %w", stream, err)
	}
	redacted, err := refs.redact(raw)
	if err != nil {
		return EntityState{}, fmt.Errorf("as of: %s: %w", stream, err)
	}
	out.State = redacted
	return out, nil
}

// decodeAll decodes evs on every core: decoding JSON is most of the cost
// of folding a long stream. Events of unknown types decode to nil.
func decodeAll(evs []events.RecordedEvent) ([]events.Payload, error) {
	out := make([]events.Payload, len(evs))
	errs := make([]error, len(evs))
	workers := min(runtime.GOMAXPROCS(0), len(evs)/128+1)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := w; i < len(evs); i += workers {
				p, err := events.Decode(evs[i])
				if err != nil && !errors.Is(err, events.ErrUnknownEventType) {
					errs[i] = fmt.Errorf("version %d: %w", evs[i].Version, err)
				}
				out[i] = p
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// HistoryEvent is one event of an entity's history: the envelope (who
// recorded it, when it happened, when it was recorded) and its data
// without subject references.
type HistoryEvent struct {
	ID            uuid.UUID       `json:"id"`
	Stream        string          `json:"stream"`
	Version       int64           `json:"version"`
	Position      events.Position `json:"position"`
	Type          string          `json:"type"`
	Schema        int             `json:"schema"`
	OccurredAt    time.Time       `json:"occurred_at"`
	RecordedAt    time.Time       `json:"recorded_at"`
	Actor         events.Actor    `json:"actor"`
	CausationID   uuid.UUID       `json:"causation_id"`
	CorrelationID uuid.UUID       `json:"correlation_id"`
	Data          json.RawMessage `json:"data"`
}

// HistoryOptions page through a history: From is the first version, Limit
// the most events returned (events.DefaultReadLimit when <= 0, at most
// events.MaxReadLimit). Desc reads the latest first, from version From
// down, or from the last event when From is negative.
type HistoryOptions struct {
	From  int64
	Limit int
	Desc  bool
}

// History returns the events of stream in order, as recorded (in reverse
// with Desc), with subject references removed from their data. It returns
// an invalid error for a malformed stream name or a negative From read
// forwards, and a not_found error for a stream with no events.
func (m *ReadModel) History(ctx context.Context, stream string, opts HistoryOptions) ([]HistoryEvent, error) {
	if err := events.ValidateStream(stream); err != nil {
		return nil, err
	}
	read := events.ReadStreamOptions{From: opts.From, Limit: events.ClampLimit(opts.Limit)}
	switch {
	case opts.Desc:
		read.Direction = events.Backwards
		read.From = max(opts.From, -1)
	case opts.From < 0:
		return nil, events.Invalidf("history: from version %d is negative", opts.From)
	}
	evs, err := m.log.ReadStream(ctx, stream, read)
	if err != nil {
		return nil, logError(stream, err)
	}
	out := make([]HistoryEvent, 0, len(evs))
	for _, re := range evs {
		refs := subjectRefs{}
		refs.collect(re.Data)
		data, err := refs.redact(re.Data)
		if err != nil {
			return nil, fmt.Errorf("history: %s version %d: %w", stream, re.Version, err)
		}
		out = append(out, HistoryEvent{
			ID: re.ID, Stream: re.Stream, Version: re.Version, Position: re.Position,
			Type: re.Type, Schema: re.Schema, OccurredAt: re.OccurredAt, RecordedAt: re.RecordedAt,
			Actor: re.Actor, CausationID: re.CausationID, CorrelationID: re.CorrelationID, Data: data,
		})
	}
	return out, nil
}

func logError(stream string, err error) error {
	if events.ErrorCode(err) == events.CodeNotFound {
		return events.Errorf(events.CodeNotFound, "%s has no events", stream)
	}
	return fmt.Errorf("read %s: %w", stream, err)
}

// subjectRefs are the opaque references to people in the vault that a
// stream's events carry (fields named subject_ref). They are public in
// the log but not shown by public queries, which remove every field named
// like one and every occurrence of a collected value, wherever a decider's
// state keeps it (a field, a map key, a list).
type subjectRefs map[string]bool

var subjectRefKey = []byte("subject_ref")

// collect records the subject references in an event's data.
func (r subjectRefs) collect(data json.RawMessage) {
	if !bytes.Contains(data, subjectRefKey) {
		return
	}
	var v any
	if json.Unmarshal(data, &v) != nil {
		return
	}
	var walk func(any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				if s, ok := x.(string); ok && isSubjectRefKey(k) && s != "" {
					r[s] = true
				}
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	walk(v)
}

// redact returns data without subject references. Data with none is
// returned as is.
func (r subjectRefs) redact(data json.RawMessage) (json.RawMessage, error) {
	if len(r) == 0 && !bytes.Contains(bytes.ToLower(data), []byte("subject")) {
		return data, nil
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	return json.Marshal(r.strip(v))
}

func (r subjectRefs) strip(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, x := range v {
			if isSubjectRefKey(k) || r[k] {
				continue
			}
			out[k] = r.strip(x)
		}
		return out
	case []any:
		out := make([]any, 0, len(v))
		for _, x := range v {
			if s, ok := x.(string); ok && r[s] {
				continue
			}
			out = append(out, r.strip(x))
		}
		return out
	case string:
		if r[v] {
			return ""
		}
	}
	return v
}

// isSubjectRefKey matches subject_ref, SubjectRef, author_subject_ref and
// the like: JSON tags and Go field names of decider states alike.
func isSubjectRefKey(k string) bool {
	var b []byte
	for i := 0; i < len(k); i++ {
		c := k[i]
		switch {
		case c == '_':
			continue
		case c >= 'A' && c <= 'Z':
			c += 'a' - 'A'
		}
		b = append(b, c)
	}
	return bytes.Contains(b, []byte("subjectref")) || bytes.Contains(b, []byte("subjectrefs"))
}
