// Package vocab is the one vocabulary of the codes RingLens writes in its
// outputs (rings.json, entities.csv, report.html, the API and the stream):
// every code with its Chinese and English label and a one-line description
// in both languages, so that a code reads the same everywhere. Each code
// string is declared here once: graph/findings (Kind*, Typ*),
// algorithms/rings (Role*) and the generator's truth (fixtures) refer to
// these constants. The web page labels codes from here (GET /api/v1/vocab),
// the report (viz/report) through Label and Plural, and score reasons travel
// as their code and parameters (graph/findings.Reason), rendered by Render.
//
// The vocabulary is divided into categories (Kinds, Classes, Typologies,
// Roles, Facts, EvidenceKinds, RuleStages, Results, Reasons, Signals,
// Progress, Notices, CaseStates, TransferTargets); a code is unique within its category, and the same code may
// stand in two categories (pharmacy is a member kind and an institution
// class).
//
// # Templates
//
// Entries of Reasons, Signals, Progress and Notices are templates over named parameters,
// listed in Entry.Params: "{name}" stands for the parameter's value as it is,
// "{name|category}" for the label of that value in that category, in the
// template's own language (a role code in a Chinese sentence reads as its
// Chinese role label). There is no escape: "{" always opens a placeholder.
// The English template of a score reason writes exactly the sentence
// entities.csv has always held: algorithms/rings gives a reason's
// parameters formatted as that sentence shows them, and entities.csv writes
// Render(code, params, "en").
//
// A progress stage with a parameter is sent by the server as its code, a
// space and the value ("load read mdtrt.csv" is StageLoadRead with file
// mdtrt.csv).
//
// # Adding a code
//
//  1. Add its constant beside the others of its category below (the value is
//     what the outputs write; never change it once written, since stored
//     rings.json files and investigators' notes use it).
//  2. Add its Entry to the category's table in entries.go, where the order is
//     the order of display: Zh and En labels (the Chinese one the term of
//     docs/typologies.md where it has one), DescZh and DescEn (one line
//     each), PluralZh and PluralEn for a kind, Params for a template.
//  3. Run `go test ./graph/vocab` (labels, descriptions, duplicate codes,
//     placeholders against Params) and `go test ./viz/server -run Vocab`
//     (every stage, typology, role, fact and reason a detection on the Huli
//     fixture emits is in the vocabulary).
//  4. docs/openapi.yaml needs no change unless a category is added (its
//     enum lists the categories). The page reads the new code from
//     GET /api/v1/vocab by itself.
//
// A new category is a Category constant, its table in entries.go, its place
// in the order of categories (entries.go) and the enum in docs/openapi.yaml.
package vocab

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"iter"
	"regexp"
	"strings"
)

// Languages of labels and templates; any other language reads Chinese.
const (
	LangZh = "zh"
	LangEn = "en"
)

// Category is a set of codes of one kind.
type Category string

// Categories of the vocabulary.
const (
	Kinds         Category = "kind"          // member kinds of rings.json and entities.csv
	Classes       Category = "class"         // institution classes (graph.InstitutionClass)
	Typologies    Category = "typology"      // ring typologies (docs/typologies.md)
	Roles         Category = "role"          // roles of ring members (detection and the generator's truth)
	Facts         Category = "fact"          // graph facts and candidate sources (Evidence.Rule of kind graph)
	EvidenceKinds Category = "evidence_kind" // Evidence.Kind
	RuleStages    Category = "rule_stage"    // when a rule applies (rules.Stage)
	Results       Category = "result"        // strength of a rule's finding (rules.ResultType)
	Reasons       Category = "reason"        // entity score reasons (templates)
	Progress      Category = "progress"      // progress stages of the server (templates)
)

// Member kinds.
const (
	KindPatient  = "patient"
	KindDoctor   = "doctor"
	KindClinic   = "clinic" // any designated medical institution
	KindPharmacy = "pharmacy"
)

// Institution classes.
const (
	ClassClinic   = "clinic"
	ClassHospital = "hospital"
	ClassStation  = "station"
	ClassPharmacy = "pharmacy"
)

// Typologies.
const (
	TypFabricatedOutpatient = "fabricated_outpatient"
	TypLockstepSwiping      = "lockstep_swiping"
	TypFakeHospitalisation  = "fake_hospitalisation"
	TypCardCollection       = "card_collection"
	TypDrugReselling        = "drug_reselling"
	TypPharmacyCashout      = "pharmacy_cashout"
	TypBorrowedQualif       = "borrowed_qualification"
	TypSplitHospitalisation = "split_hospitalisation"
	TypUnclassified         = "unclassified"
)

// Roles that detection assigns (algorithms/rings).
const (
	RoleOrganisingClinic   = "organising_clinic"
	RoleOrganisingHospital = "organising_hospital"
	RoleOrganisedDoctor    = "organised_doctor"
	RoleRecruitedPatient   = "recruited_patient"
	RoleCardStation        = "card_holding_station"
	RoleCardLender         = "card_lender"
	RoleFillingPharmacy    = "filling_pharmacy"
	RoleResellingPharmacy  = "reselling_pharmacy"
	RoleOrganiser          = "organiser"
	RoleRecruitedRetiree   = "recruited_retiree"
	RoleCashoutPharmacy    = "cashout_pharmacy"
	RolePharmacist         = "pharmacist"
	RoleCustomer           = "customer"
	RoleBorrowedDoctor     = "borrowed_doctor"
	RoleBorrowingClinic    = "borrowing_clinic"
	RoleSplittingHospital  = "splitting_hospital"
	RoleSplittingDoctor    = "splitting_doctor"
	RoleSplitPatient       = "split_patient"
	RoleRegisteredDoctor   = "registered_doctor"
	RoleMember             = "member"
)

// Roles that only the generator's truth (fixtures, truth.json) writes:
// finer roles of planted rings, and the members of hard negatives.
const (
	RoleTout              = "tout"
	RoleRecruiter         = "recruiter"
	RoleFirstBuyer        = "first_buyer"
	RoleEmployee          = "employee"
	RoleCardLenderStudent = "card_lender_student"
	RoleRelativeCard      = "relative_card"
	RoleInstitution       = "institution"
	RoleDoctor            = "doctor"
	RolePharmacy          = "pharmacy"
	RolePlaceholder       = "placeholder"
	RoleChronicPatient    = "chronic_patient"
	RoleFamilyMember      = "family_member"
	RoleCarer             = "carer"
	RoleRelative          = "relative"
)

// Graph facts and candidate sources (algorithms/rings/sources.go).
const (
	FactRelationExcess     = "G-RELATION-EXCESS"
	FactReturnedBoxes      = "G-RETURNED-BOXES"
	FactResell             = "G-RESELL"
	FactItemConcentration  = "G-ITEM-CONCENTRATION"
	FactItemOveruse        = "G-ITEM-OVERUSE"
	FactOnset              = "G-ONSET"
	FactOffset             = "G-OFFSET"
	FactRegistrations      = "G-DOCTOR-REGISTRATIONS"
	FactAdmitCohort        = "G-ADMIT-COHORT"
	FactLockstep           = "G-LOCKSTEP"
	FactCohorts            = "G-COHORTS"
	FactSlots              = "G-CROWDED-SLOTS"
	FactSplitConcentration = "G-SPLIT-CONCENTRATION"
	FactRoundCustomers     = "G-ROUND-CUSTOMERS"
	FactWard               = "G-WARD"
	FactRegulars           = "G-REGULARS"
	FactSites              = "G-SITES"
	FactAdmitSurge         = "G-ADMIT-SURGE"
	FactEpisodes           = "G-EPISODES"
	FactMerged             = "G-MERGED"
	FactSameOperation      = "G-SAME-OPERATION"
	FactTrimmed            = "G-TRIMMED"
	FactOffWindow          = "G-OFF-WINDOW"
	FactNewRows            = "G-NEW-ROWS"
)

// Evidence kinds.
const (
	EvidenceRule  = "rule"
	EvidenceGraph = "graph"
)

// Rule stages (algorithms/rules.Stage).
const (
	RuleStageBefore = "before"
	RuleStageDuring = "during"
	RuleStageAfter  = "after"
)

// Result types (algorithms/rules.ResultType).
const (
	ResultDefinite    = "definite"
	ResultSuspicious  = "suspicious"
	ResultDataQuality = "data-quality"
)

// Entity score reasons (algorithms/rings/entities.go).
const (
	ReasonRingMember          = "ring_member"
	ReasonPeerFund            = "peer_fund"
	ReasonRuleHits            = "rule_hits"
	ReasonUnreportedCandidate = "unreported_candidate"
	ReasonRingSites           = "ring_sites"
	ReasonRingRegistered      = "ring_registered"
	ReasonRegisteredSite      = "registered_site"
	ReasonFlaggedRelations    = "flagged_relations"
	ReasonMultiSite           = "multi_site"
	ReasonPlaceholderDoctor   = "placeholder_doctor"
)

// Progress stages of the server (viz/server: "starting", "load " + the
// loader's stage, "build " + graph.Build's, "detect " + rings.Detect's, and
// "incremental").
const (
	StageStarting                = "starting"
	StageLoadRead                = "load read" // + " " + file name
	StageBuild                   = "build"
	StageBuildNodes              = "build nodes"
	StageBuildFees               = "build fees"
	StageBuildVisitDoctors       = "build visit-doctors"
	StageBuildTimeOrder          = "build time-order"
	StageBuildSort               = "build sort"
	StageBuildEdges              = "build edges"
	StageBuildAdjacency          = "build adjacency"
	StageDetectRules             = "detect rules"
	StageDetectPeers             = "detect peers"
	StageDetectRelationExcess    = "detect candidates: relation excess"
	StageDetectItemConcentration = "detect candidates: item concentration"
	StageDetectItemOveruse       = "detect candidates: item overuse"
	StageDetectOnsetCohorts      = "detect candidates: onset cohorts"
	StageDetectReturnedBoxes     = "detect candidates: returned boxes"
	StageDetectAdmissionCohorts  = "detect candidates: admission cohorts"
	StageDetectLockstepBlocks    = "detect candidates: lockstep blocks"
	StageDetectCovisitCohorts    = "detect candidates: co-visit cohorts"
	StageDetectCrowdedSlots      = "detect candidates: crowded slots"
	StageDetectSplitAdmissions   = "detect candidates: split admissions"
	StageDetectRoundQuantities   = "detect candidates: round quantities"
	StageDetectTraceCodes        = "detect candidates: trace codes"
	StageDetectDistantDoctors    = "detect candidates: distant doctors"
	StageDetectCommunities       = "detect communities"
	StageDetectScoring           = "detect scoring"
	StageDetectFindings          = "detect findings"
	StageIncremental             = "incremental"
)

// Entry is one code of a category.
type Entry struct {
	Code     string   `json:"code"`
	Zh       string   `json:"zh"`                  // Chinese label, or template
	En       string   `json:"en"`                  // English label, or template
	DescZh   string   `json:"desc_zh"`             // one line: what the code means
	DescEn   string   `json:"desc_en"`             //
	PluralZh string   `json:"plural_zh,omitempty"` // kinds only: label of several
	PluralEn string   `json:"plural_en,omitempty"` //
	Params   []string `json:"params,omitempty"`    // templates only: parameter names, in order of the English sentence
}

// Group is the entries of one category, in order of display.
type Group struct {
	Category Category `json:"category"`
	Entries  []Entry  `json:"entries"`
}

// index finds an entry by category and code.
var index = func() map[Category]map[string]*Entry {
	m := make(map[Category]map[string]*Entry, len(groups))
	for gi := range groups {
		g := &groups[gi]
		byCode := make(map[string]*Entry, len(g.Entries))
		for i := range g.Entries {
			byCode[g.Entries[i].Code] = &g.Entries[i]
		}
		m[g.Category] = byCode
	}
	return m
}()

// Lookup returns the entry of code in category c.
func Lookup(c Category, code string) (Entry, bool) {
	if e, ok := index[c][code]; ok {
		return *e, true
	}
	return Entry{}, false
}

// pick returns zh or en by lang.
func pick(lang, zh, en string) string {
	if lang == LangEn {
		return en
	}
	return zh
}

// Label returns the label of code in category c in lang (zh or en), or
// code itself when the vocabulary does not have it. For templates it is
// the template.
func Label(c Category, code, lang string) string {
	if e, ok := index[c][code]; ok {
		return pick(lang, e.Zh, e.En)
	}
	return code
}

// Plural returns the label of several members of kind code in lang, or
// code itself when the kind is unknown.
func Plural(code, lang string) string {
	if e, ok := index[Kinds][code]; ok {
		return pick(lang, e.PluralZh, e.PluralEn)
	}
	return code
}

// Render writes the score reason code in lang with the parameter values
// params (by name): RenderIn(Reasons, ...).
func Render(code string, params map[string]string, lang string) string {
	return RenderIn(Reasons, code, params, lang)
}

// RenderIn writes the template code of category c (Reasons, Signals or
// Progress) in lang with the parameter values params (by name). A
// placeholder without a value is left as it is; an unknown code renders as
// the code.
func RenderIn(c Category, code string, params map[string]string, lang string) string {
	e, ok := index[c][code]
	if !ok {
		return code
	}
	return fill(pick(lang, e.Zh, e.En), len(params), func(name string) (string, bool) {
		v, ok := params[name]
		return v, ok
	}, lang)
}

// RenderParams is RenderIn with the parameter values as Params (the score
// reasons of findings).
func RenderParams(c Category, code string, params Params, lang string) string {
	e, ok := index[c][code]
	if !ok {
		return code
	}
	return fill(pick(lang, e.Zh, e.En), len(params), params.Get, lang)
}

// placeholder is one "{name}" or "{name|category}" of a template, at
// tmpl[start:end].
type placeholder struct {
	name     string
	category Category // "" for the value as it is
	start    int
	end      int
}

// placeholders yields the placeholders of tmpl in order; an unclosed "{"
// is text. It allocates nothing: sentences are rendered for every answer
// of the check API.
func placeholders(tmpl string) iter.Seq[placeholder] {
	return func(yield func(placeholder) bool) {
		for i := 0; i < len(tmpl); {
			open := strings.IndexByte(tmpl[i:], '{')
			if open < 0 {
				return
			}
			open += i
			end := strings.IndexByte(tmpl[open:], '}')
			if end < 0 {
				return
			}
			end += open + 1
			name, cat, _ := strings.Cut(tmpl[open+1:end-1], "|")
			if !yield(placeholder{name: name, category: Category(cat), start: open, end: end}) {
				return
			}
			i = end
		}
	}
}

// fill replaces the placeholders of tmpl by their values (get, of n
// parameters), labelled in lang where the placeholder names a category.
func fill(tmpl string, n int, get func(name string) (string, bool), lang string) string {
	var b strings.Builder
	b.Grow(len(tmpl) + 16*n)
	last := 0
	for p := range placeholders(tmpl) {
		b.WriteString(tmpl[last:p.start])
		last = p.end
		v, ok := get(p.name)
		switch {
		case !ok:
			b.WriteString(tmpl[p.start:p.end])
		case p.category != "":
			b.WriteString(Label(p.category, v, lang))
		default:
			b.WriteString(v)
		}
	}
	b.WriteString(tmpl[last:])
	return b.String()
}

// reasonPattern is the English template of a reason as a regular
// expression, with the parameter name of each group.
type reasonPattern struct {
	code  string
	re    *regexp.Regexp
	names []string
}

// reasonPatterns are the English reason templates, in table order.
var reasonPatterns = func() []reasonPattern {
	var out []reasonPattern
	for _, e := range groups[groupIndex(Reasons)].Entries {
		var expr strings.Builder
		var names []string
		expr.WriteString("^")
		last := 0
		for p := range placeholders(e.En) {
			expr.WriteString(regexp.QuoteMeta(e.En[last:p.start]))
			expr.WriteString("(.+?)")
			names = append(names, p.name)
			last = p.end
		}
		expr.WriteString(regexp.QuoteMeta(e.En[last:]) + "$")
		out = append(out, reasonPattern{code: e.Code, re: regexp.MustCompile(expr.String()), names: names})
	}
	return out
}()

// MatchReason reads an English score reason as entities.csv writes it (a
// sentence, Render in English) back into its code and parameters; ok is
// false for a sentence of no known shape. It serves the one reader of
// entities.csv (viz/report.ReadFindings): everything else receives reasons
// as codes and parameters.
func MatchReason(text string) (code string, params map[string]string, ok bool) {
	for _, p := range reasonPatterns {
		m := p.re.FindStringSubmatch(text)
		if m == nil {
			continue
		}
		params = make(map[string]string, len(p.names))
		for i, name := range p.names {
			params[name] = m[i+1]
		}
		return p.code, params, true
	}
	return "", nil, false
}

// groupIndex returns the position of category c in groups, or -1.
func groupIndex(c Category) int {
	for i := range groups {
		if groups[i].Category == c {
			return i
		}
	}
	return -1
}

// All returns the whole vocabulary: the categories in a fixed order, each
// with its entries in order of display. The result is a copy.
func All() []Group {
	out := make([]Group, len(groups))
	for i, g := range groups {
		entries := make([]Entry, len(g.Entries))
		for j, e := range g.Entries {
			e.Params = append([]string(nil), e.Params...)
			entries[j] = e
		}
		out[i] = Group{Category: g.Category, Entries: entries}
	}
	return out
}

// Document is the vocabulary as GET /api/v1/vocab serves it.
type Document struct {
	Version    string  `json:"version"` // changes whenever any entry does
	Categories []Group `json:"categories"`
}

// encoded is the JSON document and its version, computed once.
var encoded, version = func() ([]byte, string) {
	cats, err := json.Marshal(groups)
	if err != nil {
		panic("vocab: " + err.Error()) // only strings: cannot happen
	}
	sum := sha256.Sum256(cats)
	v := hex.EncodeToString(sum[:8])
	doc, err := json.Marshal(Document{Version: v, Categories: groups})
	if err != nil {
		panic("vocab: " + err.Error())
	}
	return doc, v
}()

// JSON returns the vocabulary as GET /api/v1/vocab serves it: a Document,
// encoded (the same bytes on every call; the caller must not change them).
func JSON() []byte { return encoded }

// Version returns the version of the vocabulary: the first 16 hex digits
// of the SHA-256 of its categories in JSON.
func Version() string { return version }
