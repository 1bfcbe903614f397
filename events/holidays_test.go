package events

import (
	"testing"
	"time"
)

func TestOrthodoxEaster(t *testing.T) {
	// Published dates of Orthodox Easter Sunday.
	published := map[int]string{
		2000: "2000-04-30", 2010: "2010-04-04", 2017: "2017-04-16", 2018: "2018-04-08", 2019: "2019-04-28",
		2020: "2020-04-19", 2021: "2021-05-02", 2022: "2022-04-24", 2023: "2023-04-16", 2024: "2024-05-05",
		2025: "2025-04-20", 2026: "2026-04-12", 2027: "2027-05-02", 2028: "2028-04-16", 2029: "2029-04-08",
		2030: "2030-04-28",
	}
	for y, want := range published {
		if got := OrthodoxEaster(y).Format(time.DateOnly); got != want {
			t.Errorf("OrthodoxEaster(%d) = %s, want %s", y, got, want)
		}
	}
	t.Run("Easter is always a Sunday", func(t *testing.T) {
		for y := 1950; y <= 2099; y++ {
			if wd := OrthodoxEaster(y).Weekday(); wd != time.Sunday {
				t.Fatalf("OrthodoxEaster(%d) is a %s", y, wd)
			}
		}
	})
}

func TestGreekHolidays(t *testing.T) {
	got := map[string]string{}
	for _, h := range GreekHolidays(2026) {
		got[h.Date] = h.Name
	}
	for _, want := range []string{"2026-01-01", "2026-01-06", "2026-02-23", "2026-03-25", "2026-04-10", "2026-04-13",
		"2026-05-01", "2026-06-01", "2026-08-15", "2026-10-28", "2026-12-25", "2026-12-26"} {
		if got[want] == "" {
			t.Errorf("2026: no holiday on %s (have %v)", want, got)
		}
	}
	if len(got) != 12 {
		t.Fatalf("2026 has %d holidays, want 12", len(got))
	}
}

func TestDueDate(t *testing.T) {
	at := func(s string) time.Time {
		v, err := time.ParseInLocation("2006-01-02 15:04", s, athens)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	end := func(day string) time.Time { return at(day+" 00:00").AddDate(0, 0, 1).Add(-time.Second).UTC() }
	none := HolidaySettings{}
	for _, c := range []struct {
		name  string
		start time.Time
		days  int
		count DayCount
		h     HolidaySettings
		want  time.Time
	}{
		{"calendar days end on the last day when it is a working day", at("2026-03-02 10:00"), 15, CountCalendar, none, end("2026-03-17")},
		{"calendar days ending on a Sunday end on the Monday", at("2026-03-02 10:00"), 20, CountCalendar, none, end("2026-03-23")},
		{"calendar days ending on Good Friday run past Easter Monday", at("2026-03-21 10:00"), 20, CountCalendar, none, end("2026-04-14")},
		{"working days skip weekends and Easter", at("2026-04-08 10:00"), 3, CountWorking, none, end("2026-04-15")},
		{"working days skip Clean Monday", at("2026-02-20 10:00"), 20, CountWorking, none, end("2026-03-23")},
		{"the day is the Greek day: late evening UTC is already tomorrow", time.Date(2026, 3, 2, 22, 30, 0, 0, time.UTC), 1, CountCalendar, none, end("2026-03-04")},
		{"a local holiday counts as a holiday", at("2026-11-09 10:00"), 2, CountCalendar, HolidaySettings{Local: []string{"11-11"}}, end("2026-11-12")},
		{"a removed holiday is a working day", at("2026-04-30 10:00"), 1, CountCalendar, HolidaySettings{Removed: []string{"2026-05-01"}}, end("2026-05-01")},
		{"an extra holiday is not", at("2026-05-05 10:00"), 1, CountCalendar, HolidaySettings{Extra: []string{"2026-05-06"}}, end("2026-05-07")},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := dueDate(c.start, c.days, c.count, c.h); !got.Equal(c.want) {
				t.Fatalf("dueDate = %s, want %s", got.In(athens), c.want.In(athens))
			}
		})
	}
}
