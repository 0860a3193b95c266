package opensearch

import (
	"testing"
	"time"
)

func TestIndexNamePerPeriod(t *testing.T) {
	// AWS's table uses myindex at 2016-02-25T13:00:00Z. For OneWeek the
	// table shows w08, but its own rule (weeks from Sunday, week 1 holding
	// the first Saturday: Dec 27 2015 - Jan 2 2016) puts Feb 21-27 in week
	// 9; we follow the rule.
	want := map[string]string{
		NoRotation: "myindex",
		OneHour:    "myindex-2016-02-25-13",
		OneDay:     "myindex-2016-02-25",
		OneWeek:    "myindex-2016-w09",
		OneMonth:   "myindex-2016-02",
	}
	for period, name := range want {
		if got := IndexName("myindex", period, arrival); got != name {
			t.Errorf("%s: %q, want %q", period, got, name)
		}
	}
	// The time is converted to UTC first.
	ny := arrival.In(time.FixedZone("EST", -5*3600))
	if got := IndexName("myindex", OneHour, ny); got != "myindex-2016-02-25-13" {
		t.Errorf("non-UTC time: %q", got)
	}
}

func TestUSWeekAtYearBoundaries(t *testing.T) {
	cases := []struct {
		day        string
		year, week int
	}{
		{"2015-12-31", 2016, 1}, // Thursday; its week ends Saturday Jan 2, 2016
		{"2016-01-02", 2016, 1},
		{"2016-01-03", 2016, 2},
		{"2016-12-31", 2016, 53}, // Saturday: still 2016
		{"2017-01-01", 2017, 1},  // Sunday starts week 1
		{"2021-12-25", 2021, 52},
		{"2021-12-26", 2022, 1}, // the week of Saturday Jan 1, 2022
		{"2022-01-01", 2022, 1},
		{"2022-01-02", 2022, 2},
	}
	for _, c := range cases {
		d, _ := time.Parse("2006-01-02", c.day)
		if y, w := USWeek(d); y != c.year || w != c.week {
			t.Errorf("%s: %d-w%02d, want %d-w%02d", c.day, y, w, c.year, c.week)
		}
	}
}

// TestUSWeekAgainstCounting checks every day of 2000-2040 against a
// second method: count days from the Sunday on or before January 1.
func TestUSWeekAgainstCounting(t *testing.T) {
	week1Start := func(year int) time.Time {
		jan1 := time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC)
		return jan1.AddDate(0, 0, -int(jan1.Weekday()))
	}
	for d := time.Date(2000, 1, 1, 12, 0, 0, 0, time.UTC); d.Year() <= 2040; d = d.AddDate(0, 0, 1) {
		year := d.Year()
		if !d.Before(week1Start(year + 1)) {
			year++
		}
		start := week1Start(year)
		want := int(d.Sub(start).Hours())/(24*7) + 1
		if y, w := USWeek(d); y != year || w != want {
			t.Fatalf("%s: %d-w%02d, counting gives %d-w%02d", d.Format("2006-01-02 Mon"), y, w, year, want)
		}
	}
}
