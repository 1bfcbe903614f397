package events

import (
	"slices"
	"strings"
	"time"
	_ "time/tzdata" // Europe/Athens on machines without a zone database
)

// The public holidays of Greece, on which public services are closed: the
// fixed ones and those that follow Orthodox Easter. No maintained Go
// holiday module was available to the project, so Easter is computed here
// with Meeus's Julian algorithm (tested against the published dates), and
// a body adds its own (the town's patron saint, a holiday moved by
// ministerial decision) in its settings.

// athens is the zone a Greek service's days are counted in.
var athens = func() *time.Location {
	l, err := time.LoadLocation("Europe/Athens")
	if err != nil {
		panic("events: no Europe/Athens zone: " + err.Error())
	}
	return l
}()

// Holiday is a public holiday: its date, as 2026-04-13, and Greek name.
type Holiday struct {
	Date string
	Name string
}

// civilDate is a day of the calendar, without a time or zone.
type civilDate struct {
	Year  int
	Month time.Month
	Day   int
}

func dateOf(t time.Time) civilDate {
	y, m, d := t.In(athens).Date()
	return civilDate{y, m, d}
}

func (d civilDate) time() time.Time { return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, athens) }

func (d civilDate) addDays(n int) civilDate {
	return dateOf(time.Date(d.Year, d.Month, d.Day+n, 12, 0, 0, 0, athens))
}

// String formats the date as 2026-04-13.
func (d civilDate) String() string { return d.time().Format(time.DateOnly) }

// OrthodoxEaster returns the date of Orthodox Easter Sunday in year (in
// the Gregorian calendar), by Meeus's Julian algorithm: the Julian date
// of Easter plus the days the Gregorian calendar is ahead of the Julian
// one (13 from 1900 to 2099).
func OrthodoxEaster(year int) time.Time {
	a, b, c := year%4, year%7, year%19
	d := (19*c + 15) % 30
	e := (2*a + 4*b - d + 34) % 7
	month := (d + e + 114) / 31
	day := (d+e+114)%31 + 1
	shift := year/100 - year/400 - 2
	return time.Date(year, time.Month(month), day+shift, 0, 0, 0, 0, time.UTC)
}

// GreekHolidays returns the national public holidays of year, in date
// order: the fixed ones, and Clean Monday, Good Friday, Easter Monday and
// Whit Monday, which follow Orthodox Easter.
func GreekHolidays(year int) []Holiday {
	easter := OrthodoxEaster(year)
	rel := func(days int, name string) Holiday {
		return Holiday{easter.AddDate(0, 0, days).Format(time.DateOnly), name}
	}
	fixed := func(m time.Month, d int, name string) Holiday {
		return Holiday{time.Date(year, m, d, 0, 0, 0, 0, time.UTC).Format(time.DateOnly), name}
	}
	hs := []Holiday{
		fixed(time.January, 1, "Πρωτοχρονιά"),
		fixed(time.January, 6, "Θεοφάνεια"),
		rel(-48, "Καθαρά Δευτέρα"),
		fixed(time.March, 25, "Ευαγγελισμός της Θεοτόκου και Εθνική Εορτή"),
		rel(-2, "Μεγάλη Παρασκευή"),
		rel(1, "Δευτέρα του Πάσχα"),
		fixed(time.May, 1, "Εργατική Πρωτομαγιά"),
		rel(50, "Δευτέρα του Αγίου Πνεύματος"),
		fixed(time.August, 15, "Κοίμηση της Θεοτόκου"),
		fixed(time.October, 28, "Επέτειος του Όχι"),
		fixed(time.December, 25, "Χριστούγεννα"),
		fixed(time.December, 26, "Σύναξη της Υπεραγίας Θεοτόκου"),
	}
	slices.SortStableFunc(hs, func(x, y Holiday) int { return strings.Compare(x.Date, y.Date) })
	return hs
}

// HolidaySettings are a body's own changes to the national holidays.
type HolidaySettings struct {
	// Local holidays recur every year, as "MM-DD" (the patron saint of
	// the town, such as "11-11").
	Local []string `json:"local,omitempty"`
	// Extra are one-off holidays, as "YYYY-MM-DD" (a holiday moved by
	// ministerial decision, such as May Day in Holy Week).
	Extra []string `json:"extra,omitempty"`
	// Removed are national holidays that were moved away, as "YYYY-MM-DD".
	Removed []string `json:"removed,omitempty"`
}

func (h HolidaySettings) validate() error {
	for _, s := range h.Local {
		if _, err := time.Parse("01-02", s); err != nil {
			return Invalidf("local holiday %q: want MM-DD, such as 11-11", s)
		}
	}
	for _, list := range [][]string{h.Extra, h.Removed} {
		for _, s := range list {
			if _, err := time.Parse(time.DateOnly, s); err != nil {
				return Invalidf("holiday %q: want YYYY-MM-DD", s)
			}
		}
	}
	return nil
}

// nonWorking reports whether d is a Saturday, a Sunday or a holiday.
func (h HolidaySettings) nonWorking(d civilDate) bool {
	if wd := d.time().Weekday(); wd == time.Saturday || wd == time.Sunday {
		return true
	}
	s := d.String()
	if slices.Contains(h.Extra, s) || slices.Contains(h.Local, s[5:]) {
		return true
	}
	if slices.Contains(h.Removed, s) {
		return false
	}
	for _, hd := range GreekHolidays(d.Year) {
		if hd.Date == s {
			return true
		}
	}
	return false
}

// DayCount is how a period's days are counted.
type DayCount string

const (
	// CountCalendar counts every day; a period whose last day is not a
	// working day ends on the next working day.
	CountCalendar DayCount = "calendar"
	// CountWorking counts working days only (not Saturdays, Sundays or
	// holidays).
	CountWorking DayCount = "working"
)

// dueDate is the one place a request's due time is computed: a period of
// days counted from the day after the day of start (the day of the event
// does not count), in calendar days ending on a working day, or in
// working days; due at the end of its last day, Greek time.
func dueDate(start time.Time, days int, count DayCount, h HolidaySettings) time.Time {
	d := dateOf(start)
	switch count {
	case CountWorking:
		for n := 0; n < days; {
			d = d.addDays(1)
			if !h.nonWorking(d) {
				n++
			}
		}
	default:
		d = d.addDays(days)
		for h.nonWorking(d) {
			d = d.addDays(1)
		}
	}
	return d.addDays(1).time().Add(-time.Second).UTC()
}
