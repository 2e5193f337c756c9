package workspace

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/ringlens/ringlens/graph/vocab"
)

// Sanction is a suspension or termination of payment eligibility that a
// staff member's confirmed points gave in one calendar year.
type Sanction struct {
	Status  string `json:"status"`  // suspended or terminated
	Year    int    `json:"year"`    // the calendar year whose points gave it
	From    string `json:"from"`    // YYYY-MM-DD: the event date of the entry that reached the threshold
	Until   string `json:"until"`   // suspended: the first day of eligibility again; terminated: the first day re-registration is possible
	Trigger string `json:"trigger"` // uid of that entry
	// SingleEvent is true for a termination by 12 points from one event
	// (a bar of BarYearsSingleEvent years instead of BarYearsAccumulated).
	SingleEvent bool `json:"single_event,omitempty"`
}

// Standing is a staff member's payment eligibility on a date.
type Standing struct {
	Staff      string     `json:"staff"`
	On         string     `json:"on"`     // YYYY-MM-DD
	Status     string     `json:"status"` // active, suspended or terminated
	YearPoints int        `json:"year_points"`
	Current    *Sanction  `json:"current,omitempty"` // the sanction in force on the date
	Sanctions  []Sanction `json:"sanctions"`         // every sanction of the file, in order
}

// Sanctions derives the suspensions and terminations of one staff
// member's entries: per calendar year, the confirmed scored entries in
// order of event date (then uid), counted up; the entry that brings the
// total to SuspendPoints starts a suspension of its SuspendMonths (none
// when 0), the one that brings it to TerminatePoints a termination, with a
// re-registration bar of BarYearsSingleEvent years when that entry alone
// has TerminatePoints points, BarYearsAccumulated otherwise. Entries of
// other staff members, proposals, rejections and entries without points
// are ignored.
func Sanctions(entries []PointsEntry) []Sanction {
	var scored []PointsEntry
	for _, e := range entries {
		if e.Status == vocab.PointsConfirmed && e.Kind == vocab.PointsScored && e.Points > 0 && len(e.EventDate) == len(time.DateOnly) {
			scored = append(scored, e)
		}
	}
	sort.SliceStable(scored, func(i, j int) bool {
		if scored[i].EventDate != scored[j].EventDate {
			return scored[i].EventDate < scored[j].EventDate
		}
		return scored[i].UID < scored[j].UID
	})
	out := []Sanction{}
	total, year := 0, ""
	for _, e := range scored {
		if y := e.EventDate[:4]; y != year {
			total, year = 0, y
		}
		before := total
		total += e.Points
		day, err := time.Parse(time.DateOnly, e.EventDate)
		if err != nil {
			continue
		}
		yr := day.Year()
		switch {
		case before < TerminatePoints && total >= TerminatePoints:
			bar := BarYearsAccumulated
			single := e.Points >= TerminatePoints
			if single {
				bar = BarYearsSingleEvent
			}
			out = append(out, Sanction{Status: vocab.StaffTerminated, Year: yr, From: e.EventDate,
				Until: day.AddDate(bar, 0, 0).Format(time.DateOnly), Trigger: e.UID, SingleEvent: single})
		case before < SuspendPoints && total >= SuspendPoints && e.SuspendMonths > 0:
			out = append(out, Sanction{Status: vocab.StaffSuspended, Year: yr, From: e.EventDate,
				Until: day.AddDate(0, e.SuspendMonths, 0).Format(time.DateOnly), Trigger: e.UID})
		}
	}
	return out
}

// StandingOn is the standing of a staff member with entries on day (a
// YYYY-MM-DD): terminated from a termination's date on (the bar's end is
// when re-registration becomes possible, not a return to active),
// suspended within a suspension, active otherwise; YearPoints are the
// confirmed points of day's calendar year up to day.
func StandingOn(staff string, entries []PointsEntry, day string) Standing {
	s := Standing{Staff: staff, On: day, Status: vocab.StaffActive, Sanctions: Sanctions(entries)}
	for _, e := range entries {
		if e.Status == vocab.PointsConfirmed && e.Kind == vocab.PointsScored &&
			len(e.EventDate) >= 4 && len(day) >= 4 && e.EventDate[:4] == day[:4] && e.EventDate <= day {
			s.YearPoints += e.Points
		}
	}
	for i := range s.Sanctions {
		x := &s.Sanctions[i]
		switch {
		case x.Status == vocab.StaffTerminated && x.From <= day:
			s.Status, s.Current = vocab.StaffTerminated, x
		case x.Status == vocab.StaffSuspended && x.From <= day && day < x.Until && s.Status != vocab.StaffTerminated:
			s.Status, s.Current = vocab.StaffSuspended, x
		}
	}
	return s
}

// StaffFile is a staff member's lifetime file (一人一档): every entry
// under the code, from every institution and region, with the standing on
// a date.
type StaffFile struct {
	Standing
	Entries []PointsEntry `json:"entries"`
	// Years are the confirmed points of each calendar year with any.
	Years map[string]int `json:"years"`
}

// File returns the lifetime file of staff code with its standing on day
// (YYYY-MM-DD).
func (w *Workspace) File(ctx context.Context, code, day string) (StaffFile, error) {
	if err := checkDate(day, true); err != nil {
		return StaffFile{}, invalid("date: %v", err)
	}
	es, err := queryEntries(ctx, w.db, `WHERE staff=? ORDER BY event_date, uid`, code)
	if err != nil {
		return StaffFile{}, fmt.Errorf("workspace: read the staff file: %w", err)
	}
	f := StaffFile{Standing: StandingOn(code, es, day), Entries: es, Years: map[string]int{}}
	for _, e := range es {
		if e.Status == vocab.PointsConfirmed && e.Kind == vocab.PointsScored && len(e.EventDate) >= 4 {
			f.Years[e.EventDate[:4]] += e.Points
		}
	}
	return f, nil
}

// StaffStanding returns one staff member's standing on day (YYYY-MM-DD):
// the query the live check calls for a claim's doctors.
func (w *Workspace) StaffStanding(ctx context.Context, code, day string) (Standing, error) {
	f, err := w.File(ctx, code, day)
	if err != nil {
		return Standing{}, err
	}
	return f.Standing, nil
}

// StaffRegister is the standing on one day of every staff member the
// ledger holds who is not active. It is immutable and safe for concurrent
// use; it satisfies algorithms/check.StaffStatus.
type StaffRegister struct {
	day      string
	inactive map[string]Standing
}

// Register reads every confirmed scored entry and returns the staff
// members suspended or terminated on day (YYYY-MM-DD), for the live check
// of claims (rebuild it when the ledger or the day changes).
func (w *Workspace) Register(ctx context.Context, day string) (*StaffRegister, error) {
	if err := checkDate(day, true); err != nil {
		return nil, invalid("date: %v", err)
	}
	es, err := queryEntries(ctx, w.db, `WHERE status=? AND kind=? AND points>0 ORDER BY staff, event_date, uid`,
		vocab.PointsConfirmed, vocab.PointsScored)
	if err != nil {
		return nil, fmt.Errorf("workspace: read the ledger: %w", err)
	}
	r := &StaffRegister{day: day, inactive: map[string]Standing{}}
	for i := 0; i < len(es); {
		j := i
		for j < len(es) && es[j].Staff == es[i].Staff {
			j++
		}
		if s := StandingOn(es[i].Staff, es[i:j], day); s.Status != vocab.StaffActive {
			r.inactive[es[i].Staff] = s
		}
		i = j
	}
	return r, nil
}

// Day is the date the register holds standings for.
func (r *StaffRegister) Day() string { return r.day }

// Standing returns the standing of staff code on the register's day.
func (r *StaffRegister) Standing(code string) Standing {
	if s, ok := r.inactive[code]; ok {
		return s
	}
	return Standing{Staff: code, On: r.day, Status: vocab.StaffActive, Sanctions: []Sanction{}}
}

// StaffStatus reports whether staff code is suspended or terminated on
// the register's day, and which (algorithms/check.StaffStatus).
func (r *StaffRegister) StaffStatus(code string) (bool, string) {
	s, ok := r.inactive[code]
	if !ok {
		return false, vocab.StaffActive
	}
	return true, s.Status
}

// Inactive returns the number of staff members suspended or terminated on
// the register's day.
func (r *StaffRegister) Inactive() int { return len(r.inactive) }

// EntryFilter selects ledger entries for Entries.
type EntryFilter struct {
	Case   string // "" for any
	Staff  string // "" for any
	Status string // "" for any
}

// Entries returns the ledger entries that pass f, by event date and uid.
func (w *Workspace) Entries(ctx context.Context, f EntryFilter) ([]PointsEntry, error) {
	es, err := queryEntries(ctx, w.db, `WHERE (?1='' OR clue_id=?1) AND (?2='' OR staff=?2) AND (?3='' OR status=?3) ORDER BY event_date, uid`,
		f.Case, f.Staff, f.Status)
	if err != nil {
		return nil, fmt.Errorf("workspace: read the ledger: %w", err)
	}
	return es, nil
}

// Entry returns one ledger entry.
func (w *Workspace) Entry(ctx context.Context, uid string) (PointsEntry, error) {
	e, err := getEntry(ctx, w.db, uid)
	if err != nil {
		return e, fmt.Errorf("workspace: %w", err)
	}
	return e, nil
}
