package exports

import (
	"context"
	"fmt"
	"html"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// The portal's charts, computed from one snapshot's datasets and drawn on
// the server as SVG: no script, and every chart comes with a text
// alternative and the table of its data, so a screen reader, a text
// browser and a printout get the same facts as the picture.

// chartData is what the portal's charts show.
type chartData struct {
	// spending per year by supplier kind, in cents
	spendYears []string
	spendKinds []string
	spend      map[string]map[string]int64 // year → kind → cents
	// decisions per month ("2025-03")
	decisionMonths []string
	decisions      map[string]int
	// answered requests by category: within the deadline and late, and
	// the median days to answer against the statutory deadline
	reqCategories []string
	reqOnTime     map[string]int
	reqLate       map[string]int
	reqMedianDays map[string]float64
	reqDeadline   map[string]int
	// vote alignment of factions: share of roll-call votes in which the
	// majorities of two factions chose alike
	factions  []string
	colours   map[string]string // faction name → its colour for charts
	alignment map[[2]string]float64
	alignN    map[[2]string]int
}

// scanRows reads a dataset into rows keyed by column.
func scanRows(ctx context.Context, rows Rows, name string, fn func(r map[string]any)) error {
	var cols []string
	return rows.ScanDataset(ctx, name, func(c []string) error { cols = c; return nil }, func(vals []any) error {
		m := make(map[string]any, len(cols))
		for i, c := range cols {
			m[c] = vals[i]
		}
		fn(m)
		return nil
	})
}

func str(v any) string { s, _ := v.(string); return s }

func num(v any) int64 { n, _ := v.(int64); return n }

func collectCharts(ctx context.Context, rows Rows) (*chartData, error) {
	c := &chartData{spend: map[string]map[string]int64{}, decisions: map[string]int{},
		reqOnTime: map[string]int{}, reqLate: map[string]int{}, reqMedianDays: map[string]float64{}, reqDeadline: map[string]int{},
		alignment: map[[2]string]float64{}, alignN: map[[2]string]int{}, colours: map[string]string{}}
	kinds := map[string]string{}
	if err := scanRows(ctx, rows, "suppliers", func(r map[string]any) { kinds[str(r["vat_id"])] = str(r["kind"]) }); err != nil {
		return nil, err
	}
	supplierOf := map[string]string{}
	if err := scanRows(ctx, rows, "contracts", func(r map[string]any) {
		supplierOf[str(r["ocid"])] = str(r["supplier_vat_id"])
	}); err != nil {
		return nil, err
	}
	// Spending is what was paid, by the year paid.
	if err := scanRows(ctx, rows, "payments", func(r map[string]any) {
		at := str(r["paid_at"])
		if len(at) < 4 {
			return
		}
		year, kind := at[:4], kinds[supplierOf[str(r["ocid"])]]
		if kind == "" {
			kind = "unknown"
		}
		if c.spend[year] == nil {
			c.spend[year] = map[string]int64{}
		}
		c.spend[year][kind] += num(r["amount_cents"])
	}); err != nil {
		return nil, err
	}
	for y := range c.spend {
		c.spendYears = append(c.spendYears, y)
	}
	slices.Sort(c.spendYears)
	c.spendKinds = []string{"cooperative", "sme", "large", "unknown"}

	if err := scanRows(ctx, rows, "decisions", func(r map[string]any) {
		if at := str(r["adopted_at"]); len(at) >= 7 {
			c.decisions[at[:7]]++
		}
	}); err != nil {
		return nil, err
	}
	for m := range c.decisions {
		c.decisionMonths = append(c.decisionMonths, m)
	}
	slices.Sort(c.decisionMonths)

	days := map[string][]float64{}
	if err := scanRows(ctx, rows, "requests", func(r map[string]any) {
		sub, ans := parseTime(str(r["submitted_at"])), parseTime(str(r["answered_at"]))
		cat, limit := str(r["category"]), int(num(r["response_days"]))
		if sub.IsZero() || ans.IsZero() || limit == 0 {
			return
		}
		d := ans.Sub(sub).Hours() / 24
		days[cat] = append(days[cat], d)
		c.reqDeadline[cat] = limit
		if d <= float64(limit) {
			c.reqOnTime[cat]++
		} else {
			c.reqLate[cat]++
		}
	}); err != nil {
		return nil, err
	}
	for cat, ds := range days {
		c.reqCategories = append(c.reqCategories, cat)
		slices.Sort(ds)
		c.reqMedianDays[cat] = ds[len(ds)/2]
	}
	slices.Sort(c.reqCategories)

	// Factions of the same name in several bodies (the council's list and
	// its members on a committee) are one line of the chart, in the colour
	// the first of them records.
	factionName := map[string]string{} // faction id → name
	if err := scanRows(ctx, rows, "factions", func(r map[string]any) {
		name := str(r["name"])
		factionName[str(r["faction_id"])] = name
		if col := str(r["colour"]); col != "" && c.colours[name] == "" {
			c.colours[name] = col
		}
	}); err != nil {
		return nil, err
	}
	faction := map[string]string{} // member → faction of their latest period
	if err := scanRows(ctx, rows, "memberships", func(r map[string]any) {
		if f := factionName[str(r["faction_id"])]; f != "" {
			faction[str(r["member_id"])] = f
		}
	}); err != nil {
		return nil, err
	}
	// Ballots come by vote: tally each vote's factions, then compare.
	var vote string
	tally := map[string]map[string]int{}
	flush := func() {
		majority := map[string]string{}
		for f, choices := range tally {
			best, n := "", -1
			for ch, k := range choices {
				if k > n || (k == n && ch < best) {
					best, n = ch, k
				}
			}
			majority[f] = best
		}
		for a, ca := range majority {
			for b, cb := range majority {
				if a < b {
					k := [2]string{a, b}
					c.alignN[k]++
					if ca == cb {
						c.alignment[k]++
					}
				}
			}
		}
		tally = map[string]map[string]int{}
	}
	if err := scanRows(ctx, rows, "ballots", func(r map[string]any) {
		if v := str(r["vote_id"]); v != vote {
			flush()
			vote = v
		}
		f := faction[str(r["member_id"])]
		if f == "" {
			return
		}
		if tally[f] == nil {
			tally[f] = map[string]int{}
		}
		tally[f][str(r["choice"])]++
	}); err != nil {
		return nil, err
	}
	flush()
	seen := map[string]bool{}
	for k, n := range c.alignN {
		c.alignment[k] /= float64(n)
		seen[k[0]], seen[k[1]] = true, true
	}
	for f := range seen {
		c.factions = append(c.factions, f)
	}
	slices.Sort(c.factions)
	return c, nil
}

func parseTime(s string) time.Time {
	t, _ := time.Parse(time.RFC3339Nano, s)
	return t
}

// The charts' colours: the Okabe–Ito palette, distinguishable with the
// common colour-vision deficiencies, each with a text label beside it.
var palette = []string{"#0072B2", "#D55E00", "#009E73", "#6b6b6b", "#CC79A7", "#E69F00"}

func esc(s string) string { return html.EscapeString(s) }

// euros formats cents as whole euros with thousands separators.
func euros(cents int64) string {
	s := strconv.FormatInt(cents/100, 10)
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte('.')
		}
		b.WriteRune(r)
	}
	return b.String() + " €"
}

// svgBars draws horizontal stacked bars: one bar per label, one segment
// per series.
func svgBars(id, title, desc string, labels []string, series []string, seriesNames []string, value func(label, series string) float64, format func(float64) string) string {
	const w, rowH, left, right = 720, 34, 110, 150
	h := len(labels)*rowH + 60
	maxTotal := 0.0
	for _, l := range labels {
		t := 0.0
		for _, s := range series {
			t += value(l, s)
		}
		maxTotal = math.Max(maxTotal, t)
	}
	if maxTotal == 0 {
		maxTotal = 1
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg id="%s" class="chart" role="img" aria-labelledby="%s-t %s-d" viewBox="0 0 %d %d" xmlns="http://www.w3.org/2000/svg">`, id, id, id, w, h)
	fmt.Fprintf(&b, `<title id="%s-t">%s</title><desc id="%s-d">%s</desc>`, id, esc(title), id, esc(desc))
	for i, l := range labels {
		y := 10 + i*rowH
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="end" font-size="14" fill="#1a1a1a">%s</text>`, left-8, y+20, esc(l))
		x, total := float64(left), 0.0
		for j, s := range series {
			v := value(l, s)
			total += v
			bw := v / maxTotal * float64(w-left-right)
			if bw > 0 {
				fmt.Fprintf(&b, `<rect x="%.1f" y="%d" width="%.1f" height="%d" fill="%s"><title>%s: %s</title></rect>`, x, y+4, bw, rowH-10, palette[j%len(palette)], esc(seriesNames[j]), esc(format(v)))
			}
			x += bw
		}
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" font-size="13" fill="#1a1a1a">%s</text>`, x+6, y+20, esc(format(total)))
	}
	// the legend
	lx := left
	for j, name := range seriesNames {
		if len(series) == 1 {
			break
		}
		y := h - 22
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="14" height="14" fill="%s"/><text x="%d" y="%d" font-size="13" fill="#1a1a1a">%s</text>`, lx, y, palette[j%len(palette)], lx+20, y+12, esc(name))
		lx += 30 + 9*len([]rune(name))
	}
	b.WriteString(`</svg>`)
	return b.String()
}

// svgHeatmap draws the alignment of factions: a cell per pair, darker for
// more agreement, with its percentage written in it. Each faction's name
// has a swatch of its colour (colours[name], none when it has none)
// beside it; the name, not the colour, says which faction it is.
func svgHeatmap(id, title, desc string, names []string, colours map[string]string, value func(a, b string) (float64, bool)) string {
	const cell, left, top, swatch = 64, 240, 200, 14
	n := len(names)
	w, h := left+n*cell+20, top+n*cell+20
	var b strings.Builder
	fmt.Fprintf(&b, `<svg id="%s" class="chart" role="img" aria-labelledby="%s-t %s-d" viewBox="0 0 %d %d" xmlns="http://www.w3.org/2000/svg">`, id, id, id, w, h)
	fmt.Fprintf(&b, `<title id="%s-t">%s</title><desc id="%s-d">%s</desc>`, id, esc(title), id, esc(desc))
	for i, name := range names {
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="end" font-size="13" fill="#1a1a1a">%s</text>`, left-swatch-14, top+i*cell+cell/2+5, esc(name))
		fmt.Fprintf(&b, `<text transform="translate(%d,%d) rotate(-45)" font-size="13" fill="#1a1a1a">%s</text>`, left+i*cell+cell/2, top-swatch-10, esc(name))
		if col := colours[name]; col != "" {
			fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="%d" fill="%s" stroke="#1a1a1a" stroke-width="1"/>`, left-swatch-6, top+i*cell+(cell-swatch)/2, swatch, swatch, esc(col))
			fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="%d" fill="%s" stroke="#1a1a1a" stroke-width="1"/>`, left+i*cell+(cell-swatch)/2, top-swatch-4, swatch, swatch, esc(col))
		}
	}
	for i, a := range names {
		for j, c := range names {
			v, ok := value(a, c)
			x, y := left+j*cell, top+i*cell
			if !ok {
				fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="%d" fill="#f2f2f2" stroke="#fff"/>`, x, y, cell, cell)
				continue
			}
			// Two ramps of blue, light under dark text below one half, dark
			// under white text from one half: either way the text keeps a
			// contrast of at least 4.5:1.
			fill, textFill := lerp([3]float64{232, 241, 250}, [3]float64{158, 202, 225}, v*2), "#1a1a1a"
			if v >= 0.5 {
				fill, textFill = lerp([3]float64{33, 113, 181}, [3]float64{8, 48, 107}, (v-0.5)*2), "#ffffff"
			}
			fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="%d" fill="%s" stroke="#fff"/><text x="%d" y="%d" text-anchor="middle" font-size="13" fill="%s">%d%%</text>`,
				x, y, cell, cell, fill, x+cell/2, y+cell/2+5, textFill, int(math.Round(v*100)))
		}
	}
	b.WriteString(`</svg>`)
	return b.String()
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

func lerp(a, b [3]float64, t float64) string {
	t = math.Max(0, math.Min(1, t))
	return fmt.Sprintf("rgb(%d,%d,%d)", int(a[0]+(b[0]-a[0])*t), int(a[1]+(b[1]-a[1])*t), int(a[2]+(b[2]-a[2])*t))
}
