package changefeed_test

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
	"github.com/pnyx-civic/pnyx/events/changefeed"
	"github.com/pnyx-civic/pnyx/events/httperror"
	"github.com/pnyx-civic/pnyx/events/sqlite"
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
			Data:       json.RawMessage(fmt.Sprintf(`{"item":%d,"title":"Προϋπολογισμός 2026 — θέμα %d"}`, i, i)),
		}
		if _, err := s.Append(context.Background(), stream, events.Any, ev); err != nil {
			t.Fatalf("append %d: %v", i, err)
		}
	}
}

// get requests the feed with a raw query string.
func get(h http.Handler, query string) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/v1/events?"+query, nil))
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
		h := changefeed.New(openStore(t), changefeed.Options{})
		for _, q := range []string{"", "after=0", "after=17&limit=5"} {
			rec := get(h, q)
			if rec.Code != http.StatusOK {
				t.Fatalf("%q: status %d, body %s", q, rec.Code, rec.Body)
			}
			if rec.Body.Len() != 0 {
				t.Errorf("%q: body %q, want empty", q, rec.Body)
			}
			want := "0"
			if q == "after=17&limit=5" {
				want = "17"
			}
			if got := rec.Header().Get(changefeed.HeaderNextAfter); got != want {
				t.Errorf("%q: %s = %q, want %q", q, changefeed.HeaderNextAfter, got, want)
			}
			if got := rec.Header().Get(changefeed.HeaderHead); got != "0" {
				t.Errorf("%q: %s = %q, want 0", q, changefeed.HeaderHead, got)
			}
			if ct := rec.Header().Get("Content-Type"); ct != changefeed.ContentType {
				t.Errorf("%q: content type %q", q, ct)
			}
		}
	})

	t.Run("following the cursor reads every event once, in position order", func(t *testing.T) {
		s := openStore(t)
		appendN(t, s, 25)
		h := changefeed.New(s, changefeed.Options{})
		var got []events.RecordedEvent
		after, pages := "0", 0
		for {
			rec := get(h, "limit=10&after="+after)
			if rec.Code != http.StatusOK {
				t.Fatalf("after=%s: status %d: %s", after, rec.Code, rec.Body)
			}
			page := decodePage(t, rec.Body.Bytes())
			next := rec.Header().Get(changefeed.HeaderNextAfter)
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
			if rec.Header().Get(changefeed.HeaderHead) != "25" {
				t.Fatalf("head header %q, want 25", rec.Header().Get(changefeed.HeaderHead))
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
		h := changefeed.New(s, changefeed.Options{MaxLimit: 5})
		rec := get(h, "limit=100000")
		if rec.Code != http.StatusOK {
			t.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
		if n := len(decodePage(t, rec.Body.Bytes())); n != 5 {
			t.Fatalf("page of %d events, want the maximum 5", n)
		}
	})

	t.Run("without a limit a page holds the default number of events", func(t *testing.T) {
		s := openStore(t)
		appendN(t, s, 12)
		h := changefeed.New(s, changefeed.Options{DefaultLimit: 4, MaxLimit: 10})
		if n := len(decodePage(t, get(h, "").Body.Bytes())); n != 4 {
			t.Fatalf("page of %d events, want the default 4", n)
		}
	})

	t.Run("a page is the recorded envelope, Greek text intact", func(t *testing.T) {
		s := openStore(t)
		appendN(t, s, 4)
		rec := get(changefeed.New(s, changefeed.Options{}), "after=1&limit=2")
		golden(t, "page.ndjson", rec.Body.Bytes())
	})
}

func TestChangeFeedRefusesBadParameters(t *testing.T) {
	s := openStore(t)
	appendN(t, s, 3)
	h := changefeed.New(s, changefeed.Options{})
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
			rec := get(h, tc.query)
			if rec.Code != http.StatusBadRequest {
				t.Fatalf("status %d, want 400; body %s", rec.Code, rec.Body)
			}
			if ct := rec.Header().Get("Content-Type"); ct != "application/json; charset=utf-8" {
				t.Errorf("content type %q", ct)
			}
			var body httperror.Body
			if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
				t.Fatalf("body %q is not a JSON error: %v", rec.Body, err)
			}
			if body.Error.Code != events.CodeInvalid || body.Error.Message == "" {
				t.Fatalf("error %+v, want code invalid with a message", body.Error)
			}
		})
	}
}

func TestChangeFeedOnAClosedStoreIsUnavailable(t *testing.T) {
	s := openStore(t)
	appendN(t, s, 2)
	h := changefeed.New(s, changefeed.Options{})
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	rec := get(h, "")
	if rec.Code != http.StatusServiceUnavailable {
		t.Fatalf("status %d, want 503; body %s", rec.Code, rec.Body)
	}
	var body httperror.Body
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || body.Error.Code != events.CodeUnavailable {
		t.Fatalf("body %s: want an unavailable error", rec.Body)
	}
}

// failingLog fails with an internal error: only a fake can make a real
// store fail that way on demand.
type failingLog struct{}

func (failingLog) ReadAll(context.Context, events.ReadAllOptions) ([]events.RecordedEvent, error) {
	return nil, errors.New("disk I/O error at /secret/path")
}
func (failingLog) Head(context.Context) (events.Position, error) { return 3, nil }

func TestChangeFeedHidesInternalErrors(t *testing.T) {
	rec := get(changefeed.New(failingLog{}, changefeed.Options{}), "")
	if rec.Code != http.StatusInternalServerError {
		t.Fatalf("status %d, want 500", rec.Code)
	}
	if bytes.Contains(rec.Body.Bytes(), []byte("secret")) || !bytes.Contains(rec.Body.Bytes(), []byte(`"internal error"`)) {
		t.Fatalf("body %s: want only \"internal error\"", rec.Body)
	}
}

func TestParsePage(t *testing.T) {
	for _, tc := range []struct {
		rule  string
		query map[string][]string
		want  changefeed.Page
	}{
		{"no parameters read from the start with the default limit", nil, changefeed.Page{After: 0, Limit: 100}},
		{"after is taken as given", map[string][]string{"after": {"42"}}, changefeed.Page{After: 42, Limit: 100}},
		{"a limit within the maximum is kept", map[string][]string{"limit": {"7"}}, changefeed.Page{Limit: 7}},
		{"a limit over the maximum is capped", map[string][]string{"limit": {"5000"}}, changefeed.Page{Limit: 1000}},
		{"the largest position is accepted", map[string][]string{"after": {"18446744073709551615"}}, changefeed.Page{After: 18446744073709551615, Limit: 100}},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			got, err := changefeed.ParsePage(tc.query, 100, 1000)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Fatalf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

func FuzzParsePage(f *testing.F) {
	for _, seed := range [][2]string{{"0", "10"}, {"-1", "0"}, {"18446744073709551616", "9999999999999"}, {"", ""}, {"１", "٣"}} {
		f.Add(seed[0], seed[1])
	}
	f.Fuzz(func(t *testing.T, after, limit string) {
		p, err := changefeed.ParsePage(map[string][]string{"after": {after}, "limit": {limit}}, 100, 1000)
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
	h := changefeed.New(s, changefeed.Options{MaxLimit: 3})
	for _, seed := range []string{"after=2&limit=2", "after=%zz", "limit=1&limit=", "after=3;limit=1", "after=+4"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, query string) {
		req := httptest.NewRequest(http.MethodGet, "/v1/events", nil)
		req.URL.RawQuery = query
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		switch rec.Code {
		case http.StatusOK:
			if n := bytes.Count(rec.Body.Bytes(), []byte("\n")); n > 3 {
				t.Fatalf("page of %d events over the maximum 3", n)
			}
		case http.StatusBadRequest:
			var body httperror.Body
			if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || body.Error.Code != events.CodeInvalid {
				t.Fatalf("400 without a JSON invalid error: %s", rec.Body)
			}
		default:
			t.Fatalf("status %d for query %q", rec.Code, query)
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
