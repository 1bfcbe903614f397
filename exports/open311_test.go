package exports_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/pnyx-civic/pnyx/events"
	"github.com/pnyx-civic/pnyx/exports"
	"github.com/pnyx-civic/pnyx/internal/schematest"
)

// open311Schema compiles a GeoReport v2 schema; its files refer to each
// other by relative names, so they are registered under one base.
func open311Schema(t *testing.T, name string) *jsonschema.Schema {
	t.Helper()
	const base = "https://schemas.open311.test/georeport-v2/"
	ids := map[string]string{}
	for _, f := range []string{"request.json", "requests.json", "service.json", "services.json"} {
		ids[base+f] = "open311-georeport-v2/" + f
	}
	s, err := schematest.Compiler(t, ids, nil).Compile(base + name)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func open311Server(t *testing.T, w *demoWorld, now time.Time) *httptest.Server {
	t.Helper()
	geo := exports.NewOpen311(w.rm, func() time.Time { return now })
	mux := http.NewServeMux()
	wrap := func(h func(http.ResponseWriter, *http.Request) error) http.HandlerFunc {
		return func(rw http.ResponseWriter, r *http.Request) {
			if err := h(rw, r); err != nil {
				status := map[events.Code]int{events.CodeNotFound: 404, events.CodeInvalid: 400}[events.ErrorCode(err)]
				if status == 0 {
					status = 500
				}
				http.Error(rw, err.Error(), status)
			}
		}
	}
	mux.HandleFunc("GET /open311/v2/services.json", wrap(geo.ServeServices))
	mux.HandleFunc("GET /open311/v2/requests.json", wrap(geo.ServeRequests))
	mux.HandleFunc("GET /open311/v2/requests/{file}", wrap(geo.ServeRequest))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

type geoRequest struct {
	ID          string `json:"service_request_id"`
	Status      string `json:"status"`
	ServiceCode string `json:"service_code"`
	Requested   string `json:"requested_datetime"`
}

func TestOpen311OfTheDemo(t *testing.T) {
	w := demoMunicipality(t)
	srv := open311Server(t, w, time.Date(2025, 12, 31, 0, 0, 0, 0, time.UTC))
	res, b := fetch(t, srv.URL+"/open311/v2/services.json")
	if res.StatusCode != 200 {
		t.Fatalf("%d %s", res.StatusCode, b)
	}
	schematest.Validate(t, open311Schema(t, "services.json"), "services.json", b)

	year := srv.URL + "/open311/v2/requests.json?start_date=2025-01-01T00:00:00Z&end_date=2025-03-01T00:00:00Z"
	res, b = fetch(t, year)
	if res.StatusCode != 200 || res.Header.Get(exports.HeaderPosition) == "" {
		t.Fatalf("%d %s", res.StatusCode, b)
	}
	schematest.Validate(t, open311Schema(t, "requests.json"), "requests.json", b)
	var all []geoRequest
	json.Unmarshal(b, &all)
	if len(all) == 0 {
		t.Fatal("no requests in the window")
	}
	for _, r := range all {
		if r.Requested < "2025-01-01" || r.Requested > "2025-03-01T00:00:00Z" {
			t.Errorf("%s requested %s, outside the window", r.ID, r.Requested)
		}
	}
	t.Run("the schema refuses a status GeoReport does not know", func(t *testing.T) {
		if schematest.Check(open311Schema(t, "requests.json"), []byte(`[{"service_request_id":"1","status":"pending","service_code":"x","requested_datetime":"2025-01-01T00:00:00Z"}]`)) == nil {
			t.Error("accepted: the validation proves nothing")
		}
	})
	t.Run("no request carries its subject or a staff id", func(t *testing.T) {
		var raw []map[string]any
		json.Unmarshal(b, &raw)
		for k := range raw[0] {
			if k == "subject" || k == "officer_id" || k == "assisted_by" {
				t.Errorf("field %s", k)
			}
		}
	})
	t.Run("reported problems carry where they are and their description", func(t *testing.T) {
		var raw []struct {
			Code        string  `json:"service_code"`
			Description *string `json:"description"`
			Address     *string `json:"address"`
		}
		json.Unmarshal(b, &raw)
		located, described := 0, 0
		for _, r := range raw {
			if r.Address != nil && *r.Address != "" {
				located++
			}
			if r.Description != nil && *r.Description != "" {
				described++
			}
			if r.Code == "information" && (r.Address != nil || r.Description != nil) {
				t.Errorf("an information request with a place or a description: %+v", r)
			}
		}
		if located == 0 || described == 0 {
			t.Errorf("%d of %d requests with an address, %d with a description", located, len(raw), described)
		}
		if !bytes.Contains(b, []byte(`"lat":37.`)) || !bytes.Contains(b, []byte(`"long":24.`)) {
			t.Error("no request with coordinates")
		}
	})
	t.Run("filters by status and service code", func(t *testing.T) {
		for _, c := range []struct{ query, status, code string }{
			{"&status=closed", "closed", ""}, {"&status=open", "open", ""},
			{"&service_code=complaint", "", "complaint"}, {"&service_code=information&status=closed", "closed", "information"},
		} {
			_, b := fetch(t, year+c.query)
			var got []geoRequest
			json.Unmarshal(b, &got)
			for _, r := range got {
				if (c.status != "" && r.Status != c.status) || (c.code != "" && r.ServiceCode != c.code) {
					t.Errorf("%s: %+v", c.query, r)
				}
			}
			if len(got) == 0 && c.status != "open" {
				t.Errorf("%s: nothing", c.query)
			}
		}
	})
	t.Run("the default window is the 90 days before now", func(t *testing.T) {
		_, b := fetch(t, srv.URL+"/open311/v2/requests.json")
		var got []geoRequest
		json.Unmarshal(b, &got)
		for _, r := range got {
			if r.Requested < "2025-10-02" {
				t.Errorf("%s requested %s", r.ID, r.Requested)
			}
		}
	})
	t.Run("one request by id", func(t *testing.T) {
		res, b := fetch(t, srv.URL+"/open311/v2/requests/"+all[0].ID+".json")
		if res.StatusCode != 200 {
			t.Fatalf("%d %s", res.StatusCode, b)
		}
		schematest.Validate(t, open311Schema(t, "requests.json"), "requests/{id}.json", b)
	})
	for _, c := range []struct {
		name, path string
		status     int
	}{
		{"an unknown request is a 404", "/open311/v2/requests/nope.json", 404},
		{"an id without .json is a 404", "/open311/v2/requests/" + all[0].ID, 404},
		{"a bad date is a 400", "/open311/v2/requests.json?start_date=yesterday", 400},
		{"an unknown status is a 400", "/open311/v2/requests.json?status=pending", 400},
		{"an unknown service is a 400", "/open311/v2/requests.json?service_code=potholes", 400},
		{"an end before the start is a 400", "/open311/v2/requests.json?start_date=2025-03-01T00:00:00Z&end_date=2025-01-01T00:00:00Z", 400},
	} {
		t.Run(c.name, func(t *testing.T) {
			if res, b := fetch(t, srv.URL+c.path); res.StatusCode != c.status {
				t.Errorf("%d %s", res.StatusCode, b)
			}
		})
	}
}
