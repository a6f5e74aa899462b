package registry

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"sportello/fault"
)

// Date is a civil date (a birth date, an event date) with no time and no zone.
// The zero Date means "not known".
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// NewDate returns the date; it does not normalise out-of-range values, use
// Valid to check.
func NewDate(year int, month time.Month, day int) Date {
	return Date{Year: year, Month: month, Day: day}
}

// DateOf returns the civil date of t in t's location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{y, m, d}
}

// Today is the civil date now in Europe/Rome, where every desk works.
func Today() Date {
	return DateOf(time.Now().In(Rome))
}

// Rome is the zone every date and daily reset is shown in.
var Rome = loadRome()

func loadRome() *time.Location {
	loc, err := time.LoadLocation("Europe/Rome")
	if err != nil {
		return time.FixedZone("CET", 3600)
	}
	return loc
}

// IsZero reports whether the date is unknown.
func (d Date) IsZero() bool { return d == Date{} }

// Valid reports whether the date exists in the calendar.
func (d Date) Valid() bool {
	if d.Year < 1 || d.Year > 9999 || d.Month < 1 || d.Month > 12 || d.Day < 1 {
		return false
	}
	return DateOf(d.Time()) == d
}

// Time returns midnight UTC of the date.
func (d Date) Time() time.Time {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC)
}

// Compare returns -1, 0 or +1 as d is before, equal to or after o.
func (d Date) Compare(o Date) int {
	switch {
	case d.Year != o.Year:
		return cmp(d.Year, o.Year)
	case d.Month != o.Month:
		return cmp(int(d.Month), int(o.Month))
	default:
		return cmp(d.Day, o.Day)
	}
}

func cmp(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Before reports whether d is before o.
func (d Date) Before(o Date) bool { return d.Compare(o) < 0 }

// After reports whether d is after o.
func (d Date) After(o Date) bool { return d.Compare(o) > 0 }

// AgeOn returns the age in whole years on the given date.
func (d Date) AgeOn(on Date) int {
	age := on.Year - d.Year
	if on.Month < d.Month || (on.Month == d.Month && on.Day < d.Day) {
		age--
	}
	return age
}

// String returns the ISO form YYYY-MM-DD, or "" for the zero date.
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day)
}

// Italian returns the form clerks read, dd/mm/yyyy, or "" for the zero date.
func (d Date) Italian() string {
	if d.IsZero() {
		return ""
	}
	return fmt.Sprintf("%02d/%02d/%04d", d.Day, int(d.Month), d.Year)
}

// ParseDate reads an ISO date YYYY-MM-DD; "" gives the zero date.
func ParseDate(s string) (Date, error) {
	if s == "" {
		return Date{}, nil
	}
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		return Date{}, fault.New(fault.Invalid, "The date {{.Date}} is not valid: write it as YYYY-MM-DD", map[string]any{"Date": s})
	}
	return DateOf(t), nil
}

// Message keys of date errors.
const (
	msgDateForm    = "The date {{.Date}} is not valid: write it as dd/mm/yyyy"
	msgDateMissing = "The date {{.Date}} does not exist"
)

// ParseItalianDate reads a date as clerks write it, dd/mm/yyyy (also d/m/yyyy,
// and with - or . as separators). A date of the right form that no calendar
// has (31/02/2026, 12/13/2000) is refused as one that does not exist, so the
// clerk knows the form was right and the day wrong.
func ParseItalianDate(s string) (Date, error) {
	d, ok, exists := splitItalianDate(s, false)
	switch {
	case !ok:
		return Date{}, fault.New(fault.Invalid, msgDateForm, map[string]any{"Date": s})
	case !exists:
		return Date{}, fault.New(fault.Invalid, msgDateMissing, map[string]any{"Date": s})
	}
	return d, nil
}

// splitItalianDate reads day, month and year separated by one of / - . (the
// same separator twice). ok reports the form; exists that the date is in the
// calendar. With twoDigitYears a year of two digits is the most recent year
// ending in them that is not in the future (17/11/58 is 1958, 03/04/05 is
// 2005), as a clerk typing a birth date means.
func splitItalianDate(s string, twoDigitYears bool) (d Date, ok, exists bool) {
	sep := strings.IndexAny(s, "/-.")
	if sep < 0 {
		return Date{}, false, false
	}
	parts := strings.Split(s, s[sep:sep+1])
	if len(parts) != 3 || !digitsOnly(parts[0], 1, 2) || !digitsOnly(parts[1], 1, 2) ||
		!(digitsOnly(parts[2], 4, 4) || twoDigitYears && digitsOnly(parts[2], 2, 2)) {
		return Date{}, false, false
	}
	day, _ := strconv.Atoi(parts[0])
	month, _ := strconv.Atoi(parts[1])
	year, _ := strconv.Atoi(parts[2])
	if len(parts[2]) == 2 {
		year = fullYear(year, Today().Year)
	}
	d = NewDate(year, time.Month(month), day)
	return d, true, d.Valid()
}

// fullYear is the most recent year ending in the two digits yy that is not
// after thisYear.
func fullYear(yy, thisYear int) int {
	y := thisYear - thisYear%100 + yy
	if y > thisYear {
		y -= 100
	}
	return y
}

// digitsOnly reports whether s is made of between min and max ASCII digits.
func digitsOnly(s string, min, max int) bool {
	if len(s) < min || len(s) > max {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
