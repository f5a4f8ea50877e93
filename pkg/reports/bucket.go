package reports

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// SlotKind tells which of the API's three time formats a bucket bound uses.
type SlotKind int

// Slot kinds, one per time format in the reference's "Data Format" section.
const (
	SlotDateTime  SlotKind = iota + 1 // yyyy-MM-ddTHH:mm:ss (hour/day/week/month groups)
	SlotClock                         // hh:mm (halfHourDistribution)
	SlotWeekClock                     // ddd. hh:mm (24*7Distribution)
)

// Slot is one bound of a time bucket. Times are wall-clock readings in the
// query's UTC offset; the API never sends the offset back, so DateTime is
// held in UTC as a plain civil time and must be read together with the offset
// the query was sent with.
type Slot struct {
	Kind     SlotKind
	DateTime time.Time    // SlotDateTime only
	Weekday  time.Weekday // SlotWeekClock only
	Minute   int          // minutes after midnight, for SlotClock and SlotWeekClock
}

// DateTimeLayout is the API's timestamp layout.
const DateTimeLayout = "2006-01-02T15:04:05"

var weekdays = map[string]time.Weekday{
	"sun": time.Sunday, "mon": time.Monday, "tue": time.Tuesday, "wed": time.Wednesday,
	"thu": time.Thursday, "fri": time.Friday, "sat": time.Saturday,
}

// ParseSlot parses a bucket bound in any of the API's three formats.
func ParseSlot(s string) (Slot, error) {
	s = strings.TrimSpace(s)
	switch {
	case len(s) >= 10 && s[4] == '-':
		t, err := time.Parse(DateTimeLayout, strings.TrimSuffix(s, "Z"))
		if err != nil {
			// Some responses omit the seconds.
			if t2, err2 := time.Parse("2006-01-02T15:04", s); err2 == nil {
				return Slot{Kind: SlotDateTime, DateTime: t2}, nil
			}
			return Slot{}, fmt.Errorf("time %q: want yyyy-MM-ddTHH:mm:ss", clip(s))
		}
		return Slot{Kind: SlotDateTime, DateTime: t}, nil
	case len(s) > 5 && (s[3] == '.' || s[3] == ' '):
		day, ok := weekdays[strings.ToLower(s[:3])]
		if !ok {
			return Slot{}, fmt.Errorf("time %q: unknown day %q", clip(s), s[:3])
		}
		m, err := parseClock(strings.TrimSpace(strings.TrimPrefix(s[3:], ".")))
		if err != nil {
			return Slot{}, fmt.Errorf("time %q: %s", clip(s), clipMessage(err.Error()))
		}
		return Slot{Kind: SlotWeekClock, Weekday: day, Minute: m}, nil
	default:
		m, err := parseClock(s)
		if err != nil {
			return Slot{}, fmt.Errorf("time %q: %s", clip(s), clipMessage(err.Error()))
		}
		return Slot{Kind: SlotClock, Minute: m}, nil
	}
}

func parseClock(s string) (int, error) {
	h, m, ok := strings.Cut(s, ":")
	if !ok || len(h) == 0 || len(h) > 2 || len(m) != 2 {
		return 0, fmt.Errorf("want hh:mm")
	}
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	// 24:00 closes the last bucket of a day.
	if err1 != nil || err2 != nil || hh < 0 || hh > 24 || mm < 0 || mm > 59 || (hh == 24 && mm != 0) {
		return 0, fmt.Errorf("want hh:mm")
	}
	return hh*60 + mm, nil
}

// String formats the slot back in its wire format.
func (s Slot) String() string {
	switch s.Kind {
	case SlotDateTime:
		return s.DateTime.Format(DateTimeLayout)
	case SlotClock:
		return fmt.Sprintf("%02d:%02d", s.Minute/60, s.Minute%60)
	case SlotWeekClock:
		return fmt.Sprintf("%s. %02d:%02d", s.Weekday.String()[:3], s.Minute/60, s.Minute%60)
	}
	return ""
}

// Bucket is a row's `time` object: {from, to}.
type Bucket struct {
	From Slot
	To   Slot
}

// UnmarshalJSON decodes {"from": …, "to": …} in any of the three formats.
func (b *Bucket) UnmarshalJSON(data []byte) error {
	var raw struct {
		From *string `json:"from"`
		To   *string `json:"to"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return fmt.Errorf("time: %s", clipMessage(err.Error()))
	}
	if raw.From == nil {
		return fmt.Errorf("time: missing from")
	}
	var err error
	if b.From, err = ParseSlot(*raw.From); err != nil {
		return err
	}
	if raw.To != nil {
		if b.To, err = ParseSlot(*raw.To); err != nil {
			return err
		}
	}
	return nil
}

// MarshalJSON encodes the bucket in its wire format (used by the simulator).
func (b Bucket) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		From string `json:"from"`
		To   string `json:"to"`
	}{b.From.String(), b.To.String()})
}

// ID is an entity id. Agents have integer ids, departments, campaigns and
// most others GUID strings; both decode into ID, and null into "".
type ID string

// UnmarshalJSON accepts a JSON number, string or null.
func (id *ID) UnmarshalJSON(data []byte) error {
	s := strings.TrimSpace(string(data))
	switch {
	case s == "null":
		*id = ""
	case strings.HasPrefix(s, `"`):
		var v string
		if err := json.Unmarshal(data, &v); err != nil {
			return fmt.Errorf("id: %s", clipMessage(err.Error()))
		}
		*id = ID(v)
	default:
		var n json.Number
		if err := json.Unmarshal(data, &n); err != nil {
			return fmt.Errorf("id %s: not a number or string", clip(s))
		}
		*id = ID(n.String())
	}
	return nil
}

// MarshalJSON writes integer-looking ids as numbers (as the API does for agents).
func (id ID) MarshalJSON() ([]byte, error) {
	if _, err := strconv.ParseInt(string(id), 10, 64); err == nil {
		return []byte(id), nil
	}
	return json.Marshal(string(id))
}

// Reoffset re-expresses the buckets of rows answered in offset `from` in
// offset `to`, so rows of queries sent in different offsets (the stretches
// of a period with a DST change) read in one: 2026-11-02T00:00:00 at
// -05:00 becomes 2026-11-02T01:00:00 at -04:00, the same instant. Rows are
// copied, never changed in place (a cache may hold the originals); rows
// without date-time buckets are returned as they are.
func Reoffset(rows []any, from, to time.Duration) []any {
	shift := to - from
	if shift == 0 {
		return rows
	}
	out := make([]any, len(rows))
	for i, r := range rows {
		out[i] = r
		b := TimeOf(r)
		if b == nil || b.From.Kind != SlotDateTime {
			continue
		}
		v := reflect.ValueOf(r)
		if v.Kind() != reflect.Pointer {
			continue
		}
		c := reflect.New(v.Elem().Type())
		c.Elem().Set(v.Elem())
		nb := *b
		nb.From.DateTime = nb.From.DateTime.Add(shift)
		if nb.To.Kind == SlotDateTime {
			nb.To.DateTime = nb.To.DateTime.Add(shift)
		}
		c.Elem().Field(indexOf(c.Elem().Type()).time).Set(reflect.ValueOf(&nb))
		out[i] = c.Interface()
	}
	return out
}
