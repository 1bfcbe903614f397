// The change feed: GET /v1/events?after=POS&limit=N answers with the events
// after position POS as NDJSON, one events.RecordedEvent per line, in
// position order.
//
// The log is public in full (it carries no personal data), so anyone can
// mirror it and verify it. Paging is stable because positions never change:
// a client continues with after set to the position of the last event it
// received, also sent in the Pnyx-Next-After header. An empty page means the
// client has caught up; Pnyx-Head says how far the log reached when the page
// was read.

package exports

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/pnyx-civic/pnyx/events"
)

// Headers of a page of the change feed.
const (
	HeaderNextAfter   = "Pnyx-Next-After"
	HeaderHead        = "Pnyx-Head"
	ContentTypeNDJSON = "application/x-ndjson"
)

// Limits of a page when ChangeFeedOptions leave them zero.
const (
	DefaultFeedLimit    = 100
	DefaultFeedMaxLimit = 1000
)

// Log is the part of events.Store the change feed reads. ReadAll returns
// events with positions after opts.After in position order, at most
// opts.Limit; Head returns the last position, 0 for an empty log. Errors
// carry domain codes (events.ErrUnavailable when the store is closed).
type Log interface {
	ReadAll(ctx context.Context, opts events.ReadAllOptions) ([]events.RecordedEvent, error)
	Head(ctx context.Context) (events.Position, error)
}

// ChangeFeedOptions tune a ChangeFeed.
type ChangeFeedOptions struct {
	// DefaultLimit is the page size when the request gives none.
	DefaultLimit int
	// MaxLimit caps the page size a request may ask for; larger limits are
	// lowered to it, not refused.
	MaxLimit int
}

// ChangeFeed serves the change feed. It is safe for concurrent use.
type ChangeFeed struct {
	log  Log
	opts ChangeFeedOptions
}

// NewChangeFeed returns a ChangeFeed reading log.
func NewChangeFeed(log Log, opts ChangeFeedOptions) *ChangeFeed {
	if opts.MaxLimit <= 0 {
		opts.MaxLimit = DefaultFeedMaxLimit
	}
	opts.MaxLimit = min(opts.MaxLimit, events.MaxReadLimit)
	if opts.DefaultLimit <= 0 {
		opts.DefaultLimit = DefaultFeedLimit
	}
	opts.DefaultLimit = min(opts.DefaultLimit, opts.MaxLimit)
	return &ChangeFeed{log: log, opts: opts}
}

// FeedPage is the request of one page: events with positions after After,
// at most Limit of them.
type FeedPage struct {
	After events.Position
	Limit int
}

// ParseFeedPage reads after and limit from a query. after defaults to 0 (the
// start of the log) and must be a non-negative integer; limit defaults to
// defaultLimit, must be a positive integer and is lowered to maxLimit. Bad
// values are errors matching events.ErrInvalid.
func ParseFeedPage(q map[string][]string, defaultLimit, maxLimit int) (FeedPage, error) {
	p := FeedPage{Limit: defaultLimit}
	if vs, ok := q["after"]; ok {
		if len(vs) != 1 {
			return FeedPage{}, events.Invalidf("after: give it once")
		}
		n, err := strconv.ParseUint(vs[0], 10, 64)
		if err != nil {
			return FeedPage{}, events.Invalidf("after %q: want a position, a non-negative integer", truncate(vs[0]))
		}
		p.After = events.Position(n)
	}
	if vs, ok := q["limit"]; ok {
		if len(vs) != 1 {
			return FeedPage{}, events.Invalidf("limit: give it once")
		}
		n, err := strconv.ParseInt(vs[0], 10, 64)
		if err != nil || n < 1 {
			return FeedPage{}, events.Invalidf("limit %q: want a positive integer (at most %d is served)", truncate(vs[0]), maxLimit)
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

// Serve answers one page as NDJSON. It returns an error, having written
// nothing, when the page cannot be served: an invalid error for bad
// parameters, the log's error (unavailable when the store is closed,
// internal otherwise) when it cannot be read; the caller writes it. Once
// the page has begun it returns nil: a client that goes away mid-page is
// not the feed's error.
func (f *ChangeFeed) Serve(w http.ResponseWriter, r *http.Request) error {
	page, err := ParseFeedPage(r.URL.Query(), f.opts.DefaultLimit, f.opts.MaxLimit)
	if err != nil {
		return err
	}
	ctx := r.Context()
	// Head first: every event of the page is at or below a head read
	// later, so Pnyx-Head never claims less than the page holds.
	head, err := f.log.Head(ctx)
	if err != nil {
		return err
	}
	evs, err := f.log.ReadAll(ctx, events.ReadAllOptions{After: page.After, Limit: page.Limit})
	if err != nil {
		return err
	}
	next := page.After
	if len(evs) > 0 {
		next = evs[len(evs)-1].Position
		head = max(head, next)
	}
	hd := w.Header()
	hd.Set("Content-Type", ContentTypeNDJSON)
	hd.Set(HeaderNextAfter, strconv.FormatUint(uint64(next), 10))
	hd.Set(HeaderHead, strconv.FormatUint(uint64(head), 10))
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodHead {
		return nil
	}
	bw := bufio.NewWriterSize(w, 32<<10)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	for i := range evs {
		if err := enc.Encode(&evs[i]); err != nil {
			return nil // the client went away; the status is already sent
		}
	}
	_ = bw.Flush()
	return nil
}
