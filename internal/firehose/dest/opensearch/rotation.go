package opensearch

import (
	"fmt"
	"time"
)

// IndexName is the index a record arriving at t goes to: IndexName plus
// the rotation period's part of the UTC arrival time (myindex-2016-02-25-13,
// myindex-2016-02-25, myindex-2016-w09, myindex-2016-02).
func IndexName(base, rotation string, t time.Time) string {
	t = t.UTC()
	switch rotation {
	case OneHour:
		return base + t.Format("-2006-01-02-15")
	case OneDay:
		return base + t.Format("-2006-01-02")
	case OneWeek:
		y, w := USWeek(t)
		return fmt.Sprintf("%s-%04d-w%02d", base, y, w)
	case OneMonth:
		return base + t.Format("-2006-01")
	default:
		return base
	}
}

// USWeek numbers weeks the way AWS documents for OneWeek rotation (US
// conventions): weeks start on Sunday and week 1 is the week holding the
// year's first Saturday. A week belongs to the year of its Saturday, so the
// last days of December can be week 1 of the next year.
func USWeek(t time.Time) (year, week int) {
	sat := t.AddDate(0, 0, int(time.Saturday-t.Weekday()))
	return sat.Year(), (sat.YearDay()-1)/7 + 1
}
