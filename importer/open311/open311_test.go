package open311_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/pnyx-civic/pnyx/events"
	"github.com/pnyx-civic/pnyx/importer"
	"github.com/pnyx-civic/pnyx/importer/importtest"
	"github.com/pnyx-civic/pnyx/importer/open311"
)

func mapping(t *testing.T) open311.Mapping {
	t.Helper()
	f, err := os.Open("testdata/mapping.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	m, err := open311.ReadMapping(f)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func importFile(t *testing.T, st importer.Store, people importer.People, dry bool) *importer.Report {
	t.Helper()
	f, err := os.Open("testdata/requests.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	dec := open311.NewDecoder(f, open311.Options{Mapping: mapping(t)})
	rep, err := importer.Import(context.Background(), st, importer.Source{Name: "open311-test", RetrievedAt: importtest.Now}, dec,
		importer.Options{Actor: importtest.Admin(t, st), Now: importtest.Clock, People: people, DryRun: dry})
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func text(rep *importer.Report) string {
	var b strings.Builder
	rep.WriteText(&b)
	return b.String()
}

// personal are the personal fields of testdata/requests.json: none may
// reach an event or the report.
var personal = []string{"maria.papadopoulou", "Παπαδοπούλου", "Μαρία", "694 123 4567", "dev-8c1f2a", "acc-77",
	"Γιώργος", "Νικολάου", "dev-0001", "not-an-address", "nikos@example.gr", "6941234567"}

func TestMessyOpen311(t *testing.T) {
	ctx := context.Background()
	st := importtest.Store(t)
	v := importtest.Vault(t)
	before := importtest.Head(t, st)
	dry := importFile(t, st, nil, true)
	if h := importtest.Head(t, st); h != before {
		t.Fatalf("the dry run wrote: head %d, was %d", h, before)
	}
	rep := importFile(t, st, v, false)
	t.Log(text(rep))
	if dry.Imported != rep.Imported || dry.Refused != rep.Refused {
		t.Errorf("the dry run would import %d and refuse %d; the import imported %d and refused %d", dry.Imported, dry.Refused, rep.Imported, rep.Refused)
	}
	t.Run("a refusal per reason, naming the request", func(t *testing.T) {
		got := map[string]string{}
		for _, r := range rep.Refusals {
			got[r.SourceID] = r.Refused
		}
		for id, reason := range map[string]string{
			"638344": "repeated with other content",
			"#8":     "no service_request_id",
			"638350": `service_code "graffiti" is not in the mapping`,
			"638351": "no requested_datetime",
			"638352": `status "on hold" is neither open nor closed`,
			"638353": "no service_code",
			"638354": `date "yesterday" is in no known shape`,
			"638355": "request description contains a phone number",
			"#15":    "not a service request",
			"#16":    "service_request_id is not an id",
		} {
			if !strings.Contains(got[id], reason) {
				t.Errorf("%s: refused for %q, want %q", id, got[id], reason)
			}
		}
		if rep.Refused != 10 || rep.Imported != 6 || rep.Unchanged != 1 {
			t.Errorf("imported %d, unchanged %d, refused %d; want 6, 1, 10", rep.Imported, rep.Unchanged, rep.Refused)
		}
	})
	t.Run("mappings are reported", func(t *testing.T) {
		for _, m := range []string{`status "σε εξέλιξη" read as open`, `status "archived" read as closed`, "coordinates 0,0: left out",
			"coordinates out of range: left out", "coordinates not numbers, or only one: left out", "requester's e-mail refused by the vault: left out",
			`agency "Τμήμα Πρασίνου" is not an id nor in the mapping's agencies: not assigned`, `closed without status_notes: answered "Το αίτημα ολοκληρώθηκε."`,
			"a request repeated with the same content: read once", "closed without a usable updated_datetime: answered when requested"} {
			if rep.Mappings[m] == 0 {
				t.Errorf("mapping %q not reported", m)
			}
		}
	})
	t.Run("each request as its source tells it", func(t *testing.T) {
		var sub events.RequestSubmitted
		var ack events.RequestAcknowledged
		var as events.RequestAssigned
		for _, re := range importtest.Stream(t, st, events.RequestStream("638344")) {
			p, err := events.Decode(re)
			if err != nil {
				t.Fatal(err)
			}
			switch e := p.(type) {
			case events.RequestSubmitted:
				sub = e
			case events.RequestAcknowledged:
				ack = e
			case events.RequestAssigned:
				as = e
			}
			if re.Type == "request.submitted" && re.Actor.Role != string(events.AccessPublic) {
				t.Errorf("a web request recorded by %+v, want the public", re.Actor)
			}
		}
		if sub.Category != events.RequestComplaint || sub.Channel != events.RequestViaWeb || sub.Location == nil || *sub.Location.Lat != 39.3621 ||
			sub.Location.Address != "Ερμού 12, Βόλος" || sub.Author == "" || len(sub.Description) == 0 {
			t.Errorf("submitted %+v", sub)
		}
		if ack.DueAt.Format("2006-01-02") != "2024-06-03" || as.Department != "cleaning" {
			t.Errorf("acknowledged %+v, assigned %+v", ack, as)
		}
		desc, err := v.Open(ctx, sub.Author, events.RequestEntity("638344"), sub.Description)
		if err != nil || desc != "Μεγάλη λακκούβα μπροστά στο σχολείο." {
			t.Errorf("the description in the vault: %q, %v", desc, err)
		}
		types := ""
		for _, re := range importtest.Stream(t, st, events.RequestStream("638345")) {
			types += re.Type + " "
		}
		if types != "request.submitted request.acknowledged request.assigned request.answered " {
			t.Errorf("638345: %s", types)
		}
	})
	t.Run("no personal field reaches an event or the report", func(t *testing.T) {
		evs, err := st.ReadAll(ctx, events.ReadAllOptions{Limit: events.MaxReadLimit})
		if err != nil {
			t.Fatal(err)
		}
		var all bytes.Buffer
		for _, re := range evs {
			all.Write(re.Data)
			all.WriteString(re.Stream)
		}
		rep.WriteJSON(&all)
		all.WriteString(text(rep))
		for _, p := range personal {
			if bytes.Contains(all.Bytes(), []byte(p)) {
				t.Errorf("%q reached the log or the report", p)
			}
		}
	})
	t.Run("the requester is in the vault, a refused record's is forgotten", func(t *testing.T) {
		var sub events.RequestSubmitted
		re := importtest.Stream(t, st, events.RequestStream("638344"))[0]
		p, _ := events.Decode(re)
		sub = p.(events.RequestSubmitted)
		if _, err := v.Open(ctx, sub.Author, events.RequestEntity("638344"), sub.Subject); err != nil {
			t.Fatal(err)
		}
		if forgotten, err := v.Forgotten(ctx, sub.Author); err != nil || forgotten {
			t.Errorf("the requester of 638344: forgotten %v, %v", forgotten, err)
		}
		if len(importtest.Stream(t, st, events.RequestStream("638355"))) != 0 {
			t.Error("a refused request was written")
		}
	})
	t.Run("a second import writes nothing", func(t *testing.T) {
		head := importtest.Head(t, st)
		again := importFile(t, st, v, false)
		if h := importtest.Head(t, st); h != head || again.Imported != 0 || again.Unchanged != 7 {
			t.Errorf("head %d, was %d; imported %d, unchanged %d\n%s", h, head, again.Imported, again.Unchanged, text(again))
		}
	})
	t.Run("without a vault the import stops, writing nothing", func(t *testing.T) {
		empty := importtest.Store(t)
		head := importtest.Head(t, empty)
		f, _ := os.Open("testdata/requests.json")
		defer f.Close()
		_, err := importer.Import(ctx, empty, importer.Source{Name: "open311-test", RetrievedAt: importtest.Now},
			open311.NewDecoder(f, open311.Options{Mapping: mapping(t)}), importer.Options{Actor: importtest.Admin(t, empty), Now: importtest.Clock})
		if !errors.Is(err, events.ErrNoVault) || importtest.Head(t, empty) != head {
			t.Errorf("%v", err)
		}
	})
}

func TestReadMapping(t *testing.T) {
	for _, c := range []struct{ name, in, want string }{
		{"an unknown category", `{"services": {"x": "garbage"}}`, `category "garbage"`},
		{"a status other than open or closed", `{"statuses": {"x": "waiting"}}`, `want open or closed`},
		{"a department that is not an id", `{"agencies": {"x": "Τμήμα Α"}}`, `department of agency`},
		{"a channel needing an assisting employee", `{"channel": "citizen_service_centre"}`, `want web or phone`},
		{"an unknown field", `{"service": {}}`, `unknown field`},
	} {
		t.Run(c.name+" is refused", func(t *testing.T) {
			_, err := open311.ReadMapping(strings.NewReader(c.in))
			if events.ErrorCode(err) != events.CodeInvalid || !strings.Contains(err.Error(), c.want) {
				t.Errorf("%v, want %q", err, c.want)
			}
		})
	}
}

func TestShapes(t *testing.T) {
	one := `{"service_request_id": "1", "status": "open", "service_code": "service", "requested_datetime": "2024-01-02T10:00:00Z"}`
	two := strings.Replace(one, `"1"`, `"2"`, 1)
	for _, c := range []struct{ name, in string }{
		{"a list", "[" + one + "," + two + "]"},
		{"an object holding the list", `{"service_requests": [` + one + "," + two + "]}"},
		{"JSON Lines", one + "\n" + two + "\n"},
	} {
		t.Run(c.name, func(t *testing.T) {
			dec := open311.NewDecoder(strings.NewReader(c.in), open311.Options{})
			var ids []string
			for {
				rec, err := dec.Next()
				if err != nil {
					break
				}
				ids = append(ids, rec.SourceID+rec.Refused)
			}
			if strings.Join(ids, " ") != "1 2" {
				t.Errorf("read %v", ids)
			}
		})
	}
	for _, in := range []string{"", "<xml/>", "[{]"} {
		dec := open311.NewDecoder(strings.NewReader(in), open311.Options{})
		if _, err := dec.Next(); events.ErrorCode(err) != events.CodeInvalid {
			t.Errorf("%q: %v, want invalid", in, err)
		}
	}
}
