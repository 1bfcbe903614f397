package exports_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/pnyx-civic/pnyx/events"
	"github.com/pnyx-civic/pnyx/exports"
	"github.com/pnyx-civic/pnyx/opendata"
)

// downloadsServer mounts the downloads as the server does, answering an
// error with its code's status.
func downloadsServer(t *testing.T, w *demoWorld, dir string) *httptest.Server {
	t.Helper()
	dl := exports.NewDownloads(w.rm, w.store, exports.DownloadsOptions{Dir: dir, Catalog: opendata.DefaultConfig()})
	mux := http.NewServeMux()
	wrap := func(h func(http.ResponseWriter, *http.Request) error) http.HandlerFunc {
		return func(rw http.ResponseWriter, r *http.Request) {
			if err := h(rw, r); err != nil {
				status := http.StatusInternalServerError
				if events.ErrorCode(err) == events.CodeNotFound {
					status = http.StatusNotFound
				}
				http.Error(rw, err.Error(), status)
			}
		}
	}
	mux.HandleFunc("GET /datasets/{$}", wrap(dl.ServeIndex))
	mux.HandleFunc("GET /datasets/{file}", wrap(dl.ServeFile))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func fetch(t *testing.T, url string, header ...string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, b
}

func TestDownloads(t *testing.T) {
	w := demoMunicipality(t)
	dir := t.TempDir()
	srv := downloadsServer(t, w, dir)
	head, _ := w.store.Head(t.Context())

	res, b := fetch(t, srv.URL+"/datasets/")
	if res.StatusCode != 200 {
		t.Fatalf("index: %d %s", res.StatusCode, b)
	}
	var index struct {
		Position uint64 `json:"position"`
		Datasets []struct {
			Name  string `json:"name"`
			Files []struct {
				URL    string `json:"url"`
				SHA256 string `json:"sha256"`
			} `json:"files"`
		} `json:"datasets"`
	}
	if err := json.Unmarshal(b, &index); err != nil {
		t.Fatal(err)
	}
	if index.Position != uint64(head) || len(index.Datasets) != len(opendata.Datasets()) {
		t.Errorf("index at %d with %d datasets", index.Position, len(index.Datasets))
	}
	t.Run("a download is the release file's bytes, labelled with the position", func(t *testing.T) {
		for _, f := range index.Datasets[0].Files {
			res, b := fetch(t, srv.URL+f.URL)
			sum := sha256.Sum256(b)
			if res.StatusCode != 200 || hex.EncodeToString(sum[:]) != f.SHA256 {
				t.Errorf("%s: %d, checksum differs", f.URL, res.StatusCode)
			}
			if res.Header.Get(exports.HeaderPosition) != strconv.FormatUint(uint64(head), 10) {
				t.Errorf("%s: position %q", f.URL, res.Header.Get(exports.HeaderPosition))
			}
		}
	})
	t.Run("the release is made once and served from disk", func(t *testing.T) {
		fetch(t, srv.URL+"/datasets/votes.csv")
		fetch(t, srv.URL+"/datasets/datapackage.json")
		entries, _ := os.ReadDir(dir)
		if len(entries) != 1 {
			t.Errorf("%d releases on disk", len(entries))
		}
	})
	t.Run("a matching ETag is a 304", func(t *testing.T) {
		res, _ := fetch(t, srv.URL+"/datasets/bodies.csv")
		etag := res.Header.Get("ETag")
		if !strings.HasPrefix(etag, `"p`+strconv.FormatUint(uint64(head), 10)+"-") {
			t.Fatalf("ETag %q does not start with the position", etag)
		}
		res, b := fetch(t, srv.URL+"/datasets/bodies.csv", "If-None-Match", etag)
		if res.StatusCode != http.StatusNotModified || len(b) != 0 {
			t.Errorf("%d, %d bytes", res.StatusCode, len(b))
		}
		res, _ = fetch(t, srv.URL+"/datasets/bodies.csv", "If-None-Match", `"p1-other"`)
		if res.StatusCode != 200 {
			t.Errorf("another ETag: %d", res.StatusCode)
		}
	})
	t.Run("a range is served", func(t *testing.T) {
		_, whole := fetch(t, srv.URL+"/datasets/agenda_items.csv")
		res, b := fetch(t, srv.URL+"/datasets/agenda_items.csv", "Range", "bytes=100-199")
		if res.StatusCode != http.StatusPartialContent || string(b) != string(whole[100:200]) {
			t.Errorf("%d, %d bytes", res.StatusCode, len(b))
		}
		res, _ = fetch(t, srv.URL+"/datasets/agenda_items.csv", "Range", "bytes=999999999-")
		if res.StatusCode != http.StatusRequestedRangeNotSatisfiable {
			t.Errorf("a range past the end: %d", res.StatusCode)
		}
	})
	t.Run("an unknown name is a 404 and no path escapes the release folder", func(t *testing.T) {
		os.WriteFile(dir+"/secret.txt", []byte("not public"), 0o644)
		for _, p := range []string{
			"nope.csv", "bodies.xlsx", "..%2fsecret.txt", "%2e%2e%2fsecret.txt", "..%2F..%2Fetc%2Fpasswd",
			"secret.txt", "%2fetc%2fpasswd", "bodies.csv%00", "...",
		} {
			res, b := fetch(t, srv.URL+"/datasets/"+p)
			if res.StatusCode != http.StatusNotFound || strings.Contains(string(b), "not public") {
				t.Errorf("%s: %d %.200q", p, res.StatusCode, b)
			}
		}
		// The client cleans these paths itself; what arrives must still
		// not reach outside the release.
		for _, p := range []string{"../secret.txt", "sub/bodies.csv", "/etc/passwd", ".", ".."} {
			res, b := fetch(t, srv.URL+"/datasets/"+p)
			if strings.Contains(string(b), "not public") || strings.Contains(string(b), "root:") {
				t.Errorf("%s: %d %.200q", p, res.StatusCode, b)
			}
		}
	})
}
