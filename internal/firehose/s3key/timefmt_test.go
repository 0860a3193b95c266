package s3key

import (
	"errors"
	"testing"
	"time"
)

func TestTimeFormat(t *testing.T) {
	// Monday 2018-08-27 09:05:07.123456789 UTC; day 239 of the year.
	at := time.Date(2018, 8, 27, 9, 5, 7, 123456789, time.UTC)
	pm := time.Date(2007, 1, 3, 21, 0, 0, 0, time.UTC) // Wednesday, day 3
	midnight := time.Date(2018, 8, 27, 0, 15, 0, 0, time.UTC)
	tests := []struct {
		pattern string
		at      time.Time
		want    string
	}{
		{"yyyy", at, "2018"},
		{"uuuu", at, "2018"},
		{"y", at, "2018"},
		{"yy", at, "18"},
		{"yy", pm, "07"},
		{"yyyyy", at, "02018"},
		{"MM", pm, "01"},
		{"M", pm, "1"},
		{"M", at, "8"},
		{"MMM", at, "Aug"},
		{"MMMM", at, "August"},
		{"MMMMM", at, "A"},
		{"dd", pm, "03"},
		{"d", pm, "3"},
		{"DDD", pm, "003"},
		{"DDD", at, "239"},
		{"D", pm, "3"},
		{"DD", pm, "03"},
		{"HH", at, "09"},
		{"H", at, "9"},
		{"HH", pm, "21"},
		{"hh", pm, "09"},
		{"h", pm, "9"},
		{"hh", midnight, "12"},
		{"a", at, "AM"},
		{"a", pm, "PM"},
		{"hh:mm a", pm, "09:00 PM"},
		{"mm", at, "05"},
		{"m", at, "5"},
		{"ss", at, "07"},
		{"s", at, "7"},
		{"SSS", at, "123"},
		{"S", at, "1"},
		{"SSSSSSSSS", at, "123456789"},
		{"EEE", at, "Mon"},
		{"E", pm, "Wed"},
		{"EEEE", pm, "Wednesday"},
		{"EEEEE", pm, "W"},
		{"yyyy-MM-dd'T'HH:mm:ss.SSS", at, "2018-08-27T09:05:07.123"},
		{"'year='yyyy'/month='MM", at, "year=2018/month=08"},
		{"yyyy''MM", at, "2018'08"},
		{"'it''s' yyyy", at, "it's 2018"},
		{"''", at, "'"},
		{"yyyy/MM/dd/HH/", at, "2018/08/27/09/"},
		{"yyyy_MM.dd=HH", at, "2018_08.27=09"},
		{"yyyy[-MM]", at, "2018-08"},
		{"'abc xyz'", at, "abc xyz"},
	}
	for _, tc := range tests {
		t.Run(tc.pattern, func(t *testing.T) {
			f, err := compileTimeFormat(tc.pattern)
			if err != nil {
				t.Fatalf("compile: %v", err)
			}
			if got := string(f.appendTo(nil, tc.at)); got != tc.want {
				t.Errorf("format(%q) = %q, want %q", tc.pattern, got, tc.want)
			}
		})
	}
}

func TestTimeFormatRejects(t *testing.T) {
	for _, p := range []string{
		"YYYY",   // week-based year: Java knows it, Freshet does not format it
		"bbbb",   // unknown to Java too
		"ww",     // week of year
		"Q",      // quarter
		"z",      // zone name
		"X",      // offset
		"k",      // clock hour 1-24
		"ddd",    // too many
		"HHH",    // too many
		"DDDD",   // too many
		"aa",     // too many
		"MMMMMM", // too many
		"EEEEEE", // too many
		"SSSSSSSSSS",
		"yyyy'MM", // unclosed literal
		"'",
		"yyyy#",
		"yyyy{",
	} {
		t.Run(p, func(t *testing.T) {
			if _, err := compileTimeFormat(p); !errors.Is(err, errPattern) {
				t.Errorf("compileTimeFormat(%q) err = %v, want errPattern", p, err)
			}
		})
	}
}
