package opendata_test

import (
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/pnyx-civic/pnyx/internal/schematest"
	"github.com/pnyx-civic/pnyx/opendata"
	"github.com/pnyx-civic/pnyx/projections/readmodel"
)

var release = opendata.Release{
	Position: 1234,
	Created:  time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC),
	Files:    map[string]opendata.File{"bodies.csv": {Bytes: 120, SHA256: "ab12", Rows: 3}},
}

func TestCatalogDeclarationsAreConsistent(t *testing.T) {
	if err := opendata.CheckDatasets(opendata.Datasets()); err != nil {
		t.Fatal(err)
	}
	t.Run("a dataset without an English description is refused", func(t *testing.T) {
		ds := opendata.Datasets()
		ds[0].Description.EN = ""
		if opendata.CheckDatasets(ds) == nil {
			t.Error("accepted")
		}
	})
	t.Run("a foreign key to an unknown field is refused", func(t *testing.T) {
		ds := opendata.Datasets()
		i := slices.IndexFunc(ds, func(d opendata.Dataset) bool { return len(d.ForeignKeys) > 0 })
		ds[i].ForeignKeys = append(slices.Clone(ds[i].ForeignKeys), opendata.ForeignKey{Fields: []string{ds[i].Fields[0].Name}, Dataset: "bodies", Reference: []string{"nope"}})
		if opendata.CheckDatasets(ds) == nil {
			t.Error("accepted")
		}
	})
}

func TestEveryReadModelDatasetIsInTheCatalog(t *testing.T) {
	var names []string
	for _, d := range opendata.Datasets() {
		if d.Name != "events" { // the log itself, not the read model
			names = append(names, d.Name)
		}
	}
	slices.Sort(names)
	if got := readmodel.DatasetNames(); !slices.Equal(got, names) {
		t.Errorf("read model datasets %v\ncatalog %v", got, names)
	}
}

func TestDataPackageValidatesAgainstTheV2Profiles(t *testing.T) {
	doc, err := opendata.DataPackage(opendata.DefaultConfig(), release)
	if err != nil {
		t.Fatal(err)
	}
	pkg, res, ts := schematest.DataPackage(t)
	schematest.Validate(t, pkg, "datapackage.json", doc)
	var p struct {
		Schema    string `json:"$schema"`
		Resources []struct {
			Name   string          `json:"name"`
			Path   string          `json:"path"`
			Hash   string          `json:"hash"`
			Schema json.RawMessage `json:"schema"`
		} `json:"resources"`
	}
	if err := json.Unmarshal(doc, &p); err != nil {
		t.Fatal(err)
	}
	if p.Schema != opendata.DataPackageProfile {
		t.Errorf("$schema %q", p.Schema)
	}
	if want := len(opendata.Datasets()) * len(opendata.Formats); len(p.Resources) != want {
		t.Errorf("%d resources, want %d", len(p.Resources), want)
	}
	names := map[string]bool{}
	for _, r := range p.Resources {
		names[r.Name] = true
		schematest.Validate(t, ts, r.Name+" table schema", r.Schema)
	}
	raw := struct {
		Resources []json.RawMessage `json:"resources"`
	}{}
	json.Unmarshal(doc, &raw)
	for i, r := range raw.Resources {
		schematest.Validate(t, res, p.Resources[i].Name, r)
	}
	t.Run("foreign keys refer to resources of the package", func(t *testing.T) {
		for _, d := range opendata.Datasets() {
			for _, k := range d.ForeignKeys {
				if !names[k.Dataset] {
					t.Errorf("%s refers to %s, not a resource", d.Name, k.Dataset)
				}
			}
		}
	})
	t.Run("a written file's size and hash are stated", func(t *testing.T) {
		for _, r := range p.Resources {
			if r.Path == "bodies.csv" && r.Hash != "sha256:ab12" {
				t.Errorf("hash %q", r.Hash)
			}
		}
	})
	t.Run("a resource without a name is refused by the profile", func(t *testing.T) {
		bad := []byte(`{"$schema":"` + opendata.DataPackageProfile + `","resources":[{"path":"x.csv"}]}`)
		if schematest.Check(pkg, bad) == nil {
			t.Error("the profile accepted a nameless resource: the validation proves nothing")
		}
	})
}

func TestValidateOCIDPrefix(t *testing.T) {
	for _, c := range []struct {
		prefix string
		ok     bool
	}{
		{"ocds-kal4ai", true}, {"ocds-abc123", true},
		{"", false}, {"ocds-", false}, {"ocds-abc12", false}, {"ocds-abc1234", false},
		{"ocds-ABC123", false}, {"ocds-abc-12", false}, {"abcd-abc123", false}, {"ocds-αβγ123", false},
	} {
		t.Run(c.prefix, func(t *testing.T) {
			if err := opendata.ValidateOCIDPrefix(c.prefix); (err == nil) != c.ok {
				t.Fatalf("ValidateOCIDPrefix(%q) = %v", c.prefix, err)
			}
		})
	}
	if err := opendata.ValidateOCIDPrefix(opendata.DefaultConfig().OCIDPrefix); err != nil {
		t.Fatalf("the default prefix: %v", err)
	}
}
