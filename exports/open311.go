package exports

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pnyx-civic/pnyx/events"
	"github.com/pnyx-civic/pnyx/opendata"
	"github.com/pnyx-civic/pnyx/projections/readmodel"
)

// Open311 answers GeoReport v2 from the read model: GET
// /open311/v2/services.json, /open311/v2/requests.json (filters
// start_date, end_date, status, service_code) and
// /open311/v2/requests/{id}.json. Each answer is read in one snapshot
// and states its position in X-Pnyx-Position.
type Open311 struct {
	rm  Snapshots
	now func() time.Time
}

// Limits of GeoReport v2's requests.json, as the specification sets them.
const (
	Open311MaxRequests = 1000
	Open311Window      = 90 * 24 * time.Hour
)

// NewOpen311 returns the GeoReport v2 endpoints over rm; now is the clock
// of the default window (the 90 days before now).
func NewOpen311(rm Snapshots, now func() time.Time) *Open311 {
	if now == nil {
		now = time.Now
	}
	return &Open311{rm: rm, now: now}
}

func writeJSON(w http.ResponseWriter, r *http.Request, pos events.Position, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set(HeaderPosition, strconv.FormatUint(uint64(pos), 10))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(b)
	}
	return nil
}

// ServeServices answers services.json.
func (o *Open311) ServeServices(w http.ResponseWriter, r *http.Request) error {
	pos, err := o.rm.ServingPosition(r.Context())
	if err != nil {
		return err
	}
	return writeJSON(w, r, pos, opendata.Open311Services)
}

// Open311Query is a parsed requests.json query.
type Open311Query struct {
	Start, End time.Time
	Statuses   []string // open, closed; empty for both
	Services   []string // empty for every service
}

// ParseOpen311Query reads a requests.json query. Dates are RFC 3339
// (w3c format, as the specification says); without them the window is the
// 90 days before end_date, or before now. A bad value is an invalid error.
func ParseOpen311Query(q map[string][]string, now time.Time) (Open311Query, error) {
	var out Open311Query
	one := func(k string) (string, error) {
		vs := q[k]
		switch len(vs) {
		case 0:
			return "", nil
		case 1:
			return vs[0], nil
		}
		return "", events.Invalidf("%s: give it once", k)
	}
	date := func(k string) (time.Time, error) {
		v, err := one(k)
		if err != nil || v == "" {
			return time.Time{}, err
		}
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			return time.Time{}, events.Invalidf("%s %q: want a date and time such as 2026-03-01T00:00:00Z", k, truncate(v))
		}
		return t, nil
	}
	var err error
	if out.Start, err = date("start_date"); err != nil {
		return out, err
	}
	if out.End, err = date("end_date"); err != nil {
		return out, err
	}
	if out.End.IsZero() {
		out.End = now
		if !out.Start.IsZero() && out.Start.Add(Open311Window).Before(now) {
			out.End = out.Start.Add(Open311Window)
		}
	}
	if out.Start.IsZero() {
		out.Start = out.End.Add(-Open311Window)
	}
	if out.End.Before(out.Start) {
		return out, events.Invalidf("end_date is before start_date")
	}
	list := func(k string, allowed func(string) bool) ([]string, error) {
		v, err := one(k)
		if err != nil || v == "" {
			return nil, err
		}
		var xs []string
		for _, x := range strings.Split(v, ",") {
			x = strings.TrimSpace(x)
			if !allowed(x) {
				return nil, events.Invalidf("%s %q: unknown value", k, truncate(x))
			}
			xs = append(xs, x)
		}
		return xs, nil
	}
	if out.Statuses, err = list("status", func(s string) bool { return s == "open" || s == "closed" }); err != nil {
		return out, err
	}
	out.Services, err = list("service_code", func(s string) bool { _, ok := opendata.Open311ServiceByCode(s); return ok })
	return out, err
}

// ServeRequests answers requests.json: at most Open311MaxRequests
// requests submitted in the window, by submission time.
func (o *Open311) ServeRequests(w http.ResponseWriter, r *http.Request) error {
	q, err := ParseOpen311Query(r.URL.Query(), o.now())
	if err != nil {
		return err
	}
	snap, err := o.rm.Snapshot(r.Context())
	if err != nil {
		return err
	}
	defer snap.Close()
	out := []opendata.Open311Request{}
	f := readmodel.RequestFilter{Submitted: readmodel.TimeRange{From: q.Start, To: q.End.Add(time.Nanosecond)}}
	if len(q.Services) == 1 {
		f.Category = q.Services[0]
	}
	f.First = readmodel.MaxPageSize
	for len(out) < Open311MaxRequests {
		page, err := snap.Requests(r.Context(), f)
		if err != nil {
			return err
		}
		for _, req := range page.Items {
			g := opendata.Open311FromRequest(req)
			if (len(q.Statuses) == 0 || slices.Contains(q.Statuses, g.Status)) &&
				(len(q.Services) == 0 || slices.Contains(q.Services, g.ServiceCode)) && len(out) < Open311MaxRequests {
				out = append(out, g)
			}
		}
		if !page.HasMore {
			break
		}
		f.After = page.Next
	}
	return writeJSON(w, r, snap.Position(), out)
}

// ServeRequest answers requests/{id}.json: an array of the one request.
func (o *Open311) ServeRequest(w http.ResponseWriter, r *http.Request) error {
	id, ok := strings.CutSuffix(r.PathValue("file"), ".json")
	if !ok || id == "" || !validFileName(id) {
		return events.Errorf(events.CodeNotFound, "no service request %q", truncate(r.PathValue("file")))
	}
	snap, err := o.rm.Snapshot(r.Context())
	if err != nil {
		return err
	}
	defer snap.Close()
	req, err := snap.Request(r.Context(), id)
	if err != nil {
		return err
	}
	return writeJSON(w, r, snap.Position(), []opendata.Open311Request{opendata.Open311FromRequest(req)})
}
