package rules

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strings"

	"github.com/ringlens/ringlens/graph/claims"
)

// maxRulesFile bounds the size of a rules file.
const maxRulesFile = 8 << 20

// fileSet is the JSON shape of a rules file. Every key is optional; unknown
// keys are errors.
type fileSet struct {
	MaxRowsPerHit    *int            `json:"max_rows_per_hit"`
	MaxHitsPerRule   *int            `json:"max_hits_per_rule"`
	Rules            []fileRule      `json:"rules"`
	DiagnosisLimits  *[]fileLimit    `json:"diagnosis_limits"`
	ChronicDiagnoses *[]fileCodeSpan `json:"chronic_diagnoses"`
}

type fileRule struct {
	ID      string                     `json:"id"`
	Version *string                    `json:"version"`
	Enabled *bool                      `json:"enabled"`
	Params  map[string]json.RawMessage `json:"params"`
}

type fileCodeSpan struct {
	From *string `json:"from"`
	To   *string `json:"to"`
}

type fileLimit struct {
	From   *string `json:"from"`
	To     *string `json:"to"`
	Sex    *string `json:"sex"`
	AgeMin *int    `json:"age_min"`
	AgeMax *int    `json:"age_max"`
	Note   string  `json:"note"`
}

// LoadFile reads a JSON rules file and applies it over Defaults. The file
// looks like
//
//	{
//	  "max_rows_per_hit": 50,
//	  "max_hits_per_rule": 50000,
//	  "rules": [
//	    {"id": "R-SPLIT-ADMIT", "version": "1.0", "enabled": true, "params": {"max_gap_days": 14}}
//	  ],
//	  "diagnosis_limits": [{"from": "O00", "to": "O9A", "sex": "female", "age_min": 10, "age_max": 60, "note": "pregnancy"}],
//	  "chronic_diagnoses": [{"from": "I10", "to": "I15"}]
//	}
//
// Every key is optional. A rule entry overrides only the parameters it
// names; "version", when given, must equal the rule's logic version (so that
// a file written for other logic is refused). "diagnosis_limits" and
// "chronic_diagnoses", when present, replace the built-in tables whole.
// Unknown keys, unknown rule ids, unknown parameters, values out of range,
// duplicate rule entries and trailing data are errors naming the file and
// the key.
func LoadFile(path string) (Set, error) {
	f, err := os.Open(path)
	if err != nil {
		return Set{}, fmt.Errorf("rules file: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxRulesFile+1))
	if err != nil {
		return Set{}, fmt.Errorf("rules file %s: %w", path, err)
	}
	if len(data) > maxRulesFile {
		return Set{}, fmt.Errorf("rules file %s: larger than %d bytes", path, maxRulesFile)
	}
	return Parse(data, path)
}

// Parse applies the rules file content data over Defaults; name is used in
// error messages. See LoadFile for the format.
func Parse(data []byte, name string) (Set, error) {
	fail := func(format string, args ...any) (Set, error) {
		return Set{}, fmt.Errorf("rules file %s: "+format, append([]any{name}, args...)...)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var fs fileSet
	if err := dec.Decode(&fs); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return fail("key %q: %s is not a valid %s", te.Field, te.Value, te.Type)
		}
		return fail("%w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return fail("unexpected data after the top-level object")
	}
	s := Defaults()
	s.Source = name
	if fs.MaxRowsPerHit != nil {
		if *fs.MaxRowsPerHit < 1 || *fs.MaxRowsPerHit > 1e6 {
			return fail("key \"max_rows_per_hit\": %d is outside [1, 1000000]", *fs.MaxRowsPerHit)
		}
		s.MaxRowsPerHit = *fs.MaxRowsPerHit
	}
	if fs.MaxHitsPerRule != nil {
		if *fs.MaxHitsPerRule < 1 || *fs.MaxHitsPerRule > 1e8 {
			return fail("key \"max_hits_per_rule\": %d is outside [1, 100000000]", *fs.MaxHitsPerRule)
		}
		s.MaxHitsPerRule = *fs.MaxHitsPerRule
	}
	seen := make(map[string]bool, len(fs.Rules))
	for i, fr := range fs.Rules {
		key := fmt.Sprintf("rules[%d]", i)
		if fr.ID == "" {
			return fail("key %q: missing \"id\"", key)
		}
		r, ok := s.Rule(fr.ID)
		if !ok {
			return fail("key %q: unknown rule id %q (known: %s)", key+".id", fr.ID, strings.Join(s.IDs(), ", "))
		}
		if seen[fr.ID] {
			return fail("key %q: rule %s listed twice", key, fr.ID)
		}
		seen[fr.ID] = true
		if fr.Version != nil && *fr.Version != r.Version {
			return fail("key %q: rule %s is version %s, the file asks for %q", key+".version", r.ID, r.Version, *fr.Version)
		}
		if fr.Enabled != nil {
			r.Enabled = *fr.Enabled
		}
		names := make([]string, 0, len(fr.Params))
		for k := range fr.Params {
			names = append(names, k)
		}
		slices.Sort(names)
		for _, k := range names {
			if err := setParam(r, k, fr.Params[k]); err != nil {
				return fail("key %q: %w", key+".params."+k, err)
			}
		}
	}
	if fs.DiagnosisLimits != nil {
		lims := make([]DiagnosisLimit, 0, len(*fs.DiagnosisLimits))
		for i, fl := range *fs.DiagnosisLimits {
			l, err := fl.limit()
			if err != nil {
				return fail("key %q: %w", fmt.Sprintf("diagnosis_limits[%d]", i), err)
			}
			lims = append(lims, l)
		}
		s.DiagnosisLimits = lims
	}
	if fs.ChronicDiagnoses != nil {
		spans := make([]CodeRange, 0, len(*fs.ChronicDiagnoses))
		for i, fc := range *fs.ChronicDiagnoses {
			r, err := codeRange(fc.From, fc.To)
			if err != nil {
				return fail("key %q: %w", fmt.Sprintf("chronic_diagnoses[%d]", i), err)
			}
			spans = append(spans, r)
		}
		s.ChronicDiagnoses = spans
	}
	return s, nil
}

// setParam validates and sets parameter k of r from its JSON value.
func setParam(r *Rule, k string, raw json.RawMessage) error {
	i := slices.IndexFunc(r.Specs, func(p Param) bool { return p.Name == k })
	if i < 0 {
		known := make([]string, len(r.Specs))
		for j, p := range r.Specs {
			known[j] = p.Name
		}
		return fmt.Errorf("rule %s has no parameter %q (known: %s)", r.ID, k, strings.Join(known, ", "))
	}
	p := r.Specs[i]
	if string(bytes.TrimSpace(raw)) == "null" {
		return errors.New("value is null")
	}
	var x float64
	if err := json.Unmarshal(raw, &x); err != nil {
		return fmt.Errorf("%s is not a number", bytes.TrimSpace(raw))
	}
	if math.IsNaN(x) || x < p.Min || x > p.Max {
		return fmt.Errorf("%v is outside [%v, %v]", x, p.Min, p.Max)
	}
	if p.Integer && x != math.Trunc(x) {
		return fmt.Errorf("%v is not a whole number", x)
	}
	r.Params[k] = x
	return nil
}

// codeRange builds a validated CodeRange from optional JSON strings.
func codeRange(from, to *string) (CodeRange, error) {
	if from == nil {
		return CodeRange{}, errors.New("missing \"from\"")
	}
	r := CodeRange{From: *from, To: *from}
	if to != nil {
		r.To = *to
	}
	return r, r.validate()
}

// limit converts a file entry to a validated DiagnosisLimit.
func (fl fileLimit) limit() (DiagnosisLimit, error) {
	r, err := codeRange(fl.From, fl.To)
	if err != nil {
		return DiagnosisLimit{}, err
	}
	l := DiagnosisLimit{CodeRange: r, AgeMin: -1, AgeMax: -1, Note: fl.Note}
	if fl.Sex != nil {
		switch strings.ToLower(*fl.Sex) {
		case "male", "1", "男":
			l.Sex = claims.Male
		case "female", "2", "女":
			l.Sex = claims.Female
		case "":
		default:
			return l, fmt.Errorf("\"sex\": %q is not male, female or empty", *fl.Sex)
		}
	}
	for _, a := range []struct {
		name string
		v    *int
		dst  *int
	}{{"age_min", fl.AgeMin, &l.AgeMin}, {"age_max", fl.AgeMax, &l.AgeMax}} {
		if a.v == nil {
			continue
		}
		if *a.v < -1 || *a.v > 150 {
			return l, fmt.Errorf("%q: %d is outside [-1, 150]", a.name, *a.v)
		}
		*a.dst = *a.v
	}
	if l.AgeMin >= 0 && l.AgeMax >= 0 && l.AgeMin > l.AgeMax {
		return l, fmt.Errorf("\"age_min\" %d is above \"age_max\" %d", l.AgeMin, l.AgeMax)
	}
	if l.Sex == claims.SexUnknown && l.AgeMin < 0 && l.AgeMax < 0 {
		return l, errors.New("the entry limits neither sex nor age")
	}
	return l, nil
}
