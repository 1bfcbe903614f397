package opendata

import (
	"encoding/json"
	"strconv"
	"time"
)

// DCAT-AP 3 in JSON-LD: the catalogue, its publisher, one dcat:Dataset per
// dataset with one dcat:Distribution per format, and two DataServices
// (the GraphQL API and the change feed). Terms are written as compact
// IRIs of the context below, so the document reads without a JSON-LD
// processor and expands to the standard's IRIs with one.

var dcatContext = map[string]any{
	"dcat":  "http://www.w3.org/ns/dcat#",
	"dct":   "http://purl.org/dc/terms/",
	"foaf":  "http://xmlns.com/foaf/0.1/",
	"xsd":   "http://www.w3.org/2001/XMLSchema#",
	"spdx":  "http://spdx.org/rdf/terms#",
	"adms":  "http://www.w3.org/ns/adms#",
	"vcard": "http://www.w3.org/2006/vcard/ns#",
}

type node = map[string]any

func ref(iri string) node { return node{"@id": iri} }

func langs(t Text) []node {
	return []node{{"@value": t.EL, "@language": "el"}, {"@value": t.EN, "@language": "en"}}
}

func typed(v, typ string) node { return node{"@value": v, "@type": typ} }

// DCAT returns the DCAT-AP 3 catalogue of a release as JSON-LD.
func DCAT(cfg Config, rel Release) ([]byte, error) {
	base := cfg.BaseURL
	publisher := node{
		"@id":       base + "/#publisher",
		"@type":     "foaf:Agent",
		"foaf:name": langs(cfg.Publisher.Name),
	}
	if cfg.Publisher.URL != "" {
		publisher["foaf:homepage"] = ref(cfg.Publisher.URL)
	}
	licence := ref(cfg.Licence.URL)
	modified := typed(rel.Created.UTC().Format(time.RFC3339), "xsd:dateTime")
	var dss, served []node
	for _, d := range datasets {
		dsID := base + "/datasets/" + d.Name
		served = append(served, ref(dsID))
		var dists []node
		for _, fm := range Formats {
			name := FileName(d.Name, fm)
			dist := node{
				"@id":              base + "/datasets/" + name,
				"@type":            "dcat:Distribution",
				"dct:title":        langs(Text{EL: d.Title.EL + " (" + fm.Ext + ")", EN: d.Title.EN + " (" + fm.Ext + ")"}),
				"dcat:accessURL":   ref(base + "/datasets/"),
				"dcat:downloadURL": ref(base + "/datasets/" + name),
				"dcat:mediaType":   ref("https://www.iana.org/assignments/media-types/" + fm.MediaType),
				"dct:format":       ref("http://publications.europa.eu/resource/authority/file-type/" + fm.EUFileType),
				"dct:license":      licence,
				"dct:conformsTo":   ref(base + "/datasets/datapackage.json#" + ResourceName(d.Name, fm)),
			}
			if f, ok := rel.Files[name]; ok {
				dist["dcat:byteSize"] = typed(strconv.FormatInt(f.Bytes, 10), "xsd:nonNegativeInteger")
				dist["spdx:checksum"] = node{
					"@type":              "spdx:Checksum",
					"spdx:algorithm":     ref("http://spdx.org/rdf/terms#checksumAlgorithm_sha256"),
					"spdx:checksumValue": typed(f.SHA256, "xsd:hexBinary"),
				}
			}
			dists = append(dists, dist)
		}
		dss = append(dss, node{
			"@id":                    dsID,
			"@type":                  "dcat:Dataset",
			"dct:identifier":         d.Name,
			"dct:title":              langs(d.Title),
			"dct:description":        langs(d.Description),
			"dct:publisher":          ref(publisher["@id"].(string)),
			"dct:accrualPeriodicity": ref("http://publications.europa.eu/resource/authority/frequency/" + string(d.Frequency)),
			"dct:modified":           modified,
			"dct:language":           []node{ref("http://publications.europa.eu/resource/authority/language/ELL"), ref("http://publications.europa.eu/resource/authority/language/ENG")},
			"dcat:distribution":      dists,
		})
	}
	services := []node{
		{
			"@id":                base + "/graphql",
			"@type":              "dcat:DataService",
			"dct:title":          langs(Text{EL: "GraphQL API", EN: "GraphQL API"}),
			"dct:description":    langs(Text{EL: "Ερωτήματα στα δημόσια δεδομένα, με φίλτρα, αναζήτηση και ιστορικό.", EN: "Queries of the public record, with filters, search and history."}),
			"dcat:endpointURL":   ref(base + "/graphql"),
			"dct:publisher":      ref(publisher["@id"].(string)),
			"dct:license":        licence,
			"dcat:servesDataset": served,
		},
		{
			"@id":                      base + "/v1/events",
			"@type":                    "dcat:DataService",
			"dct:title":                langs(Text{EL: "Ροή αλλαγών", EN: "Change feed"}),
			"dct:description":          langs(Text{EL: "Κάθε γεγονός του αρχείου μετά από μια θέση, ως NDJSON.", EN: "Every event of the log after a position, as NDJSON."}),
			"dcat:endpointURL":         ref(base + "/v1/events"),
			"dcat:endpointDescription": ref(base + "/datasets/"),
			"dct:publisher":            ref(publisher["@id"].(string)),
			"dct:license":              licence,
			"dcat:servesDataset":       []node{ref(base + "/datasets/events")},
		},
	}
	cat := node{
		"@context":        dcatContext,
		"@id":             base + "/datasets/catalog.jsonld",
		"@type":           "dcat:Catalog",
		"dct:title":       langs(cfg.Title),
		"dct:description": langs(Text{EL: "Όλα τα δημόσια σύνολα δεδομένων του δήμου, στη θέση " + strconv.FormatUint(rel.Position, 10) + " του αρχείου.", EN: "Every public dataset of the municipality, at position " + strconv.FormatUint(rel.Position, 10) + " of the log."}),
		"dct:publisher":   publisher,
		"dct:license":     licence,
		"dct:modified":    modified,
		"foaf:homepage":   ref(base + "/"),
		"dcat:dataset":    dss,
		"dcat:service":    services,
	}
	return json.MarshalIndent(cat, "", "  ")
}
