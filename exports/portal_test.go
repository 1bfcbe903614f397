package exports_test

import (
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pnyx-civic/pnyx/events"
	"github.com/pnyx-civic/pnyx/exports"
	"github.com/pnyx-civic/pnyx/internal/browsertest"
	"github.com/pnyx-civic/pnyx/opendata"
)

// portalServer mounts the portal and the downloads as the server does.
func portalServer(t *testing.T, w *demoWorld) *httptest.Server {
	t.Helper()
	dl := exports.NewDownloads(w.rm, w.store, exports.DownloadsOptions{Dir: t.TempDir(), Catalog: opendata.DefaultConfig()})
	portal := exports.NewPortal(w.rm, dl, opendata.DefaultConfig())
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
	mux.HandleFunc("GET /{$}", wrap(portal.ServePage))
	mux.HandleFunc("GET /portal.css", wrap(portal.ServeCSS))
	mux.HandleFunc("GET /datasets/{file}", wrap(dl.ServeFile))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	// The first release is made in the background; wait for it.
	deadline := time.Now().Add(time.Minute)
	for {
		res, _ := fetch(t, srv.URL+"/datasets/manifest.json")
		if res.StatusCode == 200 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no release")
		}
		time.Sleep(50 * time.Millisecond)
	}
	return srv
}

func TestPortalPage(t *testing.T) {
	w := demoMunicipality(t)
	srv := portalServer(t, w)
	for _, lang := range []string{"el", "en"} {
		t.Run("the "+lang+" page lists every dataset and draws four charts", func(t *testing.T) {
			res, b := fetch(t, srv.URL+"/?lang="+lang)
			page := string(b)
			if res.StatusCode != 200 || !strings.Contains(page, `<html lang="`+lang+`">`) {
				t.Fatalf("%d %.300s", res.StatusCode, page)
			}
			if csp := res.Header.Get("Content-Security-Policy"); strings.Contains(csp, "script-src") || !strings.Contains(csp, "style-src 'self'") {
				t.Errorf("policy %q", csp)
			}
			for _, d := range opendata.Datasets() {
				if !strings.Contains(page, `id="ds-`+d.Name+`"`) || !strings.Contains(page, `href="/datasets/`+d.Name+`.parquet"`) {
					t.Errorf("dataset %s is not listed with its formats", d.Name)
				}
			}
			if n := strings.Count(page, `<svg id="chart-`); n != 4 {
				t.Errorf("%d charts", n)
			}
			if strings.Count(page, "<title id=") != 4 || strings.Count(page, "<desc id=") != 4 {
				t.Error("a chart has no text alternative")
			}
			if strings.Contains(page, "<script") {
				t.Error("the page runs script")
			}
		})
	}
	t.Run("the decisions chart counts every decision", func(t *testing.T) {
		_, b := fetch(t, srv.URL+"/?lang=en")
		table := string(b)[strings.Index(string(b), `id="chart-decisions-cap"`):]
		table = table[:strings.Index(table, "</table>")]
		sum := 0
		for _, m := range regexp.MustCompile(`<td class="num">(\d+)</td>`).FindAllStringSubmatch(table, -1) {
			n := 0
			for _, c := range m[1] {
				n = n*10 + int(c-'0')
			}
			sum += n
		}
		_, m := writeRelease(t, w, 0)
		for _, d := range m.Datasets {
			if d.Name == "decisions" && int64(sum) != d.Rows {
				t.Errorf("the chart counts %d decisions, the dataset holds %d", sum, d.Rows)
			}
		}
	})
	t.Run("an unknown language is refused", func(t *testing.T) {
		if res, _ := fetch(t, srv.URL+"/?lang=fr"); res.StatusCode != 400 {
			t.Errorf("%d", res.StatusCode)
		}
	})
}

// TestPortalInABrowser loads the portal in headless Chromium and runs
// axe-core (exports/testdata/browser/portal.mjs). It skips, saying why,
// without Chromium, Node or the Node packages (npm ci), and fails instead
// when PNYX_REQUIRE_BROWSER=1.
func TestPortalInABrowser(t *testing.T) {
	b := browsertest.Require(t)
	w := demoMunicipality(t)
	srv := portalServer(t, w)
	b.Run(t, "testdata/browser/portal.mjs", srv.URL, "portal")
}
