// Package opendata owns the catalog of Pnyx's public datasets: what each
// dataset holds, field by field, in Greek and English, with types, units,
// keys, licence and update frequency. Data users read it before they read
// the data, so it is declared once, here, and everything that describes a
// release is generated from it: the Frictionless datapackage.json (v2) and
// the DCAT-AP 3 catalogue in JSON-LD. Package exports writes the rows the
// catalog describes, and a test holds the two to the same columns.
package opendata

import (
	"fmt"
	"slices"
	"strings"

	"github.com/pnyx-civic/pnyx/events"
)

// Text is a text in Greek and English; both are required.
type Text struct {
	EL string `json:"el"`
	EN string `json:"en"`
}

// Type is a field's Frictionless Table Schema type.
type Type string

const (
	String   Type = "string"
	Integer  Type = "integer"
	Number   Type = "number"
	Boolean  Type = "boolean"
	DateTime Type = "datetime"
)

// Field is one column of a dataset.
type Field struct {
	Name        string `json:"name"`
	Type        Type   `json:"type"`
	Description Text   `json:"description"`
	// Unit names what a number counts ("cent", "day", "member"); empty
	// for text and times.
	Unit string `json:"unit,omitempty"`
	// Enum lists the values a coded field takes, when they are fixed.
	Enum []string `json:"enum,omitempty"`
}

// ForeignKey says that Fields of a dataset refer to Reference's fields of
// the dataset named Dataset.
type ForeignKey struct {
	Fields    []string `json:"fields"`
	Dataset   string   `json:"dataset"`
	Reference []string `json:"reference"`
}

// Frequency is how often a dataset changes, as a term of the EU
// frequency vocabulary.
type Frequency string

const (
	// Continuous: the dataset changes whenever an event is recorded.
	Continuous Frequency = "UPDATE_CONT"
)

// Dataset is one public dataset: a table of rows with a primary key.
type Dataset struct {
	Name        string       `json:"name"`
	Title       Text         `json:"title"`
	Description Text         `json:"description"`
	Fields      []Field      `json:"fields"`
	PrimaryKey  []string     `json:"primary_key"`
	ForeignKeys []ForeignKey `json:"foreign_keys,omitempty"`
	Frequency   Frequency    `json:"frequency"`
	// Stream names the log's streams a row belongs to: rows whose Stream
	// kind-id changed after a position are what an incremental release
	// holds. Column is the field holding the id.
	Stream StreamRef `json:"-"`
}

// StreamRef names a dataset's rows' stream: Kind-<value of Column>. A
// zero StreamRef is the event log itself.
type StreamRef struct {
	Kind, Column string
}

// Field returns the field named name.
func (d Dataset) Field(name string) (Field, bool) {
	i := slices.IndexFunc(d.Fields, func(f Field) bool { return f.Name == name })
	if i < 0 {
		return Field{}, false
	}
	return d.Fields[i], true
}

// FieldNames lists the fields' names in order.
func (d Dataset) FieldNames() []string {
	names := make([]string, len(d.Fields))
	for i, f := range d.Fields {
		names[i] = f.Name
	}
	return names
}

// Licence is the licence every dataset is published under.
type Licence struct {
	ID    string `json:"id"` // an SPDX id, such as CC-BY-4.0
	Title string `json:"title"`
	URL   string `json:"url"`
}

// CCBY4 is the default licence.
var CCBY4 = Licence{ID: "CC-BY-4.0", Title: "Creative Commons Attribution 4.0 International", URL: "https://creativecommons.org/licenses/by/4.0/"}

// Publisher is who publishes the catalog: the municipality.
type Publisher struct {
	Name  Text   `json:"name"`
	URL   string `json:"url"`
	Email string `json:"email,omitempty"` // an office's address, never a person's
}

// Config is what a deployment says about its catalog.
type Config struct {
	// BaseURL is the public address the server answers on, such as
	// https://data.example.gov.gr, without a trailing slash.
	BaseURL   string
	Publisher Publisher
	Licence   Licence
	Title     Text
	// OCIDPrefix is the publisher's OCDS prefix, "ocds-" and the six
	// characters the Open Contracting Partnership registered for it: the
	// ocid of every process it plans begins with it and a hyphen, so
	// ocids are unique among all publishers'. A release's manifest names
	// it; the demo plans its processes under it.
	OCIDPrefix string
}

// DemoOCIDPrefix is the prefix of the demo municipality's ocids, the
// default of a deployment that registered none; register your own.
const DemoOCIDPrefix = "ocds-kal4ai"

// ValidateOCIDPrefix refuses a prefix other than "ocds-" and six lower-case
// letters or digits.
func ValidateOCIDPrefix(p string) error {
	rest, ok := strings.CutPrefix(p, "ocds-")
	if !ok || len(rest) != 6 || strings.Trim(rest, "abcdefghijklmnopqrstuvwxyz0123456789") != "" {
		return events.Invalidf("ocid prefix %q: want ocds- and the six lower-case letters or digits registered with the Open Contracting Partnership, like ocds-abc123", p)
	}
	return nil
}

// DefaultConfig is the catalog of a deployment that configured nothing:
// the local server, the demo municipality, CC BY 4.0.
func DefaultConfig() Config {
	return Config{
		BaseURL: "http://127.0.0.1:8080",
		Publisher: Publisher{
			Name: Text{EL: "Δήμος Καλλιθέας Αιγαίου", EN: "Municipality of Kallithea Aigaiou"},
			URL:  "http://127.0.0.1:8080/",
		},
		Licence:    CCBY4,
		Title:      Text{EL: "Ανοικτά δεδομένα του δήμου", EN: "Open data of the municipality"},
		OCIDPrefix: DemoOCIDPrefix,
	}
}

// Format is a file format every dataset is released in.
type Format struct {
	Ext       string // file name extension, without the dot
	MediaType string
	// EUFileType is the EU file-type vocabulary's term.
	EUFileType string
}

// Formats are the release formats, in the order releases list them.
var Formats = []Format{
	{Ext: "csv", MediaType: "text/csv", EUFileType: "CSV"},
	// The excel dialect: a byte order mark and CRLF, so spreadsheet
	// programs open Greek text as UTF-8.
	{Ext: "excel.csv", MediaType: "text/csv", EUFileType: "CSV"},
	{Ext: "json", MediaType: "application/json", EUFileType: "JSON"},
	{Ext: "ndjson", MediaType: "application/x-ndjson", EUFileType: "JSON"},
	{Ext: "parquet", MediaType: "application/vnd.apache.parquet", EUFileType: "PARQUET"},
}

// FormatByExt returns the format of extension ext.
func FormatByExt(ext string) (Format, bool) {
	i := slices.IndexFunc(Formats, func(f Format) bool { return f.Ext == ext })
	if i < 0 {
		return Format{}, false
	}
	return Formats[i], true
}

// Datasets returns the catalog's datasets, in the order releases list
// them. The slice is the caller's.
func Datasets() []Dataset { return slices.Clone(datasets) }

// DatasetByName returns the dataset named name.
func DatasetByName(name string) (Dataset, bool) {
	i := slices.IndexFunc(datasets, func(d Dataset) bool { return d.Name == name })
	if i < 0 {
		return Dataset{}, false
	}
	return datasets[i], true
}

// check reports the first inconsistency of the declarations: a missing
// translation, a key or reference naming no field. Tests call it.
func check(ds []Dataset) error {
	names := map[string]Dataset{}
	for _, d := range ds {
		names[d.Name] = d
	}
	for _, d := range ds {
		if d.Title.EL == "" || d.Title.EN == "" || d.Description.EL == "" || d.Description.EN == "" {
			return fmt.Errorf("%s: a title or description lacks a language", d.Name)
		}
		if d.Frequency == "" {
			return fmt.Errorf("%s: no update frequency", d.Name)
		}
		seen := map[string]bool{}
		for _, f := range d.Fields {
			if seen[f.Name] {
				return fmt.Errorf("%s.%s: declared twice", d.Name, f.Name)
			}
			seen[f.Name] = true
			if f.Description.EL == "" || f.Description.EN == "" {
				return fmt.Errorf("%s.%s: a description lacks a language", d.Name, f.Name)
			}
			switch f.Type {
			case String, Integer, Number, Boolean, DateTime:
			default:
				return fmt.Errorf("%s.%s: type %q", d.Name, f.Name, f.Type)
			}
		}
		for _, k := range d.PrimaryKey {
			if !seen[k] {
				return fmt.Errorf("%s: primary key %s is no field", d.Name, k)
			}
		}
		if d.Stream.Column != "" && !seen[d.Stream.Column] {
			return fmt.Errorf("%s: stream column %s is no field", d.Name, d.Stream.Column)
		}
		for _, fk := range d.ForeignKeys {
			ref, ok := names[fk.Dataset]
			if !ok {
				return fmt.Errorf("%s: foreign key to unknown dataset %s", d.Name, fk.Dataset)
			}
			if len(fk.Fields) != len(fk.Reference) {
				return fmt.Errorf("%s: foreign key to %s: %d fields for %d", d.Name, fk.Dataset, len(fk.Fields), len(fk.Reference))
			}
			for i := range fk.Fields {
				if !seen[fk.Fields[i]] {
					return fmt.Errorf("%s: foreign key field %s is no field", d.Name, fk.Fields[i])
				}
				if _, ok := ref.Field(fk.Reference[i]); !ok {
					return fmt.Errorf("%s: foreign key to %s.%s, no such field", d.Name, fk.Dataset, fk.Reference[i])
				}
			}
		}
	}
	return nil
}

// Licences are the open licences a deployment may publish under.
var Licences = []Licence{
	CCBY4,
	{ID: "CC0-1.0", Title: "Creative Commons Zero v1.0 Universal", URL: "https://creativecommons.org/publicdomain/zero/1.0/"},
	{ID: "ODbL-1.0", Title: "Open Data Commons Open Database License v1.0", URL: "https://opendatacommons.org/licenses/odbl/1-0/"},
	{ID: "CC-BY-SA-4.0", Title: "Creative Commons Attribution Share Alike 4.0 International", URL: "https://creativecommons.org/licenses/by-sa/4.0/"},
}

// LicenceByID returns the licence of SPDX id.
func LicenceByID(id string) (Licence, bool) {
	i := slices.IndexFunc(Licences, func(l Licence) bool { return l.ID == id })
	if i < 0 {
		return Licence{}, false
	}
	return Licences[i], true
}

// LicenceIDs lists the SPDX ids of Licences.
func LicenceIDs() []string {
	ids := make([]string, len(Licences))
	for i, l := range Licences {
		ids[i] = l.ID
	}
	return ids
}
