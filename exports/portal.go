package exports

import (
	"bytes"
	"context"
	_ "embed"
	"fmt"
	"html/template"
	"math"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/pnyx-civic/pnyx/events"
	"github.com/pnyx-civic/pnyx/opendata"
)

// The portal: GET / is the page a data user lands on, in Greek or English
// (?lang=en), rendered on the server with no script: every dataset with
// its description, formats, size, rows, last update and licence, links to
// the catalog, the explorer and the change feed, and four charts drawn as
// SVG, each with a text alternative and its data table. A page is made
// once per read-model position and language, and served from memory.

//go:embed portal.css
var portalCSS []byte

// Portal serves the portal page. It is safe for concurrent use.
type Portal struct {
	rm   Snapshots
	dl   *Downloads
	cfg  opendata.Config
	mu   sync.Mutex
	pos  events.Position
	rel  events.Position // the release position the cached pages list
	page map[string][]byte
}

// NewPortal returns the portal over rm, listing dl's releases.
func NewPortal(rm Snapshots, dl *Downloads, cfg opendata.Config) *Portal {
	return &Portal{rm: rm, dl: dl, cfg: cfg}
}

// ServeCSS answers /portal.css.
func (p *Portal) ServeCSS(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	http.ServeContent(w, r, "portal.css", time.Time{}, bytes.NewReader(portalCSS))
	return nil
}

// ServePage answers GET /.
func (p *Portal) ServePage(w http.ResponseWriter, r *http.Request) error {
	lang := r.URL.Query().Get("lang")
	switch lang {
	case "", "el":
		lang = "el"
	case "en":
	default:
		return events.Invalidf("lang %q: want el or en", truncate(lang))
	}
	pos, err := p.rm.ServingPosition(r.Context())
	if err != nil {
		return err
	}
	rel := p.dl.current()
	var relPos events.Position
	if rel != nil {
		relPos = rel.pos
	}
	p.mu.Lock()
	page, ok := p.page[lang]
	if p.pos != pos || p.rel != relPos {
		ok = false
	}
	p.mu.Unlock()
	if !ok {
		pages, at, err := p.render(r.Context(), rel)
		if err != nil {
			return err
		}
		p.mu.Lock()
		p.pos, p.rel, p.page = at, relPos, pages
		p.mu.Unlock()
		page, pos = pages[lang], at
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Language", lang)
	h.Set(HeaderPosition, strconv.FormatUint(uint64(pos), 10))
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
	h.Set("Cache-Control", "no-cache")
	h.Set("ETag", fmt.Sprintf(`"p%d-r%d-%s"`, pos, relPos, lang))
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(page))
	return nil
}

// words are the page's texts in Greek and English.
var words = map[string][2]string{
	"datasets":       {"Σύνολα δεδομένων", "Datasets"},
	"datasetsIntro":  {"Κάθε σύνολο σε πέντε μορφές, από μία θέση του δημόσιου αρχείου, με άδεια %s.", "Every dataset in five formats, from one position of the public log, under %s."},
	"dataset":        {"Σύνολο", "Dataset"},
	"datasetsTable":  {"Πίνακας των συνόλων δεδομένων", "Table of the datasets"},
	"description":    {"Περιγραφή", "Description"},
	"formats":        {"Μορφές", "Formats"},
	"rows":           {"Εγγραφές", "Rows"},
	"size":           {"Μέγεθος (CSV)", "Size (CSV)"},
	"updated":        {"Τελευταία ενημέρωση", "Last update"},
	"licence":        {"Άδεια", "Licence"},
	"notYet":         {"η πρώτη έκδοση ετοιμάζεται", "the first release is being made"},
	"links":          {"Για προγραμματιστές", "For developers"},
	"catalog":        {"Κατάλογος DCAT-AP (JSON-LD)", "DCAT-AP catalogue (JSON-LD)"},
	"datapackage":    {"Frictionless datapackage.json", "Frictionless datapackage.json"},
	"sums":           {"Αθροίσματα ελέγχου SHA-256", "SHA-256 checksums"},
	"feed":           {"Ροή αλλαγών (NDJSON)", "Change feed (NDJSON)"},
	"explorer":       {"Εξερεύνηση με GraphQL", "GraphQL explorer"},
	"charts":         {"Με μια ματιά", "At a glance"},
	"table":          {"Τα δεδομένα του γραφήματος", "The chart's data"},
	"spendTitle":     {"Πληρωμές ανά έτος και είδος προμηθευτή", "Payments per year by kind of supplier"},
	"spendDesc":      {"Οριζόντιες ράβδοι ανά έτος, χωρισμένες σε συνεταιρισμούς, μικρομεσαίες και μεγάλες επιχειρήσεις.", "Horizontal bars per year, split into cooperatives, small and medium firms, and large firms."},
	"decTitle":       {"Αποφάσεις ανά μήνα", "Decisions per month"},
	"decDesc":        {"Αριθμός αποφάσεων που λήφθηκαν κάθε μήνα.", "Number of decisions adopted each month."},
	"reqTitle":       {"Απαντήσεις σε αιτήματα μέσα στη νόμιμη προθεσμία", "Requests answered within the statutory deadline"},
	"reqDesc":        {"Για κάθε κατηγορία αιτήματος, πόσα απαντήθηκαν εμπρόθεσμα και πόσα εκπρόθεσμα.", "For each category of request, how many were answered in time and how many late."},
	"alignTitle":     {"Συμφωνία παρατάξεων στις ονομαστικές ψηφοφορίες", "Agreement of factions in roll-call votes"},
	"alignDesc":      {"Για κάθε ζεύγος παρατάξεων, το ποσοστό των ψηφοφοριών όπου η πλειοψηφία τους ψήφισε το ίδιο.", "For each pair of factions, the share of votes in which their majorities voted alike."},
	"year":           {"Έτος", "Year"},
	"month":          {"Μήνας", "Month"},
	"count":          {"Αποφάσεις", "Decisions"},
	"category":       {"Κατηγορία", "Category"},
	"onTime":         {"Εμπρόθεσμα", "In time"},
	"late":           {"Εκπρόθεσμα", "Late"},
	"median":         {"Διάμεσος χρόνος (ημέρες)", "Median time (days)"},
	"deadline":       {"Προθεσμία (ημέρες)", "Deadline (days)"},
	"factionA":       {"Παράταξη", "Faction"},
	"factionB":       {"Με την παράταξη", "With faction"},
	"agree":          {"Συμφωνία", "Agreement"},
	"votes":          {"Ψηφοφορίες", "Votes"},
	"cooperative":    {"Συνεταιρισμοί", "Cooperatives"},
	"sme":            {"Μικρομεσαίες", "Small and medium"},
	"large":          {"Μεγάλες", "Large"},
	"unknown":        {"Άγνωστο", "Unknown"},
	"total":          {"Σύνολο", "Total"},
	"position":       {"Θέση αρχείου", "Log position"},
	"skip":           {"Μετάβαση στο περιεχόμενο", "Skip to the content"},
	"language":       {"Γλώσσα", "Language"},
	"information":    {"Πρόσβαση σε έγγραφα", "Access to documents"},
	"service":        {"Εξυπηρέτηση", "Service"},
	"complaint":      {"Παράπονα", "Complaints"},
	"noData":         {"Δεν υπάρχουν ακόμη δεδομένα.", "No data yet."},
	"standards":      {"Ανοικτά πρότυπα", "Open standards"},
	"ocds":           {"Συμβάσεις κατά OCDS (εκδόσεις, φάκελοι)", "Contracts in OCDS (releases, records)"},
	"popolo":         {"Συμβούλιο κατά Popolo", "The council in Popolo"},
	"open311":        {"Αιτήματα κατά Open311 GeoReport v2", "Requests in Open311 GeoReport v2"},
	"downloadFormat": {"Λήψη %s σε %s", "Download %s as %s"},
}

func word(lang, k string) string {
	w := words[k]
	if lang == "en" {
		return w[1]
	}
	return w[0]
}

type pageFile struct {
	Label, URL, Title string
}

type pageDataset struct {
	Name, Title, Description string
	Files                    []pageFile
	Rows, Size               string
}

type pageChart struct {
	ID, Title string
	SVG       template.HTML
	Head      []string
	Rows      [][]string
}

type pageData struct {
	Lang, Other, OtherName, Title, Publisher string
	Position                                 uint64
	W                                        func(string) string
	Licence                                  opendata.Licence
	Updated                                  string
	Released                                 bool
	Datasets                                 []pageDataset
	Charts                                   []pageChart
}

var pageTemplate = template.Must(template.New("portal").Parse(`<!doctype html>
<html lang="{{.Lang}}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}} — {{.Publisher}}</title>
<link rel="stylesheet" href="/portal.css">
<link rel="alternate" type="application/ld+json" href="/datasets/catalog.jsonld" title="DCAT-AP">
</head>
<body>
<a class="skip" href="#main">{{call .W "skip"}}</a>
<header>
<nav aria-label="{{call .W "language"}}"><a href="/?lang={{.Other}}" lang="{{.Other}}" hreflang="{{.Other}}" id="lang-switch">{{.OtherName}}</a></nav>
<h1>{{.Title}}</h1>
<p class="meta">{{.Publisher}} · {{call .W "position"}} {{.Position}}{{if .Released}} · {{call .W "updated"}}: <time>{{.Updated}}</time>{{end}}</p>
</header>
<main id="main">
<section aria-labelledby="datasets-h">
<h2 id="datasets-h">{{call .W "datasets"}}</h2>
<p>{{printf (call .W "datasetsIntro") .Licence.Title}} <a href="{{.Licence.URL}}" rel="license">{{.Licence.ID}}</a>.{{if not .Released}} ({{call .W "notYet"}}){{end}}</p>
<div class="scroll" role="region" aria-label="{{call .W "datasetsTable"}}" tabindex="0">
<table id="datasets">
<thead><tr><th scope="col">{{call .W "dataset"}}</th><th scope="col">{{call .W "description"}}</th><th scope="col">{{call .W "formats"}}</th><th scope="col">{{call .W "rows"}}</th><th scope="col">{{call .W "size"}}</th><th scope="col">{{call .W "licence"}}</th></tr></thead>
<tbody>
{{range .Datasets}}<tr id="ds-{{.Name}}"><th scope="row">{{.Title}}<br><code>{{.Name}}</code></th><td>{{.Description}}</td><td>{{range .Files}}<a class="dl" href="{{.URL}}" title="{{.Title}}">{{.Label}}</a> {{end}}</td><td class="num">{{.Rows}}</td><td class="num">{{.Size}}</td><td>{{$.Licence.ID}}</td></tr>
{{end}}</tbody>
</table>
</div>
</section>
<section aria-labelledby="links-h">
<h2 id="links-h">{{call .W "links"}}</h2>
<ul>
<li><a href="/datasets/catalog.jsonld">{{call .W "catalog"}}</a></li>
<li><a href="/datasets/datapackage.json">{{call .W "datapackage"}}</a></li>
<li><a href="/datasets/SHA256SUMS">{{call .W "sums"}}</a></li>
<li><a href="/v1/events?after=0&amp;limit=100">{{call .W "feed"}}</a></li>
<li><a href="/graphql">{{call .W "explorer"}}</a></li>
</ul>
<h3>{{call .W "standards"}}</h3>
<ul>
<li><a href="/ocds/releases.json">{{call .W "ocds"}}</a> · <a href="/ocds/records.json">records</a></li>
<li><a href="/popolo/popolo.json">{{call .W "popolo"}}</a></li>
<li><a href="/open311/v2/services.json">{{call .W "open311"}}</a></li>
</ul>
</section>
<section aria-labelledby="charts-h">
<h2 id="charts-h">{{call .W "charts"}}</h2>
{{range .Charts}}<figure aria-labelledby="{{.ID}}-cap">
<figcaption id="{{.ID}}-cap"><h3>{{.Title}}</h3></figcaption>
{{.SVG}}
<details><summary>{{call $.W "table"}}</summary>
<div class="scroll" role="region" aria-label="{{.Title}}" tabindex="0">
<table><thead><tr>{{range .Head}}<th scope="col">{{.}}</th>{{end}}</tr></thead>
<tbody>{{range .Rows}}<tr>{{range $i, $c := .}}{{if eq $i 0}}<th scope="row">{{$c}}</th>{{else}}<td class="num">{{$c}}</td>{{end}}{{end}}</tr>{{end}}</tbody></table>
</div>
</details>
</figure>
{{end}}</section>
</main>
<footer><p>Pnyx · EUPL-1.2 · {{.Licence.ID}}</p></footer>
</body>
</html>
`))

func formatLabel(f opendata.Format) string {
	if f.Ext == "excel.csv" {
		return "CSV (Excel)"
	}
	switch f.Ext {
	case "ndjson":
		return "NDJSON"
	case "parquet":
		return "Parquet"
	}
	return map[string]string{"csv": "CSV", "json": "JSON"}[f.Ext]
}

func humanBytes(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f kB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

// render makes the page in both languages from one snapshot.
func (p *Portal) render(ctx context.Context, rel *served) (map[string][]byte, events.Position, error) {
	snap, err := p.rm.Snapshot(ctx)
	if err != nil {
		return nil, 0, err
	}
	defer snap.Close()
	c, err := collectCharts(ctx, snap)
	if err != nil {
		return nil, 0, err
	}
	pages := map[string][]byte{}
	for _, lang := range []string{"el", "en"} {
		d := pageData{Lang: lang, Position: uint64(snap.Position()), Licence: p.cfg.Licence,
			W: func(k string) string { return word(lang, k) }}
		d.Title, d.Publisher, d.Other, d.OtherName = p.cfg.Title.EL, p.cfg.Publisher.Name.EL, "en", "English"
		if lang == "en" {
			d.Title, d.Publisher, d.Other, d.OtherName = p.cfg.Title.EN, p.cfg.Publisher.Name.EN, "el", "Ελληνικά"
		}
		if rel != nil {
			d.Released, d.Updated = true, rel.manifest.Created.UTC().Format("2006-01-02 15:04 UTC")
		}
		for _, ds := range opendata.Datasets() {
			pd := pageDataset{Name: ds.Name, Title: ds.Title.EL, Description: ds.Description.EL, Rows: "—", Size: "—"}
			if lang == "en" {
				pd.Title, pd.Description = ds.Title.EN, ds.Description.EN
			}
			for _, f := range opendata.Formats {
				name := opendata.FileName(ds.Name, f)
				pd.Files = append(pd.Files, pageFile{Label: formatLabel(f), URL: "/datasets/" + name,
					Title: fmt.Sprintf(word(lang, "downloadFormat"), pd.Title, formatLabel(f))})
			}
			if rel != nil {
				for _, md := range rel.manifest.Datasets {
					if md.Name == ds.Name {
						pd.Rows = strconv.FormatInt(md.Rows, 10)
						if len(md.Files) > 0 {
							pd.Size = humanBytes(md.Files[0].Bytes)
						}
					}
				}
			}
			d.Datasets = append(d.Datasets, pd)
		}
		d.Charts = charts(lang, c)
		var b bytes.Buffer
		if err := pageTemplate.Execute(&b, d); err != nil {
			return nil, 0, err
		}
		pages[lang] = b.Bytes()
	}
	return pages, snap.Position(), nil
}

func charts(lang string, c *chartData) []pageChart {
	w := func(k string) string { return word(lang, k) }
	var out []pageChart
	// Spending per year by supplier kind.
	kindNames := make([]string, len(c.spendKinds))
	for i, k := range c.spendKinds {
		kindNames[i] = w(k)
	}
	spend := pageChart{ID: "chart-spending", Title: w("spendTitle"), Head: append(append([]string{w("year")}, kindNames...), w("total"))}
	spend.SVG = template.HTML(svgBars(spend.ID+"-svg", w("spendTitle"), w("spendDesc"), c.spendYears, c.spendKinds, kindNames,
		func(y, k string) float64 { return float64(c.spend[y][k]) }, func(v float64) string { return euros(int64(v)) }))
	for _, y := range c.spendYears {
		row := []string{y}
		var total int64
		for _, k := range c.spendKinds {
			row = append(row, euros(c.spend[y][k]))
			total += c.spend[y][k]
		}
		spend.Rows = append(spend.Rows, append(row, euros(total)))
	}
	out = append(out, spend)
	// Decisions per month.
	dec := pageChart{ID: "chart-decisions", Title: w("decTitle"), Head: []string{w("month"), w("count")}}
	dec.SVG = template.HTML(svgBars(dec.ID+"-svg", w("decTitle"), w("decDesc"), c.decisionMonths, []string{"n"}, []string{w("count")},
		func(m, _ string) float64 { return float64(c.decisions[m]) }, func(v float64) string { return strconv.Itoa(int(v)) }))
	for _, m := range c.decisionMonths {
		dec.Rows = append(dec.Rows, []string{m, strconv.Itoa(c.decisions[m])})
	}
	out = append(out, dec)
	// Requests answered within the deadline.
	catNames := make([]string, len(c.reqCategories))
	byName := map[string]string{}
	for i, cat := range c.reqCategories {
		catNames[i] = w(cat)
		if catNames[i] == "" {
			catNames[i] = cat
		}
		byName[catNames[i]] = cat
	}
	req := pageChart{ID: "chart-requests", Title: w("reqTitle"), Head: []string{w("category"), w("onTime"), w("late"), w("median"), w("deadline")}}
	req.SVG = template.HTML(svgBars(req.ID+"-svg", w("reqTitle"), w("reqDesc"), catNames, []string{"on", "late"}, []string{w("onTime"), w("late")},
		func(name, s string) float64 {
			if s == "on" {
				return float64(c.reqOnTime[byName[name]])
			}
			return float64(c.reqLate[byName[name]])
		}, func(v float64) string { return strconv.Itoa(int(v)) }))
	for i, cat := range c.reqCategories {
		req.Rows = append(req.Rows, []string{catNames[i], strconv.Itoa(c.reqOnTime[cat]), strconv.Itoa(c.reqLate[cat]),
			strconv.FormatFloat(math.Round(c.reqMedianDays[cat]*10)/10, 'f', 1, 64), strconv.Itoa(c.reqDeadline[cat])})
	}
	out = append(out, req)
	// Vote alignment of factions.
	al := pageChart{ID: "chart-alignment", Title: w("alignTitle"), Head: []string{w("factionA"), w("factionB"), w("agree"), w("votes")}}
	pair := func(a, b string) [2]string {
		if a > b {
			a, b = b, a
		}
		return [2]string{a, b}
	}
	al.SVG = template.HTML(svgHeatmap(al.ID+"-svg", w("alignTitle"), w("alignDesc"), c.factions, c.colours, func(a, b string) (float64, bool) {
		if a == b {
			return 1, true
		}
		v, ok := c.alignment[pair(a, b)]
		return v, ok && c.alignN[pair(a, b)] > 0
	}))
	for i, a := range c.factions {
		for _, b := range c.factions[i+1:] {
			k := pair(a, b)
			if n := c.alignN[k]; n > 0 {
				al.Rows = append(al.Rows, []string{a, b, fmt.Sprintf("%d%%", int(math.Round(c.alignment[k]*100))), strconv.Itoa(n)})
			}
		}
	}
	out = append(out, al)
	return out
}
