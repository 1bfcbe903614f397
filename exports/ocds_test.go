package exports_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/pnyx-civic/pnyx/exports"
	"github.com/pnyx-civic/pnyx/internal/schematest"
	"github.com/pnyx-civic/pnyx/opendata"
)

const ocdsBase = "https://standard.open-contracting.org/schema/1__1__5/"

func ocdsSchema(t *testing.T, name string) *jsonschema.Schema {
	t.Helper()
	ids := map[string]string{}
	for _, f := range []string{"release-schema.json", "release-package-schema.json", "record-package-schema.json", "versioned-release-validation-schema.json"} {
		ids[ocdsBase+f] = "ocds-1.1.5/" + f
	}
	s, err := schematest.Compiler(t, ids, nil).Compile(ocdsBase + name)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// codelist reads the codes of an OCDS codelist.
func codelist(t *testing.T, name string) map[string]bool {
	t.Helper()
	recs, err := csv.NewReader(bytes.NewReader(schematest.File(t, "ocds-1.1.5/codelists/"+name+".csv"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := slices.Index(recs[0], "Code")
	codes := map[string]bool{}
	for _, r := range recs[1:] {
		codes[r[col]] = true
	}
	return codes
}

func TestOCDSOfTheDemo(t *testing.T) {
	w := demoMunicipality(t)
	out, m := writeRelease(t, w, 0)
	if len(m.Files) != 3 {
		t.Fatalf("manifest files %+v", m.Files)
	}
	releases, err := os.ReadFile(filepath.Join(out, exports.OCDSReleasesFile))
	if err != nil {
		t.Fatal(err)
	}
	records, err := os.ReadFile(filepath.Join(out, exports.OCDSRecordsFile))
	if err != nil {
		t.Fatal(err)
	}
	t.Run("the release package validates against the official schema", func(t *testing.T) {
		schematest.Validate(t, ocdsSchema(t, "release-package-schema.json"), exports.OCDSReleasesFile, releases)
	})
	t.Run("the record package validates against the official schema", func(t *testing.T) {
		schematest.Validate(t, ocdsSchema(t, "record-package-schema.json"), exports.OCDSRecordsFile, records)
	})
	var rp struct {
		Releases []struct {
			OCID    string   `json:"ocid"`
			Tag     []string `json:"tag"`
			Parties []struct {
				Roles []string `json:"roles"`
			} `json:"parties"`
			Tender struct {
				Status            string `json:"status"`
				ProcurementMethod string `json:"procurementMethod"`
				Documents         []struct {
					DocumentType string `json:"documentType"`
				} `json:"documents"`
			} `json:"tender"`
			Awards []struct {
				Status string `json:"status"`
			} `json:"awards"`
			Contracts []struct {
				Status string `json:"status"`
			} `json:"contracts"`
		} `json:"releases"`
	}
	if err := json.Unmarshal(releases, &rp); err != nil {
		t.Fatal(err)
	}
	t.Run("every ocid is under the configured prefix, which the manifest names", func(t *testing.T) {
		prefix := opendata.DefaultConfig().OCIDPrefix
		if m.OCIDPrefix != prefix {
			t.Errorf("manifest ocid prefix %q, want %q", m.OCIDPrefix, prefix)
		}
		for _, r := range rp.Releases {
			if !strings.HasPrefix(r.OCID, prefix+"-") {
				t.Fatalf("ocid %s is not under %s", r.OCID, prefix)
			}
		}
	})
	t.Run("every code is of its codelist and every stage is released", func(t *testing.T) {
		tags, roles, tenderStatus, awardStatus, contractStatus, method, docType :=
			codelist(t, "releaseTag"), codelist(t, "partyRole"), codelist(t, "tenderStatus"), codelist(t, "awardStatus"),
			codelist(t, "contractStatus"), codelist(t, "method"), codelist(t, "documentType")
		seen := map[string]bool{}
		for _, r := range rp.Releases {
			for _, tag := range r.Tag {
				seen[tag] = true
				if !tags[tag] {
					t.Errorf("%s: tag %s", r.OCID, tag)
				}
			}
			for _, p := range r.Parties {
				for _, role := range p.Roles {
					if !roles[role] {
						t.Errorf("%s: role %s", r.OCID, role)
					}
				}
			}
			if s := r.Tender.Status; s != "" && !tenderStatus[s] {
				t.Errorf("%s: tender status %s", r.OCID, s)
			}
			if s := r.Tender.ProcurementMethod; s != "" && !method[s] {
				t.Errorf("%s: method %s", r.OCID, s)
			}
			for _, d := range r.Tender.Documents {
				if !docType[d.DocumentType] {
					t.Errorf("%s: document type %s", r.OCID, d.DocumentType)
				}
			}
			for _, a := range r.Awards {
				if a.Status != "" && !awardStatus[a.Status] {
					t.Errorf("%s: award status %s", r.OCID, a.Status)
				}
			}
			for _, c := range r.Contracts {
				if c.Status != "" && !contractStatus[c.Status] {
					t.Errorf("%s: contract status %s", r.OCID, c.Status)
				}
			}
		}
		for _, tag := range []string{"planning", "tender", "tenderUpdate", "award", "contract", "implementation"} {
			if !seen[tag] {
				t.Errorf("no release is tagged %s", tag)
			}
		}
		t.Logf("%d releases; tags %v", len(rp.Releases), seen)
	})
	t.Run("a record's compiled release is of the newest date and tagged compiled", func(t *testing.T) {
		var pkg struct {
			Records []struct {
				OCID     string `json:"ocid"`
				Releases []struct {
					Date string `json:"date"`
				} `json:"releases"`
				Compiled struct {
					ID   string   `json:"id"`
					Date string   `json:"date"`
					Tag  []string `json:"tag"`
				} `json:"compiledRelease"`
			} `json:"records"`
		}
		if err := json.Unmarshal(records, &pkg); err != nil {
			t.Fatal(err)
		}
		if len(pkg.Records) == 0 {
			t.Fatal("no records")
		}
		for _, r := range pkg.Records {
			newest := ""
			for _, rel := range r.Releases {
				newest = max(newest, rel.Date)
			}
			if r.Compiled.Date != newest || r.Compiled.ID != r.OCID+"-"+newest || len(r.Compiled.Tag) != 1 || r.Compiled.Tag[0] != "compiled" {
				t.Errorf("%s: compiled %+v, newest %s", r.OCID, r.Compiled, newest)
			}
		}
	})
}
