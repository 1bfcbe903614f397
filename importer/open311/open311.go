// Package open311 decodes Open311 GeoReport v2 service requests (a
// requests.json dump: a list of requests, an object holding one, or JSON
// Lines) into the commands that record them in Pnyx: each request
// submitted in the category its service code maps to, with where the
// problem is and its public description, acknowledged with its due date,
// assigned to the agency responsible and, once closed, answered with its
// status notes. A mapping file names the categories of the source's
// service codes, its local status words and its agencies' departments
// (docs/IMPORTS.md).
//
// GeoReport publishes no requester, but a system's own dump may hold one
// (email, first_name, last_name, phone, device_id, account_id): the name,
// e-mail and phone go to the vault as the requester, as a citizen's request
// on the web does, and nothing of them reaches an event, the report or a
// log line; device and account ids are dropped.
package open311

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pnyx-civic/pnyx/events"
	"github.com/pnyx-civic/pnyx/importer"
	"github.com/pnyx-civic/pnyx/importer/internal/source"
)

// Mapping is how a source's words read in Pnyx, from the mapping file.
type Mapping struct {
	// Services maps service codes to request categories (information,
	// service, complaint). The categories' own codes, Pnyx's services,
	// map to themselves.
	Services map[string]events.RequestCategory `json:"services"`
	// Statuses maps local status words to open or closed, beside the
	// standard words and the common ones (DefaultStatuses).
	Statuses map[string]string `json:"statuses,omitempty"`
	// Agencies maps agency_responsible names to department ids; an
	// agency that is an id itself needs no row.
	Agencies map[string]string `json:"agencies,omitempty"`
	// Channel is how the source's requests reached the municipality:
	// web (the default; recorded as the public's own act) or phone.
	Channel events.RequestChannel `json:"channel,omitempty"`
	// Body names the body whose request settings give the response
	// periods; empty means the law's.
	Body string `json:"body,omitempty"`
}

// DefaultStatuses are the status words read without a mapping: GeoReport's
// own and common local ones, in lower case.
var DefaultStatuses = map[string]string{
	"open": "open", "closed": "closed",
	"new": "open", "acknowledged": "open", "in_progress": "open", "in progress": "open", "assigned": "open", "pending": "open",
	"ανοιχτό": "open", "ανοικτό": "open", "σε εξέλιξη": "open",
	"resolved": "closed", "completed": "closed", "done": "closed", "fixed": "closed", "answered": "closed",
	"κλειστό": "closed", "ολοκληρώθηκε": "closed", "επιλύθηκε": "closed",
}

// ReadMapping reads a mapping file: a JSON object of the fields of
// Mapping, nothing else.
func ReadMapping(r io.Reader) (Mapping, error) {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	var m Mapping
	if err := dec.Decode(&m); err != nil {
		return Mapping{}, events.Invalidf("open311 mapping: %v", err)
	}
	return m, m.validate()
}

func (m Mapping) validate() error {
	for _, code := range slices.Sorted(maps.Keys(m.Services)) {
		switch m.Services[code] {
		case events.RequestInformation, events.RequestService, events.RequestComplaint:
		default:
			return events.Invalidf("open311 mapping: service %q: category %q, want information, service or complaint", code, m.Services[code])
		}
	}
	for _, w := range slices.Sorted(maps.Keys(m.Statuses)) {
		if s := m.Statuses[w]; s != "open" && s != "closed" {
			return events.Invalidf("open311 mapping: status %q: %q, want open or closed", w, s)
		}
	}
	for _, a := range slices.Sorted(maps.Keys(m.Agencies)) {
		if err := events.ValidateID("open311 mapping: department of agency "+strconv.Quote(a), m.Agencies[a]); err != nil {
			return err
		}
	}
	switch m.Channel {
	case "", events.RequestViaWeb, events.RequestViaPhone:
	default:
		return events.Invalidf("open311 mapping: channel %q, want web or phone", m.Channel)
	}
	if m.Body != "" {
		return events.ValidateID("open311 mapping: body", m.Body)
	}
	return nil
}

// Options of the mapping.
type Options struct {
	Mapping Mapping
	// Location reads times written without a zone; nil means
	// Europe/Athens.
	Location *time.Location
}

// Request is one GeoReport service request as a dump holds it, with the
// personal fields some systems add.
type Request struct {
	ID                source.Text `json:"service_request_id"`
	Status            source.Text `json:"status"`
	StatusNotes       source.Text `json:"status_notes"`
	ServiceName       source.Text `json:"service_name"`
	ServiceCode       source.Text `json:"service_code"`
	Description       source.Text `json:"description"`
	AgencyResponsible source.Text `json:"agency_responsible"`
	Requested         source.Text `json:"requested_datetime"`
	Updated           source.Text `json:"updated_datetime"`
	Expected          source.Text `json:"expected_datetime"`
	Address           source.Text `json:"address"`
	Lat               source.Text `json:"lat"`
	Long              source.Text `json:"long"`
	// Personal: to the vault (name, e-mail, phone) or dropped.
	Email     source.Text `json:"email"`
	FirstName source.Text `json:"first_name"`
	LastName  source.Text `json:"last_name"`
	Phone     source.Text `json:"phone"`
}

// Decoder reads requests one at a time, in constant memory but for a
// digest of each request id seen (to find duplicates).
type Decoder struct {
	opts   Options
	br     *bufio.Reader
	json   *json.Decoder
	array  bool // inside the top-level list
	queue  []json.RawMessage
	seen   map[string][8]byte
	n      int
	ended  bool
	athens *time.Location
}

var _ importer.Decoder = (*Decoder)(nil)

// NewDecoder reads r.
func NewDecoder(r io.Reader, opts Options) *Decoder {
	if opts.Location == nil {
		loc, err := time.LoadLocation("Europe/Athens")
		if err != nil {
			loc = time.UTC
		}
		opts.Location = loc
	}
	if opts.Mapping.Channel == "" {
		opts.Mapping.Channel = events.RequestViaWeb
	}
	athens, err := time.LoadLocation("Europe/Athens")
	if err != nil {
		athens = time.UTC
	}
	return &Decoder{opts: opts, br: bufio.NewReaderSize(r, 64<<10), seen: map[string][8]byte{}, athens: athens}
}

// Next returns the next request's record.
func (d *Decoder) Next() (importer.Record, error) {
	raw, err := d.next()
	if err != nil {
		return importer.Record{}, err
	}
	d.n++
	var req Request
	if err := json.Unmarshal(raw, &req); err != nil {
		return importer.Record{Kind: "request", SourceID: fmt.Sprintf("#%d", d.n), Refused: "not a service request: " + fieldError(err)}, nil
	}
	return d.record(req), nil
}

// fieldError says which field a JSON error is about, never its value.
func fieldError(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) && te.Field != "" {
		return fmt.Sprintf("field %s holds a %s", te.Field, te.Value)
	}
	return "a field holds an object or a list where a string or a number belongs"
}

// next returns the next request object of the input.
func (d *Decoder) next() (json.RawMessage, error) {
	for {
		if len(d.queue) > 0 {
			raw := d.queue[0]
			d.queue = d.queue[1:]
			return raw, nil
		}
		if d.ended {
			return nil, io.EOF
		}
		if d.json == nil {
			switch source.FirstByte(d.br) {
			case '[':
				d.json = json.NewDecoder(d.br)
				d.json.Token()
				d.array = true
			case '{':
				d.json = json.NewDecoder(d.br)
			case 0:
				return nil, events.Invalidf("open311: the file is empty")
			default:
				return nil, events.Invalidf("open311: want a JSON list of service requests, an object holding one, or JSON Lines")
			}
		}
		if d.array && !d.json.More() {
			if _, err := d.json.Token(); err != nil {
				return nil, events.Invalidf("open311: not JSON: %v", err)
			}
			d.ended = true
			continue
		}
		var raw json.RawMessage
		if err := d.json.Decode(&raw); err != nil {
			if errors.Is(err, io.EOF) && !d.array {
				d.ended = true
				continue
			}
			return nil, events.Invalidf("open311: not JSON after request %d: %v", d.n, err)
		}
		raw = bytes.TrimSpace(raw)
		if !d.array && len(raw) > 0 && raw[0] == '{' {
			// An object holding the list ({"service_requests": [...]}), or
			// one request of JSON Lines.
			var wrap map[string]json.RawMessage
			if json.Unmarshal(raw, &wrap) == nil {
				if _, ok := wrap["service_request_id"]; !ok {
					for _, k := range []string{"service_requests", "requests"} {
						var list []json.RawMessage
						if l, ok := wrap[k]; ok && json.Unmarshal(l, &list) == nil {
							d.queue = append(d.queue, list...)
							raw = nil
							break
						}
					}
				}
			}
			if raw == nil {
				continue
			}
		}
		return raw, nil
	}
}

// record maps a request to its commands, or refuses it.
func (d *Decoder) record(req Request) importer.Record {
	id := req.ID.String()
	rec := importer.Record{Kind: "request", SourceID: id}
	refuse := func(format string, args ...any) importer.Record {
		rec.Steps, rec.Refused = nil, fmt.Sprintf(format, args...)
		return rec
	}
	if id == "" {
		rec.SourceID = fmt.Sprintf("#%d", d.n)
		return refuse("no service_request_id")
	}
	if err := events.ValidateID("service_request_id", id); err != nil {
		rec.SourceID = fmt.Sprintf("#%d", d.n)
		return refuse("service_request_id is not an id: %s", message(err))
	}
	digest := req.digest()
	if prev, ok := d.seen[id]; ok {
		if prev != digest {
			return refuse("service_request_id repeated with other content; the first is kept")
		}
		rec.Notes = append(rec.Notes, "a request repeated with the same content: read once")
	}
	d.seen[id] = digest

	code := req.ServiceCode.String()
	if code == "" {
		return refuse("no service_code")
	}
	category, ok := d.opts.Mapping.Services[code]
	if !ok {
		switch c := events.RequestCategory(code); c {
		case events.RequestInformation, events.RequestService, events.RequestComplaint:
			category = c
		default:
			return refuse("service_code %q is not in the mapping's services", code)
		}
	}
	loc := d.opts.Location
	requested, err := source.Time(req.Requested.String(), loc)
	if err != nil {
		return refuse("requested_datetime: %v", err)
	}
	if requested.IsZero() {
		return refuse("no requested_datetime")
	}
	updated, err := source.Time(req.Updated.String(), loc)
	if err != nil {
		rec.Notes = append(rec.Notes, "updated_datetime in no known shape: left out")
		updated = time.Time{}
	}
	expected, err := source.Time(req.Expected.String(), loc)
	if err != nil {
		rec.Notes = append(rec.Notes, "expected_datetime in no known shape: the category's period")
		expected = time.Time{}
	}

	word := strings.ToLower(strings.TrimSpace(req.Status.String()))
	status, ok := d.opts.Mapping.Statuses[word]
	if !ok {
		status, ok = DefaultStatuses[word]
	}
	switch {
	case word == "":
		status = "open"
		rec.Notes = append(rec.Notes, "no status: read as open")
	case !ok:
		return refuse("status %q is neither open nor closed, nor in the mapping's statuses", req.Status)
	case word != status:
		rec.Notes = append(rec.Notes, fmt.Sprintf("status %q read as %s", word, status))
	}

	department := ""
	if agency := req.AgencyResponsible.String(); agency != "" {
		if dep, ok := d.opts.Mapping.Agencies[agency]; ok {
			department = dep
		} else if events.ValidateID("department", agency) == nil {
			department = agency
		} else {
			rec.Notes = append(rec.Notes, fmt.Sprintf("agency %q is not an id nor in the mapping's agencies: not assigned", agency))
		}
	}

	location := d.location(req, &rec)
	subject := req.ServiceName.String()
	if subject == "" {
		subject = "Open311: " + code
		rec.Notes = append(rec.Notes, "no service_name: the service code is the subject")
	}
	person, notes := requester(req)
	rec.Notes = append(rec.Notes, notes...)
	submit := events.SubmitRequest{RequestID: id, Category: category, Subject: subject, Description: req.Description.String(),
		Location: location, Channel: d.opts.Mapping.Channel, At: requested}
	rec.Steps = []importer.Step{{Key: "request:" + id + ":submit", Command: events.SubmitRequest{RequestID: id}, IfAbsent: true,
		Public: submit.Channel == events.RequestViaWeb,
		Requester: &importer.Requester{Person: person, Anonymous: person.DisplayName == AnonymousRequester, Command: func(ref events.SubjectRef) events.Command {
			c := submit
			c.Requester = ref
			return c
		}}}}

	closed := status == "closed"
	// An open request was last changed when it was registered (and
	// assigned): at its updated time; a closed one, when it was answered.
	handled := requested
	if !closed && updated.After(requested) {
		handled = updated
	}
	if !expected.IsZero() || closed || department != "" {
		days := d.responseDays(category, requested, expected, &rec)
		rec.Steps = append(rec.Steps, importer.Step{Key: "request:" + id + ":acknowledge", Command: events.AcknowledgeRequest{
			RequestID: id, ResponseDays: days, BodyID: d.opts.Mapping.Body, At: handled}})
	}
	if department != "" {
		rec.Steps = append(rec.Steps, importer.Step{Key: "request:" + id + ":assign:" + department, Command: events.AssignRequest{
			RequestID: id, Department: department, At: handled}})
	}
	if closed {
		at := updated
		if at.IsZero() || at.Before(requested) {
			at = requested
			rec.Notes = append(rec.Notes, "closed without a usable updated_datetime: answered when requested")
		}
		summary := req.StatusNotes.String()
		if summary == "" {
			summary = "Το αίτημα ολοκληρώθηκε."
			rec.Notes = append(rec.Notes, "closed without status_notes: answered \"Το αίτημα ολοκληρώθηκε.\"")
		}
		rec.Steps = append(rec.Steps, importer.Step{Key: "request:" + id + ":answer", Command: events.AnswerRequest{
			RequestID: id, Summary: summary, At: at}})
	} else if req.StatusNotes != "" {
		rec.Notes = append(rec.Notes, "status_notes of an open request: left out")
	}
	return rec
}

// responseDays is the period whose due date is the expected one: the
// days from the submission's date to the expected date, as the law
// counts them in Athens; zero (the category's period) when there is no
// expected date, when it is not after the submission, or when no body is
// named and it is at least the law's period (the law's due date moves
// past holidays by itself).
func (d *Decoder) responseDays(c events.RequestCategory, requested, expected time.Time, rec *importer.Record) int {
	if expected.IsZero() {
		return 0
	}
	day := func(t time.Time) time.Time {
		y, m, dd := t.In(d.athens).Date()
		return time.Date(y, m, dd, 12, 0, 0, 0, time.UTC)
	}
	days := int(math.Round(day(expected).Sub(day(requested)).Hours() / 24))
	if days < 1 {
		rec.Notes = append(rec.Notes, "expected_datetime not after the request: the category's period")
		return 0
	}
	if law, ok := events.DefaultRequestSettings().DaysFor(c); ok && d.opts.Mapping.Body == "" && days >= law {
		if days > law+7 {
			rec.Notes = append(rec.Notes, "expected_datetime past the law's period: the category's period")
		}
		return 0
	}
	return days
}

// location is where the problem is: the coordinates, when both read and
// lie on Earth (not 0,0, a common placeholder), and the address.
func (d *Decoder) location(req Request, rec *importer.Record) *events.RequestLocation {
	var l events.RequestLocation
	l.Address = req.Address.String()
	if req.Lat != "" || req.Long != "" {
		lat, err1 := strconv.ParseFloat(strings.TrimSpace(strings.ReplaceAll(req.Lat.String(), ",", ".")), 64)
		long, err2 := strconv.ParseFloat(strings.TrimSpace(strings.ReplaceAll(req.Long.String(), ",", ".")), 64)
		switch {
		case err1 != nil || err2 != nil:
			rec.Notes = append(rec.Notes, "coordinates not numbers, or only one: left out")
		case math.IsNaN(lat) || math.IsNaN(long) || lat < -90 || lat > 90 || long < -180 || long > 180:
			rec.Notes = append(rec.Notes, "coordinates out of range: left out")
		case lat == 0 && long == 0:
			rec.Notes = append(rec.Notes, "coordinates 0,0: left out")
		default:
			l.Lat, l.Long = &lat, &long
		}
	}
	if l.Lat == nil && l.Address == "" {
		return nil
	}
	return &l
}

// requester is the person a dump names, for the vault: a field that the
// vault would refuse is left out (by name, never by value); with none,
// the requester is anonymous.
func requester(req Request) (events.Person, []string) {
	var p events.Person
	var notes []string
	keep := func(what string, one events.Person) events.Person {
		if one == (events.Person{}) {
			return one
		}
		if one.Validate() != nil {
			notes = append(notes, "requester's "+what+" refused by the vault: left out")
			return events.Person{}
		}
		return one
	}
	p.Name = keep("name", events.Person{Name: strings.TrimSpace(req.FirstName.String() + " " + req.LastName.String())}).Name
	p.Email = keep("e-mail", events.Person{Email: req.Email.String()}).Email
	p.Phone = keep("phone", events.Person{Phone: req.Phone.String()}).Phone
	if p == (events.Person{}) {
		p.DisplayName = AnonymousRequester
		notes = append(notes, "no requester in the source: the import's anonymous requester")
	}
	return p, notes
}

// AnonymousRequester is the display name of the vault's record that
// stands for every requester the source does not name.
const AnonymousRequester = "Ανώνυμος αιτών (Open311)"

// digest identifies a request's content, to tell a repeat from a
// conflicting duplicate.
func (r Request) digest() [8]byte {
	b, _ := json.Marshal(r)
	s := sha256.Sum256(b)
	return [8]byte(s[:8])
}

func message(err error) string {
	var de *events.Error
	if errors.As(err, &de) {
		return de.Message
	}
	return err.Error()
}
