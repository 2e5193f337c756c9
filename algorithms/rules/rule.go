package rules

import (
	"maps"
	"slices"

	"github.com/ringlens/ringlens/graph"
)

// Stage is when a rule is applied in the settlement process.
type Stage string

// Stages of the national monitoring framework.
const (
	// Before settlement: a reminder to the doctor (事前提醒).
	Before Stage = "before"
	// During settlement: checked before the fund pays (事中审核).
	During Stage = "during"
	// After settlement: screening of settled data (事后监管).
	After Stage = "after"
)

// ResultType is the strength of a rule's finding.
type ResultType string

// Result types.
const (
	// Definite: a hit is a violation on its face (明确违规).
	Definite ResultType = "definite"
	// Suspicious: a hit is a lead that needs verification (可疑).
	Suspicious ResultType = "suspicious"
	// DataQualityResult marks the data-quality check, whose findings go to
	// Result.DataQuality rather than to the hits.
	DataQualityResult ResultType = "data-quality"
)

// Legal articles of the 医疗保障基金使用监督管理条例 (Regulation on the
// Supervision and Administration of the Use of Medical Security Funds).
const (
	Art38   = "《医疗保障基金使用监督管理条例》第三十八条"
	Art38En = "Regulation on the Supervision and Administration of the Use of Medical Security Funds, art. 38"
	Art40   = "《医疗保障基金使用监督管理条例》第四十条"
	Art40En = "Regulation on the Supervision and Administration of the Use of Medical Security Funds, art. 40"
	Art41   = "《医疗保障基金使用监督管理条例》第四十一条"
	Art41En = "Regulation on the Supervision and Administration of the Use of Medical Security Funds, art. 41"
)

// Param describes one tunable parameter of a rule: its default and the
// closed range a rules file may set it to.
type Param struct {
	Name     string
	Default  float64
	Min, Max float64
	Integer  bool   // the value must be a whole number
	Doc      string // short English description with its unit
}

// Rule is one rule of the library with the parameters in force.
type Rule struct {
	ID      string // stable id, e.g. "R-SEX-ITEM"
	Version string // version of the rule's logic (not of its parameters)
	Name    string // zh-CN name
	NameEn  string // English name
	Family  string // rule family of rules.md, e.g. "sex-restricted"
	Stage   Stage
	// AlsoAt lists the stages the rule serves besides Stage (stage.go):
	// a rule screening settled claims may also remind before settlement
	// or review during it.
	AlsoAt    Stages
	Result    ResultType
	Article   string // legal article, zh-CN
	ArticleEn string // legal article, English
	Scenario  string // inpatient, outpatient, pharmacy, all
	Window    string // time window the rule looks at, e.g. "visit", "stay", "30 days", "data period"
	// Params holds the value of every parameter in force, keyed by name.
	Params map[string]float64
	// Specs lists the parameters with their defaults and ranges, in a fixed
	// order; it is shared, read-only data.
	Specs   []Param
	Enabled bool
	// run is the rule's implementation, declared with its definition
	// (registry.go): a rule is declared in one place. The placeholder
	// rule (DQ-PLACEHOLDER-DOCTOR) runs apart, before the others.
	run ruleFunc
	// Context is what the rule needs beyond the new rows to judge rows
	// appended after a full run (context.go).
	Context Context
	// contextFees selects the fee lines needing PharmacyItem context.
	contextFees func(r *Rule, ft *graph.FeeTable) func(f uint32) bool
}

// P returns the value of parameter name in force (0 when unknown).
func (r *Rule) P(name string) float64 { return r.Params[name] }

// Set is the rule library in force: the rules with their parameters, the
// diagnosis knowledge tables and the output bounds. The zero Set has no
// rules; start from Defaults.
type Set struct {
	// Rules lists every rule of the library in canonical order, enabled or
	// not.
	Rules []Rule
	// DiagnosisLimits restricts ICD-10 code ranges by sex and age (used by
	// R-SEX-DISE and R-AGE-DISE).
	DiagnosisLimits []DiagnosisLimit
	// ChronicDiagnoses lists ICD-10 code ranges of chronic diseases whose
	// stable patients may receive long (up to 12-week) prescriptions.
	ChronicDiagnoses []CodeRange
	// MaxRowsPerHit caps the visit and fee rows listed in one hit (counts
	// and amounts stay complete).
	MaxRowsPerHit int
	// MaxHitsPerRule caps the hits one rule keeps (largest amounts first).
	MaxHitsPerRule int
	// Source names where the set came from: "defaults" or a file path.
	Source string
}

// Default output bounds.
const (
	DefaultMaxRowsPerHit  = 50
	DefaultMaxHitsPerRule = 50000
)

// Defaults returns the rule library with its default parameters and the
// built-in diagnosis tables. Every call returns fresh maps and slices.
func Defaults() Set {
	defs := definitions()
	s := Set{
		Rules:            make([]Rule, len(defs)),
		DiagnosisLimits:  slices.Clone(builtinDiagnosisLimits),
		ChronicDiagnoses: slices.Clone(builtinChronic),
		MaxRowsPerHit:    DefaultMaxRowsPerHit,
		MaxHitsPerRule:   DefaultMaxHitsPerRule,
		Source:           "defaults",
	}
	for i, d := range defs {
		d.Params = make(map[string]float64, len(d.Specs))
		for _, p := range d.Specs {
			d.Params[p.Name] = p.Default
		}
		d.Enabled = true
		s.Rules[i] = d
	}
	return s
}

// Rule returns the rule with id, or false.
func (s *Set) Rule(id string) (*Rule, bool) {
	for i := range s.Rules {
		if s.Rules[i].ID == id {
			return &s.Rules[i], true
		}
	}
	return nil, false
}

// Clone returns a deep copy of s, so that the copy's parameters can be
// changed without touching s.
func (s Set) Clone() Set {
	c := s
	c.Rules = slices.Clone(s.Rules)
	for i := range c.Rules {
		c.Rules[i].Params = maps.Clone(s.Rules[i].Params)
	}
	c.DiagnosisLimits = slices.Clone(s.DiagnosisLimits)
	c.ChronicDiagnoses = slices.Clone(s.ChronicDiagnoses)
	return c
}

// IDs returns the ids of all rules in canonical order.
func (s *Set) IDs() []string {
	ids := make([]string, len(s.Rules))
	for i := range s.Rules {
		ids[i] = s.Rules[i].ID
	}
	return ids
}
