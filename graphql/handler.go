// Package graphql owns Pnyx's GraphQL API: the schema (schema.graphql, the
// source of truth; gqlgen generates the executor in generated/), the
// resolvers over the read model's queries, the per-request loaders, the
// limits checked before a query runs, and the HTTP handler the server
// mounts at /graphql.
//
// Each request reads one read-model snapshot, so every field of an answer
// comes from the same serving position, which the answer names in
// extensions.position. A connection's children are read through loaders
// that batch the look-ups of a page into one query per kind of entity, so
// a page costs the same number of statements whatever its size.
package graphql

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"log/slog"
	"net/http"
	"time"

	gql "github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/pnyx-civic/pnyx/analytics"
	"github.com/pnyx-civic/pnyx/events"
	"github.com/pnyx-civic/pnyx/graphql/generated"
	"github.com/pnyx-civic/pnyx/projections/readmodel"
)

//go:generate go tool gqlgen generate

// Schema is the API's schema in SDL, as `pnyx graphql schema` prints it.
//
//go:embed schema.graphql
var Schema string

// ReadModel is what the API reads: snapshots for the queries, and the log
// for past states and histories. *readmodel.ReadModel implements it.
type ReadModel interface {
	// Snapshot opens a read transaction at the serving position; an
	// unavailable error while the read model is not built yet.
	Snapshot(ctx context.Context) (*readmodel.Snapshot, error)
	// AsOf folds an entity's stream up to a point; a not_found error when
	// it had no events then, invalid for a malformed stream.
	AsOf(ctx context.Context, stream string, at readmodel.Point) (readmodel.EntityState, error)
	// History reads a stream's events; not_found for a stream without
	// any, invalid for a malformed one.
	History(ctx context.Context, stream string, opts readmodel.HistoryOptions) ([]readmodel.HistoryEvent, error)
	// ServingPosition is the position a snapshot opened now would read
	// at, in one look-up; unavailable while the read model is not built.
	ServingPosition(ctx context.Context) (events.Position, error)
}

var _ ReadModel = (*readmodel.ReadModel)(nil)

// Log is the event log the change feed pages through.
type Log interface {
	// ReadAll reads up to opts.Limit events after opts.After, in order.
	ReadAll(ctx context.Context, opts events.ReadAllOptions) ([]events.RecordedEvent, error)
}

// Options tune a Handler; the zero value is ready to use.
type Options struct {
	// Now is the clock of "now" in a query (overdue requests, sitting
	// members); time.Now when nil.
	Now func() time.Time
	// Logger receives the causes of internal errors; nil discards them.
	Logger *slog.Logger
	// MaxDepth, MaxComplexity and MaxAliases limit a query before it
	// runs; DefaultMaxDepth, DefaultMaxComplexity and DefaultMaxAliases
	// when zero.
	MaxDepth, MaxComplexity, MaxAliases int
	// MaxBodyBytes caps a request's body; DefaultMaxBodyBytes when zero.
	MaxBodyBytes int64
	// Timeout bounds a request, cancelling its SQL; DefaultTimeout when
	// zero.
	Timeout time.Duration
	// BatchWait is how long a loader gathers the keys of fields resolving
	// side by side before it reads them in one query; DefaultBatchWait
	// when zero.
	BatchWait time.Duration
	// NoResponseCache answers every query afresh (benchmarks of the
	// uncached path).
	NoResponseCache bool
	// Writes is what the mutations record through; the zero value serves
	// queries only, every mutation answering UNAVAILABLE.
	Writes Writes
	// Analytics answers the analytics field (see SnapshotEngine); without
	// it the field is an unavailable error.
	Analytics analytics.Engine
	// Ledger answers the ledger field; without it the field is an
	// unavailable error.
	Ledger Ledger
}

const (
	DefaultTimeout   = 10 * time.Second
	DefaultBatchWait = time.Millisecond
	// queryCacheSize is how many parsed queries, and persisted queries,
	// are kept.
	queryCacheSize = 1000
)

// Handler serves the GraphQL API over HTTP: POST and GET /graphql (GET for
// queries only), and the explorer for a browser's GET /graphql. It is safe
// for concurrent use.
type Handler struct {
	rm    ReadModel
	log   *slog.Logger
	feed  Log
	now   func() time.Time
	opts  Options
	srv   *handler.Server
	cache *responseCache
	// writes and public are the mutations' write side and the rate of
	// public submissions per client.
	writes Writes
	public *limiters
}

// New returns the API's handler over rm and log.
func New(rm ReadModel, log Log, opts Options) *Handler {
	h := &Handler{rm: rm, feed: log, now: opts.Now, log: opts.Logger, opts: opts, cache: newResponseCache()}
	if h.now == nil {
		h.now = time.Now
	}
	if h.log == nil {
		h.log = slog.New(slog.DiscardHandler)
	}
	if h.opts.MaxDepth <= 0 {
		h.opts.MaxDepth = DefaultMaxDepth
	}
	if h.opts.MaxComplexity <= 0 {
		h.opts.MaxComplexity = DefaultMaxComplexity
	}
	if h.opts.MaxAliases <= 0 {
		h.opts.MaxAliases = DefaultMaxAliases
	}
	if h.opts.MaxBodyBytes <= 0 {
		h.opts.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if h.opts.Timeout <= 0 {
		h.opts.Timeout = DefaultTimeout
	}
	if h.opts.BatchWait <= 0 {
		h.opts.BatchWait = DefaultBatchWait
	}
	h.writes = opts.Writes
	if h.writes.CatchUp <= 0 {
		h.writes.CatchUp = DefaultCatchUp
	}
	if h.writes.PublicRate <= 0 {
		h.writes.PublicRate = DefaultPublicRate
	}
	if h.writes.PublicBurst <= 0 {
		h.writes.PublicBurst = DefaultPublicBurst
	}
	h.public = newLimiters(h.writes.PublicRate, h.writes.PublicBurst)
	srv := handler.New(generated.NewExecutableSchema(generated.Config{Resolvers: &resolver{h: h}}))
	srv.AddTransport(transport.GET{})
	srv.AddTransport(transport.POST{})
	srv.SetQueryCache(lru.New[*ast.QueryDocument](queryCacheSize))
	srv.Use(extension.Introspection{})
	srv.Use(extension.AutomaticPersistedQuery{Cache: lru.New[string](queryCacheSize)})
	srv.Use(limits{maxDepth: h.opts.MaxDepth, maxComplexity: h.opts.MaxComplexity, maxAliases: h.opts.MaxAliases})
	srv.SetErrorPresenter(h.present)
	srv.SetRecoverFunc(h.recover)
	srv.AroundOperations(h.aroundOperation)
	h.srv = srv
	return h
}

// Serve answers one GraphQL request. GraphQL answers its own errors (a
// 200 with errors, each with extensions.code); Serve returns an error,
// having written nothing, only for a body over the limit. An anonymous
// query answered before at the same serving position is answered from
// the response cache; a GET answer carries an ETag and is revalidated
// (304) by If-None-Match.
func (h *Handler) Serve(w http.ResponseWriter, r *http.Request) error {
	if wantsExplorer(r) {
		serveExplorerPage(w)
		return nil
	}
	ctx, cancel := context.WithTimeout(r.Context(), h.opts.Timeout)
	defer cancel()
	ctx = context.WithValue(ctx, requestIDKey{}, w.Header().Get("Pnyx-Request-Id"))
	ctx = context.WithValue(ctx, callerKey{}, h.callerFrom(r))
	r = r.WithContext(ctx)
	body, err := readBody(w, r, h.opts.MaxBodyBytes)
	if err != nil {
		return err
	}
	key, cacheable := cacheKeyOf(r, body)
	cacheable = cacheable && !h.opts.NoResponseCache
	if cacheable {
		pos, err := h.rm.ServingPosition(ctx)
		if err == nil {
			if a, ok := h.cache.answers.Get(ctx, positionKey(key, pos)); ok {
				h.answerCached(w, r, a)
				return nil
			}
		}
	}
	state := &cacheState{}
	r = r.WithContext(context.WithValue(ctx, cacheStateKey{}, state))
	c := &capture{ResponseWriter: w}
	if cacheable && r.Method == http.MethodGet {
		// The ETag must be set before the body; it is the key at the
		// position the snapshot reads, known only once it is open, so
		// GET answers are set by the operation (see aroundOperation).
		c.ResponseWriter = &etagWriter{ResponseWriter: w, key: key, state: state}
	}
	h.srv.ServeHTTP(c, r)
	state.mu.Lock()
	keep := cacheable && state.cacheable && c.status == http.StatusOK && !c.over
	pos := state.position
	state.mu.Unlock()
	if keep {
		k := positionKey(key, pos)
		h.cache.answers.Add(ctx, k, &cachedAnswer{body: bytes.Clone(c.body.Bytes()), etag: etagOf(k)})
	}
	return nil
}

// answerCached writes a kept answer, or 304 for a GET whose
// If-None-Match names it. To a client that accepts gzip from a writer
// that would compress it (see compressor), it writes the answer's bytes
// compressed once.
func (h *Handler) answerCached(w http.ResponseWriter, r *http.Request, a *cachedAnswer) {
	hd := w.Header()
	if r.Method == http.MethodGet {
		hd.Set("ETag", a.etag)
		hd.Set("Cache-Control", getCacheControl)
		if r.Header.Get("If-None-Match") == a.etag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
	}
	hd.Set("Content-Type", "application/graphql-response+json")
	if c, ok := w.(compressor); ok && c.AcceptsGzip() {
		if gz := a.compressed(); gz != nil {
			hd.Add("Vary", "Accept-Encoding")
			hd.Set("Content-Encoding", "gzip")
			_, _ = w.Write(gz)
			return
		}
	}
	_, _ = w.Write(a.body)
}

// getCacheControl lets shared caches keep a GET answer but revalidate it
// on every use: it stays right only while the position does.
const getCacheControl = "public, max-age=0, must-revalidate"

// etagWriter sets a GET answer's ETag and Cache-Control from the position
// its operation read at, before the first byte.
type etagWriter struct {
	http.ResponseWriter
	key     string
	state   *cacheState
	written bool
}

func (e *etagWriter) header() {
	if e.written {
		return
	}
	e.written = true
	e.state.mu.Lock()
	ok, pos := e.state.cacheable, e.state.position
	e.state.mu.Unlock()
	if ok {
		e.ResponseWriter.Header().Set("ETag", etagOf(positionKey(e.key, pos)))
		e.ResponseWriter.Header().Set("Cache-Control", getCacheControl)
	}
}

func (e *etagWriter) WriteHeader(status int) {
	e.header()
	e.ResponseWriter.WriteHeader(status)
}

func (e *etagWriter) Write(b []byte) (int, error) {
	e.header()
	return e.ResponseWriter.Write(b)
}

// ServeHTTP is Serve for a plain http.Handler: an error Serve returns is
// answered as a GraphQL error, 413 for a body over the limit.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	err := h.Serve(w, r)
	if err == nil {
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusRequestEntityTooLarge)
	_ = json.NewEncoder(w).Encode(gql.Response{Errors: gqlerror.List{h.present(r.Context(), err)}})
}

// aroundOperation runs a query in one snapshot, opened before its first
// field and closed after its answer, and names the snapshot's position in
// extensions.position.
func (h *Handler) aroundOperation(ctx context.Context, next gql.OperationHandler) gql.ResponseHandler {
	oc := gql.GetOperationContext(ctx)
	if oc.Operation != nil && oc.Operation.Operation == ast.Mutation {
		return h.aroundMutation(ctx, next)
	}
	if oc.Operation == nil || oc.Operation.Operation != ast.Query {
		return next(ctx)
	}
	snap, err := h.rm.Snapshot(ctx)
	if err != nil {
		return gql.OneShot(&gql.Response{Errors: gqlerror.List{h.present(ctx, err)}})
	}
	q := &request{snap: snap, now: h.now().UTC(), loaders: newLoaders(snap, h.opts.BatchWait)}
	ctx = withRequest(ctx, q)
	respond := next(ctx)
	return func(ctx context.Context) *gql.Response {
		resp := respond(withRequest(ctx, q))
		snap.Close()
		if c := cacheStateOf(ctx); c != nil && resp != nil {
			c.mu.Lock()
			c.cacheable, c.position = len(resp.Errors) == 0 && !q.uncached.Load(), snap.Position()
			c.mu.Unlock()
		}
		if resp != nil {
			if resp.Extensions == nil {
				resp.Extensions = map[string]any{}
			}
			resp.Extensions["position"] = uint64(snap.Position())
		}
		return resp
	}
}

// aroundMutation runs a mutation operation. Its mutations open their
// snapshots as they go (see Handler.written); they are closed after the
// answer, whose extensions.position is that of the last one, at or past
// every write the answer shows.
func (h *Handler) aroundMutation(ctx context.Context, next gql.OperationHandler) gql.ResponseHandler {
	q := &request{now: h.now().UTC()}
	respond := next(withRequest(ctx, q))
	return func(ctx context.Context) *gql.Response {
		resp := respond(withRequest(ctx, q))
		for _, s := range q.opened {
			s.Close()
		}
		if resp != nil && q.snap != nil {
			if resp.Extensions == nil {
				resp.Extensions = map[string]any{}
			}
			resp.Extensions["position"] = uint64(q.snap.Position())
		}
		return resp
	}
}
