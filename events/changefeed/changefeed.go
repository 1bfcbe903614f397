// Package changefeed serves the public change feed of the event log:
// GET /v1/events?after=POS&limit=N answers with the events after position
// POS as NDJSON, one events.RecordedEvent per line, in position order.
//
// The log is public in full (it carries no personal data), so anyone can
// mirror it and verify it. Paging is stable because positions never change:
// a client continues with after set to the position of the last event it
// received, also sent in the Pnyx-Next-After header. An empty page means the
// client has caught up; Pnyx-Head says how far the log reached when the page
// was read.
package changefeed

import (
	"bufio"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/pnyx-civic/pnyx/events"
	"github.com/pnyx-civic/pnyx/events/httperror"
)

// Headers of a page.
const (
	HeaderNextAfter = "Pnyx-Next-After"
	HeaderHead      = "Pnyx-Head"
	ContentType     = "application/x-ndjson"
)

// Limits of a page when Options leave them zero.
const (
	DefaultLimit = 100
	DefaultMax   = 1000
)

// Log is the part of events.Store the feed reads. ReadAll returns events with
// positions after opts.After in position order, at most opts.Limit; Head
// returns the last position, 0 for an empty log. Errors carry domain codes
// (events.ErrUnavailable when the store is closed).
type Log interface {
	ReadAll(ctx context.Context, opts events.ReadAllOptions) ([]events.RecordedEvent, error)
	Head(ctx context.Context) (events.Position, error)
}

// Options tune a Handler.
type Options struct {
	// DefaultLimit is the page size when the request gives none.
	DefaultLimit int
	// MaxLimit caps the page size a request may ask for; larger limits are
	// lowered to it, not refused.
	MaxLimit int
	// Logger receives internal errors; nil discards them.
	Logger *slog.Logger
}

// Handler serves the change feed. It is safe for concurrent use.
type Handler struct {
	log  Log
	opts Options
}

// New returns a Handler reading log.
func New(log Log, opts Options) *Handler {
	if opts.MaxLimit <= 0 {
		opts.MaxLimit = DefaultMax
	}
	opts.MaxLimit = min(opts.MaxLimit, events.MaxReadLimit)
	if opts.DefaultLimit <= 0 {
		opts.DefaultLimit = DefaultLimit
	}
	opts.DefaultLimit = min(opts.DefaultLimit, opts.MaxLimit)
	return &Handler{log: log, opts: opts}
}

// Page is the request of one page: events with positions after After, at
// most Limit of them.
type Page struct {
	After events.Position
	Limit int
}

// ParsePage reads after and limit from a query. after defaults to 0 (the
// start of the log) and must be a non-negative integer; limit defaults to
// defaultLimit, must be a positive integer and is lowered to maxLimit. Bad
// values are errors matching events.ErrInvalid.
func ParsePage(q map[string][]string, defaultLimit, maxLimit int) (Page, error) {
	p := Page{Limit: defaultLimit}
	if vs, ok := q["after"]; ok {
		if len(vs) != 1 {
			return Page{}, events.Invalidf("after: give it once")
		}
		n, err := strconv.ParseUint(vs[0], 10, 64)
		if err != nil {
			return Page{}, events.Invalidf("after %q: want a position, a non-negative integer", truncate(vs[0]))
		}
		p.After = events.Position(n)
	}
	if vs, ok := q["limit"]; ok {
		if len(vs) != 1 {
			return Page{}, events.Invalidf("limit: give it once")
		}
		n, err := strconv.ParseInt(vs[0], 10, 64)
		if err != nil || n < 1 {
			return Page{}, events.Invalidf("limit %q: want a positive integer (at most %d is served)", truncate(vs[0]), maxLimit)
		}
		p.Limit = int(min(n, int64(maxLimit)))
	}
	return p, nil
}

// truncate keeps an echoed parameter short.
func truncate(s string) string {
	const n = 40
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// ServeHTTP answers one page as NDJSON. Bad parameters are a 400 with a JSON
// error; a store error is mapped by httperror.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	page, err := ParsePage(r.URL.Query(), h.opts.DefaultLimit, h.opts.MaxLimit)
	if err != nil {
		httperror.Write(w, r, h.opts.Logger, err)
		return
	}
	ctx := r.Context()
	// Head first: every event of the page is at or below a head read
	// later, so Pnyx-Head never claims less than the page holds.
	head, err := h.log.Head(ctx)
	if err != nil {
		httperror.Write(w, r, h.opts.Logger, err)
		return
	}
	evs, err := h.log.ReadAll(ctx, events.ReadAllOptions{After: page.After, Limit: page.Limit})
	if err != nil {
		httperror.Write(w, r, h.opts.Logger, err)
		return
	}
	next := page.After
	if len(evs) > 0 {
		next = evs[len(evs)-1].Position
		head = max(head, next)
	}
	hd := w.Header()
	hd.Set("Content-Type", ContentType)
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set(HeaderNextAfter, strconv.FormatUint(uint64(next), 10))
	hd.Set(HeaderHead, strconv.FormatUint(uint64(head), 10))
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodHead {
		return
	}
	bw := bufio.NewWriterSize(w, 32<<10)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	for i := range evs {
		if err := enc.Encode(&evs[i]); err != nil {
			return // the client went away; the status is already sent
		}
	}
	_ = bw.Flush()
}
