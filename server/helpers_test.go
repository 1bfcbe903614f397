package server

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pnyx-civic/pnyx/events"
	"github.com/pnyx-civic/pnyx/events/sqlite"
	"github.com/pnyx-civic/pnyx/projections"
	"github.com/pnyx-civic/pnyx/projections/readmodel"
)

// world is a server over the real parts of pnyx serve, in a temporary
// data directory: the SQLite store, the command service, the projection
// runner (not running unless a test starts it) and the read model's
// queries, with the log written to a buffer.
type world struct {
	dir     string
	store   *sqlite.Store
	runner  *projections.Runner
	metrics *Metrics
	logs    *logBuffer
	srv     *Server
}

// newWorld builds a world; log, if not nil, stands in for the store as the
// server's log (the change feed reads it).
func newWorld(t testing.TB, log Log, opts Options) *world {
	t.Helper()
	ctx := context.Background()
	w := &world{dir: t.TempDir(), logs: &logBuffer{}}
	var err error
	w.store, err = sqlite.Open(ctx, filepath.Join(w.dir, "events.db"), sqlite.Options{Now: clock()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.store.Close() })
	w.metrics = NewMetrics()
	metered := w.metrics.MeterStore(w.store)
	db, err := projections.OpenReadModel(ctx, filepath.Join(w.dir, "readmodel.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	w.runner, err = projections.NewRunner(db, metered, []projections.Projection{readmodel.NewReadModelProjection(nil)},
		projections.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.runner.Close() })
	queries, err := readmodel.OpenReadModelQueries(ctx, filepath.Join(w.dir, "readmodel.db"), metered)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { queries.Close() })
	if log == nil {
		log = metered
	}
	opts.Metrics = w.metrics
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewJSONHandler(w.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	w.srv, err = New(Sources{Log: log, Commands: events.NewService(metered, events.ServiceOptions{}), ReadModel: queries, Projections: w.runner}, opts)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// run starts the projection runner until the test ends.
func (w *world) run(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.runner.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		<-done
	})
}

// appendMeeting appends one event through the metered store, as the
// command service would, and returns its position.
func (w *world) appendMeeting(t *testing.T, stream string) events.Position {
	t.Helper()
	ev := events.Event{Type: "meeting.scheduled", Data: json.RawMessage(`{"place":"Συνεδρίαση"}`)}
	res, err := w.srv.src.Log.(events.Store).Append(context.Background(), stream, events.NoStream, ev)
	if err != nil {
		t.Fatal(err)
	}
	return res.Position
}

// do sends req through the server's handler.
func (w *world) do(req *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	w.srv.Handler().ServeHTTP(rec, req)
	return rec
}

// get sends a GET of target.
func (w *world) get(target string) *httptest.ResponseRecorder {
	return w.do(httptest.NewRequest(http.MethodGet, target, nil))
}

// clock starts at a fixed instant and advances a second per reading; safe
// for concurrent use.
func clock() func() time.Time {
	var (
		mu sync.Mutex
		t  = time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
	)
	return func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		t = t.Add(time.Second)
		return t
	}
}

// logBuffer collects JSON log lines; safe for concurrent use.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// lines returns every log line as a map.
func (b *logBuffer) lines(t *testing.T) []map[string]any {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []map[string]any
	sc := bufio.NewScanner(bytes.NewReader(b.buf.Bytes()))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("log line %q: %v", sc.Text(), err)
		}
		out = append(out, m)
	}
	return out
}

// withID returns the log lines of request id whose message is msg.
func (b *logBuffer) withID(t *testing.T, id, msg string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, l := range b.lines(t) {
		if l["request_id"] == id && l["msg"] == msg {
			out = append(out, l)
		}
	}
	return out
}

// String is the whole log, for failure messages.
func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// errorBody decodes a JSON error answer.
func errorBody(t *testing.T, rec *httptest.ResponseRecorder) ErrorDetail {
	t.Helper()
	if ct := rec.Header().Get("Content-Type"); ct != "application/json; charset=utf-8" {
		t.Fatalf("error answer of type %q: %s", ct, rec.Body)
	}
	var b ErrorBody
	dec := json.NewDecoder(bytes.NewReader(rec.Body.Bytes()))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&b); err != nil {
		t.Fatalf("body %q is not a JSON error: %v", rec.Body, err)
	}
	return b.Error
}

// failingLog is a log whose reads fail with err: only a fake can make a
// real store fail with a chosen cause on demand.
type failingLog struct{ err error }

func (l failingLog) ReadAll(context.Context, events.ReadAllOptions) ([]events.RecordedEvent, error) {
	return nil, l.err
}
func (failingLog) Head(context.Context) (events.Position, error) { return 3, nil }

// readAll reads a body, gunzipped or not, for tests that compare text.
func readAll(t *testing.T, r io.Reader) string {
	t.Helper()
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// mustContainNone fails when s contains any of subs.
func mustContainNone(t *testing.T, what, s string, subs ...string) {
	t.Helper()
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			t.Errorf("%s carries %q: %s", what, sub, s)
		}
	}
}
