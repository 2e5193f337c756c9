package rules

import (
	"fmt"

	"github.com/ringlens/ringlens/graph"
	"github.com/ringlens/ringlens/graph/claims"
)

// CodeRange is an inclusive range of ICD-10 codes compared on their leading
// characters: a code matches when its first len(From) characters, after
// normalisation (upper case, letters and digits only, so "O80.x00" reads
// "O80X00"), sort between From and To. From and To have the same length;
// "O00"–"O9A" covers chapter XV, "D074"–"D076" covers D07.4 to D07.6.
type CodeRange struct {
	From string `json:"from"`
	To   string `json:"to"`
}

// Match reports whether the normalised code falls in r.
func (r CodeRange) Match(code string) bool {
	n := len(r.From)
	if n == 0 || len(code) < n {
		return false
	}
	p := code[:n]
	return p >= r.From && p <= r.To
}

// validate checks r's shape.
func (r CodeRange) validate() error {
	if r.From == "" || len(r.From) != len(r.To) {
		return fmt.Errorf("code range %q–%q: from and to must be non-empty and of equal length", r.From, r.To)
	}
	if normalizeCode(r.From) != r.From || normalizeCode(r.To) != r.To {
		return fmt.Errorf("code range %q–%q: codes must be upper-case letters and digits only", r.From, r.To)
	}
	if r.From > r.To {
		return fmt.Errorf("code range %q–%q: from sorts after to", r.From, r.To)
	}
	return nil
}

// DiagnosisLimit restricts a range of diagnosis codes to one sex and/or an
// age range (in whole years at the visit). A limit of -1 means none.
type DiagnosisLimit struct {
	CodeRange
	Sex    claims.Sex // SexUnknown: no restriction
	AgeMin int        // -1: no lower limit
	AgeMax int        // -1: no upper limit
	Note   string     // what the range is, in English
}

// normalizeCode upper-cases code and keeps its ASCII letters and digits.
func normalizeCode(code string) string {
	clean := true
	for i := 0; i < len(code); i++ {
		c := code[i]
		if !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			clean = false
			break
		}
	}
	if clean {
		return code
	}
	b := make([]byte, 0, len(code))
	for i := 0; i < len(code); i++ {
		c := code[i]
		switch {
		case c >= 'a' && c <= 'z':
			b = append(b, c-'a'+'A')
		case c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
			b = append(b, c)
		}
	}
	return string(b)
}

// female and male abbreviate the built-in table.
const (
	female = claims.Female
	male   = claims.Male
)

// builtinDiagnosisLimits is the built-in diagnosis knowledge table (read
// only; Defaults clones it). The contract carries no diagnosis knowledge
// base, so this short table lists ICD-10 ranges whose sex or age is
// unambiguous; a rules file may replace it ("diagnosis_limits").
var builtinDiagnosisLimits = []DiagnosisLimit{
	{CodeRange{"O00", "O9A"}, female, 10, 60, "pregnancy, childbirth and the puerperium"},
	{CodeRange{"Z32", "Z37"}, female, 10, 60, "pregnancy test, supervision, delivery outcome"},
	{CodeRange{"Z39", "Z39"}, female, 10, 60, "postpartum care"},
	{CodeRange{"N70", "N98"}, female, -1, -1, "diseases of the female pelvic and genital organs"},
	{CodeRange{"C51", "C58"}, female, -1, -1, "malignant neoplasms of female genital organs"},
	{CodeRange{"D06", "D06"}, female, -1, -1, "carcinoma in situ of the cervix uteri"},
	{CodeRange{"D070", "D073"}, female, -1, -1, "carcinoma in situ of female genital organs"},
	{CodeRange{"D25", "D28"}, female, -1, -1, "benign neoplasms of female genital organs"},
	{CodeRange{"D39", "D39"}, female, -1, -1, "neoplasms of uncertain behaviour of female genital organs"},
	{CodeRange{"E28", "E28"}, female, -1, -1, "ovarian dysfunction"},
	{CodeRange{"Q50", "Q52"}, female, -1, -1, "congenital malformations of female genital organs"},
	{CodeRange{"R87", "R87"}, female, -1, -1, "abnormal findings in specimens from female genital organs"},
	{CodeRange{"N40", "N53"}, male, -1, -1, "diseases of male genital organs, male sexual dysfunction"},
	{CodeRange{"C60", "C63"}, male, -1, -1, "malignant neoplasms of male genital organs"},
	{CodeRange{"D074", "D076"}, male, -1, -1, "carcinoma in situ of male genital organs"},
	{CodeRange{"D29", "D29"}, male, -1, -1, "benign neoplasms of male genital organs"},
	{CodeRange{"D40", "D40"}, male, -1, -1, "neoplasms of uncertain behaviour of male genital organs"},
	{CodeRange{"E29", "E29"}, male, -1, -1, "testicular dysfunction"},
	{CodeRange{"Q53", "Q55"}, male, -1, -1, "congenital malformations of male genital organs"},
	{CodeRange{"R86", "R86"}, male, -1, -1, "abnormal findings in specimens from male genital organs"},
	{CodeRange{"P00", "P96"}, claims.SexUnknown, -1, 1, "conditions originating in the perinatal period (coded for infants)"},
	{CodeRange{"Z38", "Z38"}, claims.SexUnknown, -1, 1, "liveborn infants by place of birth"},
	{CodeRange{"R54", "R54"}, claims.SexUnknown, 50, -1, "senility"},
}

// builtinChronic lists ICD-10 ranges of chronic and special diseases
// (慢特病) whose stable patients may get long prescriptions of up to 12
// weeks (read only; Defaults clones it; "chronic_diagnoses" in a rules file
// replaces it).
var builtinChronic = []CodeRange{
	{"B18", "B18"}, // chronic viral hepatitis
	{"B20", "B24"}, // HIV disease
	{"C00", "C97"}, // malignant neoplasms
	{"D61", "D61"}, // aplastic anaemia
	{"D66", "D68"}, // haemophilia and coagulation defects
	{"E03", "E03"}, // hypothyroidism
	{"E05", "E05"}, // hyperthyroidism
	{"E10", "E14"}, // diabetes mellitus
	{"E78", "E78"}, // disorders of lipoprotein metabolism
	{"F20", "F29"}, // schizophrenia and related disorders
	{"F31", "F33"}, // bipolar and depressive disorders
	{"G20", "G20"}, // Parkinson's disease
	{"G35", "G35"}, // multiple sclerosis
	{"G40", "G40"}, // epilepsy
	{"I10", "I15"}, // hypertensive diseases
	{"I20", "I25"}, // ischaemic heart diseases
	{"I48", "I48"}, // atrial fibrillation
	{"I50", "I50"}, // heart failure
	{"I69", "I69"}, // sequelae of cerebrovascular disease
	{"J44", "J45"}, // COPD, asthma
	{"K74", "K74"}, // fibrosis and cirrhosis of liver
	{"M05", "M06"}, // rheumatoid arthritis
	{"M32", "M32"}, // systemic lupus erythematosus
	{"M81", "M81"}, // osteoporosis
	{"N18", "N18"}, // chronic kidney disease
	{"Z94", "Z94"}, // transplanted organ status
}

// diseIndex holds, for every Strings id used as a visit diagnosis, its
// normalised code, the diagnosis limits it falls under, whether it is a
// chronic disease and its 3-character category.
type diseIndex struct {
	norm    []string // normalised code; "" for ids not used as diagnoses
	sexLim  []int16  // index in Set.DiagnosisLimits of the first sex limit, or -1
	ageLim  []int16  // likewise for the first age limit
	chronic []bool
	cat     []uint32 // category id (dense over the categories seen), or noCat
	nCat    int
}

// noCat marks a diagnosis without a category.
const noCat = ^uint32(0)

// buildDiseIndex indexes the diagnosis codes used by visits.
func buildDiseIndex(t *graph.Tables, s *Set) diseIndex {
	n := t.Strings.Len()
	d := diseIndex{
		norm: make([]string, n), sexLim: make([]int16, n), ageLim: make([]int16, n),
		chronic: make([]bool, n), cat: make([]uint32, n),
	}
	used := make([]bool, n)
	for v := range uint32(t.Visits.Dise.Len()) {
		if id := t.Visits.Dise.At(v); id != graph.None && int(id) < n {
			used[id] = true
		}
	}
	cats := make(map[string]uint32)
	for id := 0; id < n; id++ {
		d.sexLim[id], d.ageLim[id], d.cat[id] = -1, -1, noCat
		if !used[id] {
			continue
		}
		code := normalizeCode(t.Strings.String(uint32(id)))
		d.norm[id] = code
		if code == "" {
			continue
		}
		for i, l := range s.DiagnosisLimits {
			if i > 32767 || !l.Match(code) {
				continue
			}
			if l.Sex != claims.SexUnknown && d.sexLim[id] < 0 {
				d.sexLim[id] = int16(i)
			}
			if (l.AgeMin >= 0 || l.AgeMax >= 0) && d.ageLim[id] < 0 {
				d.ageLim[id] = int16(i)
			}
		}
		for _, r := range s.ChronicDiagnoses {
			if r.Match(code) {
				d.chronic[id] = true
				break
			}
		}
		c := code[:min(3, len(code))]
		ci, ok := cats[c]
		if !ok {
			ci = uint32(len(cats))
			cats[c] = ci
		}
		d.cat[id] = ci
	}
	d.nCat = len(cats)
	return d
}

// of reports whether Strings id is an indexed diagnosis code.
func (d *diseIndex) of(id uint32) bool {
	return id != graph.None && int(id) < len(d.norm) && d.norm[id] != ""
}

// isChronic reports whether diagnosis id is a chronic disease.
func (d *diseIndex) isChronic(id uint32) bool { return d.of(id) && d.chronic[id] }

// category returns the category id of diagnosis id, or noCat.
func (d *diseIndex) category(id uint32) uint32 {
	if !d.of(id) {
		return noCat
	}
	return d.cat[id]
}

// samePrefix reports whether diagnoses a and b share their first n
// normalised characters (the whole code when n is 0).
func (d *diseIndex) samePrefix(a, b uint32, n int) bool {
	if !d.of(a) || !d.of(b) {
		return false
	}
	x, y := d.norm[a], d.norm[b]
	if n > 0 {
		x, y = x[:min(n, len(x))], y[:min(n, len(y))]
	}
	return x == y
}
