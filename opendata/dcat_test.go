package opendata_test

import (
	"encoding/json"
	"testing"

	"github.com/pnyx-civic/pnyx/opendata"
)

// DCAT-AP 3.0.1's mandatory properties, by class.
var dcatMandatory = map[string][]string{
	"dcat:Catalog":      {"dct:title", "dct:description", "dct:publisher"},
	"dcat:Dataset":      {"dct:title", "dct:description"},
	"dcat:Distribution": {"dcat:accessURL"},
	"dcat:DataService":  {"dct:title", "dcat:endpointURL"},
	"foaf:Agent":        {"foaf:name"},
}

// walkNodes calls fn with every JSON-LD node object of doc that has a @type.
func walkNodes(v any, fn func(map[string]any)) {
	switch x := v.(type) {
	case map[string]any:
		if _, ok := x["@type"]; ok {
			fn(x)
		}
		for k, c := range x {
			if k != "@context" {
				walkNodes(c, fn)
			}
		}
	case []any:
		for _, c := range x {
			walkNodes(c, fn)
		}
	}
}

func missingMandatory(doc any) []string {
	var missing []string
	walkNodes(doc, func(n map[string]any) {
		typ, _ := n["@type"].(string)
		for _, p := range dcatMandatory[typ] {
			if v, ok := n[p]; !ok || v == nil || v == "" {
				missing = append(missing, typ+" "+p)
			}
		}
	})
	return missing
}

func TestDCATHasEveryMandatoryProperty(t *testing.T) {
	cfg := opendata.DefaultConfig()
	b, err := opendata.DCAT(cfg, release)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	if m := missingMandatory(doc); len(m) > 0 {
		t.Errorf("missing: %v", m)
	}
	counts := map[string]int{}
	walkNodes(doc, func(n map[string]any) { s, _ := n["@type"].(string); counts[s]++ })
	want := map[string]int{
		"dcat:Catalog":      1,
		"dcat:Dataset":      len(opendata.Datasets()),
		"dcat:Distribution": len(opendata.Datasets()) * len(opendata.Formats),
		"dcat:DataService":  2,
		"foaf:Agent":        1,
	}
	for typ, n := range want {
		if counts[typ] != n {
			t.Errorf("%d nodes of %s, want %d", counts[typ], typ, n)
		}
	}
	t.Run("titles are in Greek and English", func(t *testing.T) {
		titles, _ := doc["dct:title"].([]any)
		langs := map[string]bool{}
		for _, x := range titles {
			langs[x.(map[string]any)["@language"].(string)] = true
		}
		if !langs["el"] || !langs["en"] {
			t.Errorf("languages %v", langs)
		}
	})
	t.Run("the check finds a missing property", func(t *testing.T) {
		delete(doc["dct:publisher"].(map[string]any), "foaf:name")
		if len(missingMandatory(doc)) != 1 {
			t.Error("a publisher without a name passed")
		}
	})
	t.Run("a written file's size and checksum are stated", func(t *testing.T) {
		found := false
		walkNodes(doc, func(n map[string]any) {
			if n["@id"] == cfg.BaseURL+"/datasets/bodies.csv" {
				_, size := n["dcat:byteSize"]
				_, sum := n["spdx:checksum"]
				found = size && sum
			}
		})
		if !found {
			t.Error("bodies.csv has no size or checksum")
		}
	})
}
