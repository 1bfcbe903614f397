package opendata

import (
	"encoding/json"
	"time"
)

// File is what a release knows of one of its files: its size and SHA-256
// (hex). Descriptions made before the files exist leave them zero.
type File struct {
	Bytes  int64  `json:"bytes"`
	SHA256 string `json:"sha256"`
	Rows   int64  `json:"rows"`
}

// FileName is the name of dataset's file in format within a release.
func FileName(dataset string, f Format) string { return dataset + "." + f.Ext }

// ResourceName is the name of dataset's resource in format in a data
// package: the dataset's own name for CSV, which foreign keys refer to,
// and name-format for the others.
func ResourceName(dataset string, f Format) string {
	if f.Ext == "csv" {
		return dataset
	}
	return dataset + "-" + stripDots(f.Ext)
}

func stripDots(s string) string {
	b := []byte(s)
	for i := range b {
		if b[i] == '.' {
			b[i] = '-'
		}
	}
	return string(b)
}

// DataPackageProfile is the Frictionless profile datapackage.json follows.
const DataPackageProfile = "https://datapackage.org/profiles/2.0/datapackage.json"

type dpLicence struct {
	Name  string `json:"name"`
	Path  string `json:"path"`
	Title string `json:"title"`
}

type dpField struct {
	Name        string   `json:"name"`
	Type        Type     `json:"type"`
	Description string   `json:"description"`
	Unit        string   `json:"unit,omitempty"`
	Constraints *dpConst `json:"constraints,omitempty"`
	// Pnyx's own property: the Greek text.
	DescriptionEL string `json:"pnyx:description_el"`
}

type dpConst struct {
	Enum []string `json:"enum,omitempty"`
}

type dpRef struct {
	Resource string   `json:"resource"`
	Fields   []string `json:"fields"`
}

type dpForeignKey struct {
	Fields    []string `json:"fields"`
	Reference dpRef    `json:"reference"`
}

type dpSchema struct {
	Schema      string         `json:"$schema"`
	Fields      []dpField      `json:"fields"`
	PrimaryKey  []string       `json:"primaryKey"`
	ForeignKeys []dpForeignKey `json:"foreignKeys,omitempty"`
}

type dpDialect struct {
	Schema         string `json:"$schema"`
	Header         bool   `json:"header"`
	Delimiter      string `json:"delimiter"`
	LineTerminator string `json:"lineTerminator"`
	QuoteChar      string `json:"quoteChar"`
}

type dpResource struct {
	Name          string      `json:"name"`
	Type          string      `json:"type"`
	Path          string      `json:"path"`
	Title         string      `json:"title"`
	Description   string      `json:"description"`
	TitleEL       string      `json:"pnyx:title_el"`
	DescriptionEL string      `json:"pnyx:description_el"`
	Format        string      `json:"format"`
	MediaType     string      `json:"mediatype"`
	Encoding      string      `json:"encoding,omitempty"`
	Bytes         int64       `json:"bytes,omitempty"`
	Hash          string      `json:"hash,omitempty"`
	Rows          *int64      `json:"pnyx:rows,omitempty"`
	Dialect       *dpDialect  `json:"dialect,omitempty"`
	Schema        dpSchema    `json:"schema"`
	Licences      []dpLicence `json:"licenses"`
	Frequency     Frequency   `json:"pnyx:frequency"`
}

type dataPackage struct {
	Schema      string       `json:"$schema"`
	Name        string       `json:"name"`
	Title       string       `json:"title"`
	TitleEL     string       `json:"pnyx:title_el"`
	Description string       `json:"description"`
	Homepage    string       `json:"homepage"`
	Version     string       `json:"version"`
	Created     string       `json:"created"`
	Licences    []dpLicence  `json:"licenses"`
	Position    uint64       `json:"pnyx:position"`
	Resources   []dpResource `json:"resources"`
}

// Release says which release a description is of: the log position its
// rows reflect, when it was made, and its files by name (empty before they
// are written).
type Release struct {
	Position uint64
	Created  time.Time
	Files    map[string]File
}

// DataPackage returns the Frictionless datapackage.json (v2 profile) of a
// release of every dataset in every format: one resource per file, each
// with its Table Schema (types, units, Greek and English descriptions,
// primary and foreign keys), licence, size and SHA-256.
func DataPackage(cfg Config, rel Release) ([]byte, error) {
	lic := []dpLicence{{Name: cfg.Licence.ID, Path: cfg.Licence.URL, Title: cfg.Licence.Title}}
	p := dataPackage{
		Schema:      DataPackageProfile,
		Name:        "pnyx-open-data",
		Title:       cfg.Title.EN,
		TitleEL:     cfg.Title.EL,
		Description: "Every public dataset of the municipality's record, at one log position: " + cfg.Publisher.Name.EN + ".",
		Homepage:    cfg.BaseURL + "/",
		Version:     positionVersion(rel.Position),
		Created:     rel.Created.UTC().Format(time.RFC3339),
		Licences:    lic,
		Position:    rel.Position,
	}
	for _, d := range datasets {
		schema := tableSchema(d)
		for _, fm := range Formats {
			r := dpResource{
				Name: ResourceName(d.Name, fm), Type: "table", Path: FileName(d.Name, fm),
				Title: d.Title.EN, Description: d.Description.EN, TitleEL: d.Title.EL, DescriptionEL: d.Description.EL,
				Format: formatName(fm), MediaType: fm.MediaType, Schema: schema, Licences: lic, Frequency: d.Frequency,
			}
			if fm.Ext != "parquet" {
				r.Encoding = "utf-8"
			}
			switch fm.Ext {
			case "csv":
				r.Dialect = &dpDialect{Schema: "https://datapackage.org/profiles/2.0/tabledialect.json", Header: true, Delimiter: ",", LineTerminator: "\n", QuoteChar: `"`}
			case "excel.csv":
				r.Encoding = "utf-8-sig"
				r.Dialect = &dpDialect{Schema: "https://datapackage.org/profiles/2.0/tabledialect.json", Header: true, Delimiter: ",", LineTerminator: "\r\n", QuoteChar: `"`}
			}
			if file, ok := rel.Files[r.Path]; ok {
				r.Bytes, r.Hash = file.Bytes, "sha256:"+file.SHA256
				rows := file.Rows
				r.Rows = &rows
			}
			p.Resources = append(p.Resources, r)
		}
	}
	return json.MarshalIndent(p, "", "  ")
}

func formatName(f Format) string {
	if f.Ext == "excel.csv" {
		return "csv"
	}
	return f.Ext
}

// positionVersion is a release's version: its position, as a semantic
// version whose major part only grows.
func positionVersion(pos uint64) string {
	b, _ := json.Marshal(pos)
	return string(b) + ".0.0"
}

func tableSchema(d Dataset) dpSchema {
	s := dpSchema{Schema: "https://datapackage.org/profiles/2.0/tableschema.json", PrimaryKey: d.PrimaryKey}
	for _, fl := range d.Fields {
		df := dpField{Name: fl.Name, Type: fl.Type, Description: fl.Description.EN, DescriptionEL: fl.Description.EL, Unit: fl.Unit}
		if len(fl.Enum) > 0 {
			df.Constraints = &dpConst{Enum: fl.Enum}
		}
		s.Fields = append(s.Fields, df)
	}
	for _, k := range d.ForeignKeys {
		s.ForeignKeys = append(s.ForeignKeys, dpForeignKey{Fields: k.Fields, Reference: dpRef{Resource: k.Dataset, Fields: k.Reference}})
	}
	return s
}
