package exports_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/pnyx-civic/pnyx/events"
	"github.com/pnyx-civic/pnyx/events/sqlite"
	"github.com/pnyx-civic/pnyx/exports"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// clock returns a fixed time that advances one second per call, so
// recorded_at is reproducible.
func clock() func() time.Time {
	t := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
	return func() time.Time {
		t = t.Add(time.Second)
		return t
	}
}

// openStore opens a real SQLite store in a temporary directory.
func openStore(t testing.TB) *sqlite.Store {
	t.Helper()
	s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "events.db"), sqlite.Options{Now: clock()})
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// appendN appends n events with deterministic ids over three streams.
func appendN(t testing.TB, s events.Store, n int) {
	t.Helper()
	for i := range n {
		stream := fmt.Sprintf("meeting-%d", i%3)
		ev := events.Event{
			ID:         events.DeterministicID("changefeed-test", i),
			Type:       "meeting.item_added",
			OccurredAt: time.Date(2026, 3, 3, 18, 0, 0, 0, time.UTC),
			Actor:      events.Actor{TokenID: "tok-1", Role: "clerk"},
			Data:       json.RawMessage(fmt.Sprintf(`{"item_id":"%d","title":"Προϋπολογισμός 2026 — θέμα %d"}`, i, i)),
		}
		if _, err := s.Append(context.Background(), stream, events.Any, ev); err != nil {
			t.Fatalf("append %d: %v", i, err)
		}
	}
}

// get requests the feed with a raw query string and returns what it wrote
// and the error it left for the server to write.
func get(f *exports.ChangeFeed, query string) (*httptest.ResponseRecorder, error) {
	rec := httptest.NewRecorder()
	err := f.Serve(rec, httptest.NewRequest(http.MethodGet, "/v1/events?"+query, nil))
	return rec, err
}

// page requests the feed and fails the test unless it answers a page.
func page(t *testing.T, f *exports.ChangeFeed, query string) *httptest.ResponseRecorder {
	t.Helper()
	rec, err := get(f, query)
	if err != nil || rec.Code != http.StatusOK {
		t.Fatalf("%q: status %d, error %v, body %s", query, rec.Code, err, rec.Body)
	}
	return rec
}

// decodePage reads an NDJSON body line by line.
func decodePage(t *testing.T, body []byte) []events.RecordedEvent {
	t.Helper()
	var out []events.RecordedEvent
	sc := bufio.NewScanner(bytes.NewReader(body))
	sc.Buffer(nil, 4<<20)
	for sc.Scan() {
		var ev events.RecordedEvent
		if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
			t.Fatalf("line %q is not a recorded event: %v", sc.Text(), err)
		}
		out = append(out, ev)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestChangeFeed(t *testing.T) {
	t.Run("an empty log answers an empty page whose cursor stays where it was", func(t *testing.T) {
		h := exports.NewChangeFeed(openStore(t), exports.ChangeFeedOptions{})
		for _, q := range []string{"", "after=0", "after=17&limit=5"} {
			rec := page(t, h, q)
			if rec.Body.Len() != 0 {
				t.Errorf("%q: body %q, want empty", q, rec.Body)
			}
			want := "0"
			if q == "after=17&limit=5" {
				want = "17"
			}
			if got := rec.Header().Get(exports.HeaderNextAfter); got != want {
				t.Errorf("%q: %s = %q, want %q", q, exports.HeaderNextAfter, got, want)
			}
			if got := rec.Header().Get(exports.HeaderHead); got != "0" {
				t.Errorf("%q: %s = %q, want 0", q, exports.HeaderHead, got)
			}
			if ct := rec.Header().Get("Content-Type"); ct != exports.ContentTypeNDJSON {
				t.Errorf("%q: content type %q", q, ct)
			}
		}
	})

	t.Run("following the cursor reads every event once, in position order", func(t *testing.T) {
		s := openStore(t)
		appendN(t, s, 25)
		h := exports.NewChangeFeed(s, exports.ChangeFeedOptions{})
		var got []events.RecordedEvent
		after, pages := "0", 0
		for {
			rec := page(t, h, "limit=10&after="+after)
			page := decodePage(t, rec.Body.Bytes())
			next := rec.Header().Get(exports.HeaderNextAfter)
			if len(page) == 0 {
				if next != after {
					t.Fatalf("empty page moved the cursor from %s to %s", after, next)
				}
				break
			}
			pages++
			if last := strconv.FormatUint(uint64(page[len(page)-1].Position), 10); next != last {
				t.Fatalf("cursor %s, but the page ends at position %s", next, last)
			}
			if rec.Header().Get(exports.HeaderHead) != "25" {
				t.Fatalf("head header %q, want 25", rec.Header().Get(exports.HeaderHead))
			}
			got = append(got, page...)
			after = next
		}
		if pages != 3 || len(got) != 25 {
			t.Fatalf("read %d events in %d pages, want 25 in 3", len(got), pages)
		}
		for i, ev := range got {
			if ev.Position != events.Position(i+1) {
				t.Fatalf("event %d has position %d, want %d", i, ev.Position, i+1)
			}
		}
	})

	t.Run("a limit above the maximum is lowered, not refused", func(t *testing.T) {
		s := openStore(t)
		appendN(t, s, 12)
		h := exports.NewChangeFeed(s, exports.ChangeFeedOptions{MaxLimit: 5})
		rec := page(t, h, "limit=100000")
		if n := len(decodePage(t, rec.Body.Bytes())); n != 5 {
			t.Fatalf("page of %d events, want the maximum 5", n)
		}
	})

	t.Run("without a limit a page holds the default number of events", func(t *testing.T) {
		s := openStore(t)
		appendN(t, s, 12)
		h := exports.NewChangeFeed(s, exports.ChangeFeedOptions{DefaultLimit: 4, MaxLimit: 10})
		if n := len(decodePage(t, page(t, h, "").Body.Bytes())); n != 4 {
			t.Fatalf("page of %d events, want the default 4", n)
		}
	})

	t.Run("a HEAD request gets the page's headers and no body", func(t *testing.T) {
		s := openStore(t)
		appendN(t, s, 3)
		rec := httptest.NewRecorder()
		if err := exports.NewChangeFeed(s, exports.ChangeFeedOptions{}).Serve(rec, httptest.NewRequest(http.MethodHead, "/v1/events?after=1", nil)); err != nil {
			t.Fatal(err)
		}
		if rec.Code != http.StatusOK || rec.Body.Len() != 0 || rec.Header().Get(exports.HeaderNextAfter) != "3" || rec.Header().Get(exports.HeaderHead) != "3" {
			t.Fatalf("%d %v %q", rec.Code, rec.Header(), rec.Body)
		}
	})

	t.Run("a page is the recorded envelope, Greek text intact", func(t *testing.T) {
		s := openStore(t)
		appendN(t, s, 4)
		rec := page(t, exports.NewChangeFeed(s, exports.ChangeFeedOptions{}), "after=1&limit=2")
		golden(t, "page.ndjson", rec.Body.Bytes())
	})
}

func TestChangeFeedRefusesBadParameters(t *testing.T) {
	s := openStore(t)
	appendN(t, s, 3)
	h := exports.NewChangeFeed(s, exports.ChangeFeedOptions{})
	for _, tc := range []struct{ rule, query string }{
		{"after must be a number", "after=abc"},
		{"after must not be negative", "after=-1"},
		{"after must fit a position", "after=99999999999999999999999"},
		{"after must be given once", "after=1&after=2"},
		{"limit must be a number", "limit=ten"},
		{"limit must be positive", "limit=0"},
		{"limit must not be negative", "limit=-5"},
		{"limit must be given once", "limit=1&limit=2"},
		{"an empty after is not position 0", "after="},
		{"a fraction is not a limit", "limit=1.5"},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			rec, err := get(h, tc.query)
			if !errors.Is(err, events.ErrInvalid) || events.ErrorMessage(err) == "" {
				t.Fatalf("error %v, want an invalid error with a message", err)
			}
			if rec.Body.Len() != 0 || len(rec.Header()) != 0 {
				t.Fatalf("the feed wrote %v %q before refusing; the server writes the error", rec.Header(), rec.Body)
			}
		})
	}
}

func TestChangeFeedOnAClosedStoreIsUnavailable(t *testing.T) {
	s := openStore(t)
	appendN(t, s, 2)
	h := exports.NewChangeFeed(s, exports.ChangeFeedOptions{})
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	rec, err := get(h, "")
	if events.ErrorCode(err) != events.CodeUnavailable || rec.Body.Len() != 0 {
		t.Fatalf("error %v, body %q: want an unavailable error and nothing written", err, rec.Body)
	}
}

// failingLog fails with an internal error: only a fake can make a real
// store fail that way on demand.
type failingLog struct{}

func (failingLog) ReadAll(context.Context, events.ReadAllOptions) ([]events.RecordedEvent, error) {
	return nil, errors.New("disk I/O error at /secret/path")
}
func (failingLog) Head(context.Context) (events.Position, error) { return 3, nil }

func TestChangeFeedLeavesInternalErrorsToTheServer(t *testing.T) {
	rec, err := get(exports.NewChangeFeed(failingLog{}, exports.ChangeFeedOptions{}), "")
	if events.ErrorCode(err) != events.CodeInternal || rec.Body.Len() != 0 {
		t.Fatalf("error %v, body %q: want the internal error returned and nothing written", err, rec.Body)
	}
}

func TestParseFeedPage(t *testing.T) {
	for _, tc := range []struct {
		rule  string
		query map[string][]string
		want  exports.FeedPage
	}{
		{"no parameters read from the start with the default limit", nil, exports.FeedPage{After: 0, Limit: 100}},
		{"after is taken as given", map[string][]string{"after": {"42"}}, exports.FeedPage{After: 42, Limit: 100}},
		{"a limit within the maximum is kept", map[string][]string{"limit": {"7"}}, exports.FeedPage{Limit: 7}},
		{"a limit over the maximum is capped", map[string][]string{"limit": {"5000"}}, exports.FeedPage{Limit: 1000}},
		{"the largest position is accepted", map[string][]string{"after": {"18446744073709551615"}}, exports.FeedPage{After: 18446744073709551615, Limit: 100}},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			got, err := exports.ParseFeedPage(tc.query, 100, 1000)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Fatalf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

func FuzzParseFeedPage(f *testing.F) {
	for _, seed := range [][2]string{{"0", "10"}, {"-1", "0"}, {"18446744073709551616", "9999999999999"}, {"", ""}, {"１", "٣"}} {
		f.Add(seed[0], seed[1])
	}
	f.Fuzz(func(t *testing.T, after, limit string) {
		p, err := exports.ParseFeedPage(map[string][]string{"after": {after}, "limit": {limit}}, 100, 1000)
		if err != nil {
			if !errors.Is(err, events.ErrInvalid) {
				t.Fatalf("error %v does not match ErrInvalid", err)
			}
			return
		}
		if p.Limit < 1 || p.Limit > 1000 {
			t.Fatalf("limit %d outside 1..1000", p.Limit)
		}
	})
}

// FuzzChangeFeedQuery sends arbitrary query strings to the handler over a
// real store: the answer is a page or a JSON 400, never a panic or a 500.
func FuzzChangeFeedQuery(f *testing.F) {
	s := openStore(f)
	appendN(f, s, 5)
	h := exports.NewChangeFeed(s, exports.ChangeFeedOptions{MaxLimit: 3})
	for _, seed := range []string{"after=2&limit=2", "after=%zz", "limit=1&limit=", "after=3;limit=1", "after=+4"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, query string) {
		req := httptest.NewRequest(http.MethodGet, "/v1/events", nil)
		req.URL.RawQuery = query
		rec := httptest.NewRecorder()
		if err := h.Serve(rec, req); err != nil {
			if !errors.Is(err, events.ErrInvalid) || rec.Body.Len() != 0 {
				t.Fatalf("query %q: error %v with body %q, want an invalid error and nothing written", query, err, rec.Body)
			}
			return
		}
		if n := bytes.Count(rec.Body.Bytes(), []byte("\n")); rec.Code != http.StatusOK || n > 3 {
			t.Fatalf("query %q: status %d, page of %d events over the maximum 3", query, rec.Code, n)
		}
	})
}

// golden compares got with testdata/name, rewriting it under -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s differs from the golden file:\n got: %s\nwant: %s", name, got, want)
	}
}
