package period

// Comparisons a digest can draw its "was" figures from.
const (
	// ComparePrevious is the period just before.
	ComparePrevious = "previous"
	// CompareSameDayLastWeek is the same local weekday a week earlier
	// (daily digests: Saturday with last Saturday, not with Friday).
	CompareSameDayLastWeek = "sameDayLastWeek"
	// CompareSameWeekLastYear is the period 52 weeks earlier (the same
	// weekdays, about a year ago).
	CompareSameWeekLastYear = "sameWeekLastYear"
)

// DefaultCompare is the comparison of a kind of period when the digest
// names none: the same weekday last week for days, the period before
// otherwise.
func DefaultCompare(k Kind) string {
	if k == Day {
		return CompareSameDayLastWeek
	}
	return ComparePrevious
}

// Compare returns the period p is compared with. Shifts are by local
// calendar days, so a DST change between the two leaves both whole local
// periods. A month compared by weeks is compared with the previous month.
func (p Period) Compare(s Spec, with string) Period {
	days := 0
	switch with {
	case CompareSameDayLastWeek:
		if s.Kind == Day {
			days = 7
		}
	case CompareSameWeekLastYear:
		if s.Kind != Month {
			days = 364
		} else {
			l := p.Start.In(p.Location)
			return s.containing(dayStart(l.Year()-1, l.Month(), 1, p.Location))
		}
	}
	if days == 0 {
		return p.Previous(s)
	}
	l := p.Start.In(p.Location)
	return s.containing(dayStart(l.Year(), l.Month(), l.Day()-days, p.Location))
}

// CompareLabel says in words what a comparison is, for the subtitle.
func CompareLabel(with string) string {
	switch with {
	case CompareSameDayLastWeek:
		return "the same day last week"
	case CompareSameWeekLastYear:
		return "the same period last year"
	}
	return "the previous period"
}
