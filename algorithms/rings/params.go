package rings

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"strings"
)

// Params are the thresholds of ring formation and scoring. Every number
// that decides whether a group becomes a candidate, how candidates are
// split, merged and scored, and which are reported is here, named and
// documented once (see Table); DefaultParams gives the values measured in
// docs/quality.md, and a JSON object of overrides (LoadParams, the CLI's
// --ring-params) changes any of them. RING_PARAMS.md is generated from
// Table.
type Params struct {
	// Ring size.
	MinRingPeople int
	// HalfSitePeople is the fewest flagged regulars for a site to be
	// half-seeded (pairHalfSeeds).
	HalfSitePeople int

	// Relation excess (the typology-independent generator).
	MinRelationVisits int
	MinRelationStays  int
	CostlyZ           float64
	SevereZ           float64
	RelationZ         float64
	CardShare         float64
	RhythmMin         float64
	RhythmStrict      float64
	HeavyRatio        float64
	HeavyQuantile     float64
	HeavyMinPeople    int
	RepeatAdmissions  int
	CoFlagMaxSites    int
	// GrowSiteShare is the share of a ring's people who go to a site
	// outside it for the site to be tested for joining it (growSites).
	GrowSiteShare       float64
	AdmitLiftHalf       float64
	FlaggedLift         float64
	MinSignificance     float64
	MinVoteRelations    int
	MinFlaggedRate      float64
	LinkPatientShare    float64
	LinkMinDoctors      int
	LinkDoctorShare     float64
	LinkMainDoctorShare float64
	WardDoctorShare     float64
	WardStays           int
	RegularExcessShare  float64
	RegularCoreShare    float64
	AdmitGrowShare      float64
	// Short stays in a ring's weeks (growEpisodes).
	EpisodeGrowShare     float64
	EpisodeMinVisits     int
	LinkVisitLift        float64
	MinDoctorVisits      int
	MemberDoctorShare    float64
	MemberDoctorVisits   int
	RegisteredMaxDoctors int
	RingDoctorLift       float64
	CoreShare            float64
	PharmacyRuleShare    float64
	ResidentShare        float64
	ClosedSiteShare      float64
	ClosedMinResidents   int

	// Item concentration (heavy fills of one item at one pharmacy).
	ItemLift      float64
	ItemBuyerLift float64

	// Item overuse (far more of one item than its other buyers take).
	OveruseMinBuyers int
	OveruseQuantile  float64
	OveruseRatio     float64
	OveruseLift      float64

	// Onset cohorts (people who began to come again and again together).
	OnsetMinVisits  int
	OnsetWindowDays int
	OnsetLift       float64
	OffsetLift      float64

	// Distant registrations (borrowed qualifications where visits name no
	// doctor).
	RegistrationStrength float64

	// Returned boxes (drug reselling from first buyers).
	MinReturnedBoxes int
	ReturnLift       float64

	// Lockstep blocks.
	MinBlockLift      float64
	MinBlockSynchrony float64
	BlockLeaderShare  float64
	BlockLiftHalf     float64

	// Co-visit cohorts.
	CohortMinPeople      int
	CohortWindowMinutes  int
	CohortMinCovisits    int
	CohortMaxGroup       int
	CohortPharmacyPeople int
	CohortLiftHalf       float64

	// Crowded slots.
	SlotMinPeople   int
	SlotMinVisits   int
	SlotPersonShare float64
	SlotChanceDays  int
	SlotReturnShare float64

	// Community split of multi-site candidates.
	MinSplitModularity float64
	SharedDoctorShare  float64
	SharedVisitShare   float64

	// Typology assignment.
	LockstepDensity float64
	LockstepLift    float64

	// Scoring and report.
	ReportScore            float64
	LockstepReportEvidence float64
	MaxRings               int
	SizeHalf               float64
	MoneyHalf              float64
	RoutineMonthlyShare    float64
	RoutineLocalShare      float64
	RoutineOnsetShare      float64
	PackageMinShare        float64
	OrganisedMinEvidence   float64

	// Member scores.
	MemberShareHalf float64
	TrimShare       float64
	TrimMaxShare    float64
	CoreGap         float64

	// Operation windows.
	WindowRateRatio float64
	WindowMaxShare  float64
	WindowMinDays   int
	WindowMaxCount  int

	// One operation seen at several sites (joinOperations).
	OperationDays      int
	OperationMaxShare  float64
	OperationSpanTrim  float64
	OperationPlanRatio float64
	SignatureShare     float64
	SignatureLift      float64
	SignatureOverlap   float64
	SyncDayPeople      int
	SyncMinDays        int

	// Explanation (a ring's why).
	WhyMinStrength float64
	WhyMax         int
}

// DefaultParams returns the default thresholds.
func DefaultParams() Params {
	return Params{
		MinRingPeople:          5,
		HalfSitePeople:         3,
		MinRelationVisits:      3,
		MinRelationStays:       2,
		CostlyZ:                3,
		SevereZ:                9,
		RelationZ:              2,
		CardShare:              0.8,
		RhythmMin:              0.6,
		RhythmStrict:           0.85,
		HeavyRatio:             3.5,
		HeavyQuantile:          0.75,
		HeavyMinPeople:         20,
		RepeatAdmissions:       3,
		CoFlagMaxSites:         12,
		GrowSiteShare:          0.5,
		AdmitLiftHalf:          1.5,
		FlaggedLift:            3,
		MinSignificance:        2,
		MinVoteRelations:       5,
		MinFlaggedRate:         0.01,
		LinkPatientShare:       0.2,
		LinkMinDoctors:         2,
		LinkDoctorShare:        0.3,
		LinkMainDoctorShare:    0.5,
		WardDoctorShare:        0.2,
		WardStays:              2,
		RegularExcessShare:     0.9,
		RegularCoreShare:       0.25,
		AdmitGrowShare:         0.75,
		EpisodeGrowShare:       0.75,
		EpisodeMinVisits:       2,
		LinkVisitLift:          5,
		MinDoctorVisits:        2,
		MemberDoctorShare:      0.02,
		MemberDoctorVisits:     1,
		RegisteredMaxDoctors:   30,
		RingDoctorLift:         3,
		CoreShare:              0.34,
		PharmacyRuleShare:      0.34,
		ResidentShare:          0.8,
		ClosedSiteShare:        0.75,
		ClosedMinResidents:     20,
		ItemLift:               20,
		ItemBuyerLift:          2,
		OveruseMinBuyers:       20,
		OveruseQuantile:        0.9,
		OveruseRatio:           2,
		OveruseLift:            10,
		OnsetMinVisits:         7,
		OnsetWindowDays:        30,
		OnsetLift:              6,
		OffsetLift:             20,
		RegistrationStrength:   0.6,
		MinReturnedBoxes:       2,
		ReturnLift:             5,
		MinBlockLift:           2,
		MinBlockSynchrony:      0.5,
		BlockLeaderShare:       0.5,
		BlockLiftHalf:          2,
		CohortMinPeople:        3,
		SlotMinPeople:          5,
		SlotMinVisits:          2,
		SlotPersonShare:        0.5,
		SlotChanceDays:         28,
		SlotReturnShare:        0.2,
		CohortWindowMinutes:    60,
		CohortMinCovisits:      2,
		CohortMaxGroup:         30,
		CohortPharmacyPeople:   8,
		CohortLiftHalf:         5,
		MinSplitModularity:     0.3,
		SharedDoctorShare:      0.1,
		SharedVisitShare:       0.1,
		LockstepDensity:        0.25,
		LockstepLift:           5,
		ReportScore:            0.45,
		LockstepReportEvidence: 0.35,
		MaxRings:               100,
		SizeHalf:               3,
		MoneyHalf:              2000,
		RoutineMonthlyShare:    0.5,
		RoutineLocalShare:      0.5,
		RoutineOnsetShare:      0.25,
		PackageMinShare:        0.2,
		OrganisedMinEvidence:   0.1,
		MemberShareHalf:        1,
		TrimShare:              0.4,
		TrimMaxShare:           0.2,
		CoreGap:                3,
		WindowRateRatio:        8,
		WindowMaxShare:         0.5,
		WindowMinDays:          14,
		WindowMaxCount:         4,
		OperationDays:          14,
		OperationMaxShare:      0.75,
		OperationSpanTrim:      0.02,
		OperationPlanRatio:     2,
		SignatureShare:         0.2,
		SignatureLift:          3,
		SignatureOverlap:       0.5,
		SyncDayPeople:          3,
		SyncMinDays:            5,
		WhyMinStrength:         0.05,
		WhyMax:                 5,
	}
}

// ParamDoc describes one parameter of Params.
type ParamDoc struct {
	Name    string  // JSON key
	Group   string  // the stage it belongs to
	Default float64 // value in DefaultParams
	Integer bool
	Doc     string
}

// paramField ties a documented name to its field.
type paramField struct {
	ParamDoc
	f *float64
	i *int
}

// fields is the one table of parameters: name, stage, field and meaning.
func (p *Params) fields() []paramField {
	fl := func(name, group string, f *float64, doc string) paramField {
		return paramField{ParamDoc: ParamDoc{Name: name, Group: group, Doc: doc}, f: f}
	}
	in := func(name, group string, i *int, doc string) paramField {
		return paramField{ParamDoc: ParamDoc{Name: name, Group: group, Integer: true, Doc: doc}, i: i}
	}
	return []paramField{
		in("half_site_people", "relation excess", &p.HalfSitePeople, "fewest flagged regulars of a site for it to be half-seeded: fewer than min_ring_people, but flagged_lift times their expectation; two half-seeded sites sharing a flagged regular, whose tails together are beyond chance (min_significance + log10 of such pairs) and who hold min_ring_people people, are seeded on their regulars (a small ring spread over two clinics; 0 = off)"),
		in("min_ring_people", "size", &p.MinRingPeople, "fewest patients a ring holds (rings of doctors and sites only, such as borrowed qualifications, are exempt); fewer is a family, not an operation"),
		in("min_relation_visits", "relation excess", &p.MinRelationVisits, "visits of one person at one site that make a relation worth judging"),
		in("min_relation_stays", "relation excess", &p.MinRelationStays, "admissions of one person at one site that make a relation worth judging with fewer than min_relation_visits visits (a stay is days of care, and a ward's recruits are admitted once or twice), 0 = visits only"),
		fl("costly_z", "relation excess", &p.CostlyZ, "median robust z of a relation's fund per visit or fund share against peers (same scenario, institution class, diagnosis or scheme) that flags it as billed far above peers"),
		fl("severe_z", "relation excess", &p.SevereZ, "median robust z (of fund per visit or fund share) from which a costly relation is also severe: a site is tested on its severe relations alone as well, against its class's flagged rate times the class's share of severe among flagged relations (a small ring billed far beyond the ordinary costly relations of a busy site); a site seeded by them alone keeps only them"),
		fl("relation_z", "relation excess", &p.RelationZ, "robust scales (at least 0.5) a costly relation's median z must also lie above the median relation of the same institution class, so that dear but ordinary kinds of care (chronic refills) are not flagged where the visit peers cannot tell them apart"),
		fl("card_share", "relation excess", &p.CardShare, "share of a relation's visits registered with a social-security card (mdtrt_cert_type 03) that, for a person living elsewhere, flags it as card-based"),
		fl("rhythm_min", "relation excess", &p.RhythmMin, "regularity (1 − coefficient of variation of the days between visits) from which a frequent relation of a person living elsewhere is flagged as rhythmic"),
		fl("rhythm_strict", "relation excess", &p.RhythmStrict, "regularity from which a regular of a medical institution living in another district of the same city (near, not far) is flagged as coming on a strict rhythm (cards swiped on a schedule); such relations seed a site only through their own test, against the class's share of them among regulars, 0 turns the test off"),
		fl("heavy_ratio", "relation excess", &p.HeavyRatio, "how many times the visits of a site's returning people (of ordinary, not chronic, care) at heavy_quantile a person's visits there must reach for the relation to be flagged as heavy: a card billed again and again where the site's other people come a few times (institutions only; 0 turns the flag off)"),
		fl("heavy_quantile", "relation excess", &p.HeavyQuantile, "quantile of a site's returning people's visits (ordinary care) that heavy_ratio multiplies: the site's own measure of how often its people come"),
		in("heavy_min_people", "relation excess", &p.HeavyMinPeople, "fewest returning people of ordinary care a site needs for its heavy relations to be flagged (heavy_ratio): fewer say too little about how often its people come"),
		in("repeat_admissions", "relation excess", &p.RepeatAdmissions, "admissions of one person within the data's period, at one site or over several, that flag the person's relations with the sites admitting them as repeatedly admitted (beds filled with the same people); whether that is unusual for a site is the site test's question, against its class's rate"),
		fl("grow_site_share", "relation excess", &p.GrowSiteShare, "share of a reported ring's people (at least 3) with a visit at a site outside it for the site to be tested for joining it: it joins, with their visits there and its doctors of min_doctor_visits of them, when that count is flagged_lift times and beyond chance (min_significance + log10(sites tested)) what the share of the other people of the ring's sites who go there predicts; no person joins; 0 turns it off"),
		fl("flagged_lift", "relation excess", &p.FlaggedLift, "how many times the flagged relations a site would have at its class's rate it must have to seed a ring"),
		fl("min_significance", "relation excess", &p.MinSignificance, "−log10 of the family-wise probability that some site's flagged relations (or a linked group of sites') reach their count by chance: a site is tested at min_significance + log10(number of sites), by the Poisson tail given its class's rate"),
		in("min_vote_relations", "relation excess", &p.MinVoteRelations, "relations a site needs to vote on its class's flagged rate"),
		fl("min_flagged_rate", "relation excess", &p.MinFlaggedRate, "floor of a class's ordinary share of flagged relations (its sites' lower quartile), so that a class where almost no site has any still expects a few"),
		in("co_flag_max_sites", "relation excess", &p.CoFlagMaxSites, "most sites a person may be flagged at and still count in the test of site pairs whose people are flagged at both (a person flagged at more is spread over the city and links sites that share nothing else)"),
		fl("link_patient_share", "relation excess", &p.LinkPatientShare, "share of the smaller site's flagged people two sites must share to form one ring (at least 2 people)"),
		in("link_min_doctors", "relation excess", &p.LinkMinDoctors, "doctors two sites must share on flagged visits to form one ring"),
		fl("link_doctor_share", "relation excess", &p.LinkDoctorShare, "share of the smaller site's flagged-visit doctors the shared ones must make up"),
		fl("ward_doctor_share", "relation excess", &p.WardDoctorShare, "share of a mostly-inpatient candidate's admissions a doctor must sign to be its ward doctor, whose other admissions at its sites while it was active join it (0 = no widening)"),
		in("ward_stays", "relation excess", &p.WardStays, "admissions by a candidate's ward doctors at its sites while it was active that make a person join it"),
		fl("regular_excess_share", "relation excess", &p.RegularExcessShare, "share of a medical site's regulars (people with the period's repeat visits there) beyond what its class's ordinary share of regulars among returning people explains (the relation-weighted median) from which a candidate most of whose people there are regulars takes in the site's other regulars active there while it was (0 = no widening; 0.9 lets about one in ten joiners be an ordinary regular)"),
		fl("regular_core_share", "relation excess", &p.RegularCoreShare, "share of a site's regulars a candidate must already hold there to take in the others (a candidate of a nursing home's few sickest residents is not widened to all of them)"),
		fl("episode_grow_share", "relation excess", &p.EpisodeGrowShare, "share of the short stays at a candidate's site (a person's whole stay there, outpatient or pharmacy, inside the weeks it was active there, billed as its people were) that must be beyond what the site's short stays at other times predict for those people to join it (0 = no widening)"),
		in("episode_min_visits", "relation excess", &p.EpisodeMinVisits, "fewest visits of a person at a site that make a short stay there for episode_grow_share (one visit is anyone's)"),
		fl("admit_grow_share", "relation excess", &p.AdmitGrowShare, "share of the admissions of a site's other people while a mostly-inpatient candidate was active there that must be beyond what the site's admissions at other times predict for those people to join it (0 = no widening)"),
		fl("link_main_doctor_share", "relation excess", &p.LinkMainDoctorShare, "share of each site's flagged visits (those naming a doctor) one shared doctor must give for the two sites to form one ring whatever their other doctors (one doctor running the flagged care of both)"),
		fl("link_visit_lift", "relation excess", &p.LinkVisitLift, "how many times the share of the other people of each of two seeded sites who also come to the other site the share of its flagged people who do must be (at least min_ring_people of them, beyond chance at min_significance over the pairs tested) for the two to form one ring: a ring's people keep their other care at its other sites, without flagged visits there; also the lift two candidates that share no one must reach both ways, against their sites' other people and the people living where theirs live, to be joined as one operation (visitLinks); 0 turns both links off"),
		in("min_doctor_visits", "relation excess", &p.MinDoctorVisits, "flagged visits a doctor needs at a site to count among its doctors"),
		fl("member_doctor_share", "relation excess", &p.MemberDoctorShare, "least share of a relation-excess group's medical rows a doctor must sign to be listed among its members (with member_doctor_visits): in a ring of a few hundred rows, a doctor named on one or two of them is its site's chance"),
		in("member_doctor_visits", "relation excess", &p.MemberDoctorVisits, "fewest of a relation-excess group's medical rows a doctor must sign to be listed among its members: in a small ring every doctor named on one of its rows signed a row it rests on (the member score says how much; 2 left out a ring's shared doctors who each sign one or two of its visits)"),
		in("registered_max_doctors", "relation excess", &p.RegisteredMaxDoctors, "where visits name no doctor (no atddr_no or bilg_dr_codg), a ring's members include the doctors registered mostly at its sites (staff.csv), but none of a site where more than this many doctors are registered: a hospital's staff named as suspects names no one (an independent city listed 182 hospital doctors in one ring)"),
		fl("ring_doctor_lift", "relation excess", &p.RingDoctorLift, "how many times the site's share of flagged visits a doctor's own share (at least half) must be for the doctor to count as running the flagged relations there; a site with such doctors keeps only the flagged people who see them"),
		fl("core_share", "relation excess", &p.CoreShare, "share of the group's median person's flagged visits a person needs to stay in the group (peripheral people, such as a chronic patient refilling at a ring pharmacy, are dropped)"),
		fl("pharmacy_rule_share", "relation excess", &p.PharmacyRuleShare, "share of a pharmacy relation's fills the rule library must cite (early refills, over-long supplies) for dear fills to flag it: chronic patients fill dear drugs regularly and on time"),
		fl("resident_share", "relation excess", &p.ResidentShare, "share of a person's visits (all sites) at one site from which the person is its resident: a nursing home's residents, a boarding school's pupils, get almost all their care from its infirmary"),
		fl("closed_site_share", "relation excess", &p.ClosedSiteShare, "share of a site's returning people (min_relation_visits there) who are its residents from which the site serves a closed population; there its relations billed above peers or on a strict rhythm do not count in its seeding tests (the dear ones are the tail of the residents the site cares for, the strict rhythms its rounds, not recruits; card-based, rhythmic-from-afar and repeat-admission flags still count), 1 or more turns the guard off"),
		in("closed_min_residents", "relation excess", &p.ClosedMinResidents, "residents a site needs before closed_site_share makes it a closed population (a small station with a dozen loyal patients is not one)"),
		fl("item_lift", "item concentration", &p.ItemLift, "how many times the severe regular fillers of one item that a pharmacy would have at the item's rate at the other pharmacies it must have to seed a ring (with min_ring_people of them, at min_significance + log10(pairs tested)): far beyond the clustering of chronic patients near a hospital, which fill dear drugs at a few times their share"),
		fl("item_buyer_lift", "item concentration", &p.ItemBuyerLift, "how many times the share of a pharmacy's buyers of the item who fill it again and again, billed far above peers, that share at the other pharmacies must also be (a pharmacy designated for a dear drug draws its buyers from the whole city, ordinary ones; 0 turns the test off)"),
		in("overuse_min_buyers", "item overuse", &p.OveruseMinBuyers, "fewest buyers an item needs for its quantities to be compared (an item few people buy has no ordinary quantity)"),
		fl("overuse_quantile", "item overuse", &p.OveruseQuantile, "quantile (0–1) of the units its buyers take over the period that is the item's ordinary heavy use"),
		fl("overuse_ratio", "item overuse", &p.OveruseRatio, "how many times the item's overuse_quantile a person's units must reach to over-use it"),
		fl("overuse_lift", "item overuse", &p.OveruseLift, "how many times the over-users of an item that a site would have at the item's rate among its buyers elsewhere it must have to seed a ring (with min_ring_people of them, at min_significance + log10(pairs tested))"),
		in("onset_min_visits", "onset cohorts", &p.OnsetMinVisits, "live visits at one site that make a person one of its regulars, whose first visit there is the person's onset"),
		in("onset_window_days", "onset cohorts", &p.OnsetWindowDays, "width of the windows in which a site's onsets are counted (on two grids, half a window apart); onsets in the data's first window, or in a site's first, are not tested (people who came before the data or the site began)"),
		fl("onset_lift", "onset cohorts", &p.OnsetLift, "how many times the onsets that the site's onsets in other windows and its class's arrivals in the window predict a window must hold to seed a ring (with min_ring_people of them, at min_significance + log10(windows tested)); also the lift minus 1 at which the onset evidence of a ring is one half"),
		fl("registration_strength", "distant registrations", &p.RegistrationStrength, "strength of a ring resting only on a doctor's registrations (staff.csv) in the city of the doctor's code and at sites of another city or province, taken where visits name no doctor so that R-DOCTOR-DISTANT cannot check the hours billed; it multiplies that rule's distance evidence, so that with the defaults a registration in another province is reported and one in another city of the province is not (0 turns the fallback off)"),
		fl("offset_lift", "onset cohorts", &p.OffsetLift, "onset_lift for offsets, the same test on reversed time: people who stopped coming together after onset_min_visits or more visits (a ring winding up, or running since before the data began), with a site's last window and the data's last not tested; higher than onset_lift, since people also stop together for ordinary reasons (a doctor leaves, a drug is delisted, a clinic moves), and a window's chance leavers join the ring; also the lift minus 1 at which the offset evidence is one half (0 turns the offset test off)"),
		in("min_returned_boxes", "returned boxes", &p.MinReturnedBoxes, "boxes first bought by one person and sold again later that make the person a returner"),
		fl("return_lift", "returned boxes", &p.ReturnLift, "how many times the returners a pharmacy or prescriber would have at the city's rate it must have"),
		fl("min_block_lift", "lockstep", &p.MinBlockLift, "density of a lockstep block over its hubs' baseline"),
		fl("min_block_synchrony", "lockstep", &p.MinBlockSynchrony, "share of the block members' visits at its hubs that fall inside the block"),
		fl("block_leader_share", "lockstep", &p.BlockLeaderShare, "share of a lockstep block's visits one doctor must bill for the block to be one ring with any other candidate of that doctor (its parts at other sites share structure, not people)"),
		fl("block_lift_half", "lockstep", &p.BlockLiftHalf, "lift of a lockstep block over the baseline of the same hubs (minus 1) at which its strength, which scales the ring's score, is one half"),
		in("cohort_min_people", "co-visit cohorts", &p.CohortMinPeople, "fewest people that pairs of one hub (a doctor, or an institution for visits naming no usable doctor) link into a group for the group to count: couples and parents with a child come together too; a hub whose groups hold min_ring_people seeds a candidate (0 turns co-visit cohorts off)"),
		in("cohort_window_minutes", "co-visit cohorts", &p.CohortWindowMinutes, "minutes between the begin times of two people's visits to one hub within which they came together"),
		in("cohort_min_covisits", "co-visit cohorts", &p.CohortMinCovisits, "times two returning people of a hub must have come together to be tested as a pair; a pair's chance is the larger of the hub's share of visit pairs on the same day and its own shift predictor (how often they meet a few days apart: people who keep an hour and a monthly rhythm meet by habit), and a hub holds cohorts when its pairs at or below a p-value level α exceed the tested pairs × α, at min_significance + log10(hubs tested)"),
		in("cohort_max_group", "co-visit cohorts", &p.CohortMaxGroup, "most other visits of a hub within the window of a visit for its co-visits to count: meeting in a crowd is no evidence"),
		in("cohort_pharmacy_people", "co-visit cohorts", &p.CohortPharmacyPeople, "fewest people a group of a pharmacy's pairs must link for the pharmacy to be a hub of co-visit cohorts like a doctor or an institution: families and carers buy together, three or four of them at a time (0: pharmacies are not hubs)"),
		in("slot_min_people", "crowded slots", &p.SlotMinPeople, "fewest people in one clock hour of one medical site's outpatient visits, or in one day of its admissions, for the slot to be tested against the site's ordinary occupancy of that hour of the day, or of a day (a ring sending its recruits in batches, once or twice each); 0 turns crowded slots off"),
		in("slot_min_visits", "crowded slots", &p.SlotMinVisits, "fewest of a group's crowded hours a person must have come in to be one of its people (the ordinary patients who happened to be there in an hour came once)"),
		fl("slot_person_share", "crowded slots", &p.SlotPersonShare, "least share of a person's outpatient visits at the site that fall in the group's crowded hours for the person to be one of its people (a regular who happened into two of them comes at other times too)"),
		in("slot_chance_days", "crowded slots", &p.SlotChanceDays, "days either side of an hour whose same hour of the day, on the site's other open days, sets the hour's chance (seasons crowd every hour of their weeks alike)"),
		fl("slot_return_share", "crowded slots", &p.SlotReturnShare, "least share of the people in a group's crowded hours and batches who are its people (came back in slot_min_visits of them): recruits come back batch after batch, the crowd of a screening or vaccination drive comes once"),
		fl("cohort_lift_half", "co-visit cohorts", &p.CohortLiftHalf, "how many times their chance the co-visits of a candidate's pairs must reach (minus 1) for its strength to be one half"),
		fl("min_split_modularity", "communities", &p.MinSplitModularity, "modularity a Leiden partition of a multi-site candidate must reach before the candidate is split"),
		fl("shared_doctor_share", "communities", &p.SharedDoctorShare, "share of a doctor's ring visits each of two communities must hold for the doctor to keep them one ring"),
		fl("shared_visit_share", "communities", &p.SharedVisitShare, "share of the smaller community's visits that must cross to the other's sites for the two to stay one ring"),
		fl("lockstep_density", "typology", &p.LockstepDensity, "share of a ring's outpatient visits in same-hour cohorts of one doctor (of one institution on visits naming none) from which a single-site ring is lockstep swiping"),
		fl("lockstep_lift", "typology", &p.LockstepLift, "how many times the cohort share of the site's other visits that density must be"),
		fl("report_score", "report", &p.ReportScore, "lowest ring score reported"),
		fl("lockstep_report_evidence", "report", &p.LockstepReportEvidence, "a lockstep block or a co-visit cohort is reported whatever its size and money when its strength × evidence reaches this (people visiting together far beyond their sites' ordinary traffic are the ring, however little they bill), unless its synchrony is a site's routine (routine_monthly_share); 1 or more: only report_score decides"),
		in("max_rings", "report", &p.MaxRings, "most rings reported (an investigator's short list); those beyond it that score above report_score are counted in rings.json's rings_not_reported and the report and detect say so (a province holds hundreds: raise it there)"),
		fl("admit_lift_half", "report", &p.AdmitLiftHalf, "lift of a ring's sites over their class's rate of flagged relations (minus 1) at which the evidence of its repeatedly admitted people is half their share"),
		fl("size_half", "report", &p.SizeHalf, "patients at which the size factor of the score is half way (score × (0.5 + 0.5·n/(n+size_half)))"),
		fl("money_half", "report", &p.MoneyHalf, "fund yuan at risk at which the money factor of the score is half way"),
		fl("routine_monthly_share", "report", &p.RoutineMonthlyShare, "share of a group's successive outpatient visits a calendar month apart on the same day of the month (monthly_share) from which, when the group is billed less than costly_z above its peers (or its people are each billed their own items: package_min_share) and holds no onset or offset cohort of more than routine_onset_share of its people, its synchrony is a site's routine (a chronic follow-up day) and its lockstep evidence is weighed by 1 − monthly_share; likewise the share of a relation's gaps between visit days that are a month's refill apart (26 to 35 days, whatever the day of the month) from which the relation is chronic care in the site tests (careOf: monthly refills written as ordinary visits, judged against chronic care's rate of dear prescriptions); 0 turns both off"),
		fl("routine_local_share", "report", &p.RoutineLocalShare, "share of a group's people who must live where they come (the district or inferred area of the site of most of their ring visits) for its monthly synchrony to be a site's routine (routine_monthly_share): a follow-up day serves the neighbourhood, and a station holding cards collected from elsewhere swipes them on a calendar too"),
		fl("routine_onset_share", "report", &p.RoutineOnsetShare, "largest share of a group's people an onset or an offset cohort among them may hold for its monthly synchrony to be a site's routine (routine_monthly_share): a ring begins on a day, a chronic clientele was there before the data and stays after, and a few newcomers who began together do not make a follow-up day a ring (0: any onset or offset cohort rules the routine out)"),
		fl("package_min_share", "report", &p.PackageMinShare, "share of a group's billed amount on items billed to at least half of its people (package_share) under which, when no piece of organised evidence reaches organised_min_evidence, its score is scaled by package_share / package_min_share: people each billed their own items above their peers (a clientele's own regimens: a coronary patient's ticagrelor, a diabetic's insulin) are a site's patients, and an operation billing its recruits repeats a package; likewise a group keeping a follow-up day's calendar and clientele is a routine (routine_monthly_share) however far above its peers it is billed when its package share is under this; 0 = off"),
		fl("organised_min_evidence", "report", &p.OrganisedMinEvidence, "strength from which one piece of organised evidence (a generator's signature, lockstep or co-visit synchrony, an onset or offset cohort, heavy visits, repeat admissions; not the card share: migrants carry their cards; not the reselling signature, whose people are its pharmacies' heaviest fillers) exempts a group from package_min_share"),
		fl("trim_share", "member score", &p.TrimShare, "share of a ring's evidence (the mean of a person's ring visits and fund over the ring's median person's) below which a person is left out of a ring of at least twice min_ring_people people: the chance arrivals, stray admissions and one-visit family members that cohorts, widenings and merges bring in hold a fraction of what the recruits do (0 = none left out)"),
		fl("trim_max_share", "member score", &p.TrimMaxShare, "largest share of a ring's people that trim_share may leave out: where more of them are that light, the ring's people differ in weight by its design (a few heavy organisers, many light recruits) and no one is left out"),
		fl("core_gap", "member score", &p.CoreGap, "how many times the ring visits and the ring fund of every person below it each person above a clean break in a ring's people must hold for those below to be left out (at least min_ring_people above it, the widest such break, whatever their share): a small ring billed again and again at a busy site takes in the site's ordinary people flagged with it, who hold a fraction of what its recruits do and can outnumber them, so that the median person of trim_share is one of them (0 = off)"),
		fl("window_rate_ratio", "member score", &p.WindowRateRatio, "how many times busier than the ring's time outside it a window of a ring's visits must be to be one of its operation windows (a scan of the binomial likelihood ratio, beyond chance at min_significance + log10 of the windows tested, each at most window_max_share of the period, the next scanned on what the last left): in a ring of at least twice min_ring_people people, the people most of whose ring visits fall outside its operation windows are left out (a clinic's ordinary patients come in any month, an operation's recruits while it runs), when at least min_ring_people stay; 0 = off"),
		fl("window_max_share", "member score", &p.WindowMaxShare, "longest operation window, as a share of the data period: a ring busier in its second half than its first has no operation window, it runs all year"),
		in("window_min_days", "member score", &p.WindowMinDays, "shortest operation window in days: a ring's visits of one week say little about the months it ran"),
		in("window_max_count", "member score", &p.WindowMaxCount, "most operation windows of one ring (an operation that stopped and started again, or recruited in waves)"),
		in("operation_days", "merge", &p.OperationDays, "days within which the first visits, and the last visits, of two reported rings (sharing no person, or too few for the merge) must fall for them to be one operation seen at different sites (with a shared signature, signature_overlap): a ring that recruits for several counters or clinics, each seeing only its own people, begins and ends in the same weeks everywhere; 0 = off"),
		fl("operation_max_share", "merge", &p.OperationMaxShare, "longest active span (first to last visit billing the items two rings share), as a share of the data period, of a ring joined to another by its months and items (operation_days): rings running all year share their months by chance; rings joined by their cohort days (sync_min_days) may be of any length"),
		fl("operation_span_trim", "merge", &p.OperationSpanTrim, "share of a ring's visits billing the shared items left out at each end of its active span (operation_days, operation_max_share): a stray early or late visit does not move where the operation began and ended"),
		fl("operation_plan_ratio", "merge", &p.OperationPlanRatio, "how far apart (as a ratio) the median ring visits per person, and the median fund per visit, of two rings joined by their months (operation_days) may be: an operation schedules and bills its recruits alike wherever they go"),
		fl("signature_share", "merge", &p.SignatureShare, "least share of a ring's visits an item must be billed on to be part of its signature (operation_days)"),
		fl("signature_lift", "merge", &p.SignatureLift, "how many times as common in a ring's visits as in its sites' other visits of the same med_type an item of its signature must be (operation_days; a ward's bed fees mark admissions, not a ring)"),
		fl("signature_overlap", "merge", &p.SignatureOverlap, "least overlap (items shared over items of either) of the signatures of two rings joined by their months (operation_days): the same weeks at both ends and the same unusual items are one operation, not a coincidence"),
		in("sync_day_people", "merge", &p.SyncDayPeople, "least people of a ring at its sites on one day for the day to be one of its cohort days (operation_days: two rings whose cohort days coincide beyond chance are one operation)"),
		in("sync_min_days", "merge", &p.SyncMinDays, "least cohort days (sync_day_people) two rings must share to be joined by their synchrony (operation_days), however unlikely the coincidence"),
		fl("member_share_half", "member score", &p.MemberShareHalf, "share of its ring's evidence (the mean of its ring visits and fund over the ring's median member's) at which a member's score is half way from 0.5 to 0.5 + 0.5·ring score (score 0.5 + 0.5·ring·share/(share + member_share_half)): the organiser of sixty ring visits scores above the card lender of one"),
		fl("why_min_strength", "explanation", &p.WhyMinStrength, "least strength (in [0, 1], a piece of evidence's share in the score) a signal needs to be listed in a ring's why"),
		in("why_max", "explanation", &p.WhyMax, "most signals listed in a ring's why, strongest first"),
	}
}

// Table documents every parameter with its default, in a fixed order.
func Table() []ParamDoc {
	p := DefaultParams()
	fs := p.fields()
	out := make([]ParamDoc, len(fs))
	for i, f := range fs {
		out[i] = f.ParamDoc
		if f.i != nil {
			out[i].Default = float64(*f.i)
		} else {
			out[i].Default = *f.f
		}
	}
	return out
}

// Validate checks that every parameter is in its range.
func (p *Params) Validate() error {
	for _, f := range p.fields() {
		x := 0.0
		if f.i != nil {
			x = float64(*f.i)
		} else {
			x = *f.f
		}
		if math.IsNaN(x) || math.IsInf(x, 0) || x < 0 {
			return fmt.Errorf("rings: parameter %s = %v: must be a finite number ≥ 0", f.Name, x)
		}
	}
	if p.MinRingPeople < 2 {
		return fmt.Errorf("rings: parameter min_ring_people = %d: must be at least 2", p.MinRingPeople)
	}
	if p.RepeatAdmissions < 1 {
		return fmt.Errorf("rings: parameter repeat_admissions = %d: must be at least 1", p.RepeatAdmissions)
	}
	if p.HeavyRatio > 0 && (p.HeavyRatio < 1 || p.HeavyQuantile > 1) {
		return fmt.Errorf("rings: parameters heavy_ratio = %v, heavy_quantile = %v: heavy_ratio must be at least 1 (or 0: off) and heavy_quantile at most 1", p.HeavyRatio, p.HeavyQuantile)
	}
	if p.OveruseQuantile > 1 {
		return fmt.Errorf("rings: parameter overuse_quantile = %v: must be at most 1", p.OveruseQuantile)
	}
	if p.OnsetWindowDays < 1 || p.OnsetMinVisits < 1 {
		return fmt.Errorf("rings: parameters onset_window_days = %d, onset_min_visits = %d: must be at least 1", p.OnsetWindowDays, p.OnsetMinVisits)
	}
	if p.PackageMinShare > 1 {
		return fmt.Errorf("rings: parameter package_min_share = %v: must be at most 1", p.PackageMinShare)
	}
	if p.MaxRings < 1 {
		return fmt.Errorf("rings: parameter max_rings = %d: must be at least 1", p.MaxRings)
	}
	if p.CohortMinPeople > 0 && p.CohortMinCovisits < 1 {
		return fmt.Errorf("rings: parameter cohort_min_covisits = %d: must be at least 1 while co-visit cohorts are on", p.CohortMinCovisits)
	}
	if p.WindowRateRatio > 0 && p.WindowRateRatio < 1 {
		return fmt.Errorf("rings: parameter window_rate_ratio = %v: must be 0 (off) or at least 1", p.WindowRateRatio)
	}
	if p.OperationDays > 0 && (p.OperationMaxShare <= 0 || p.OperationMaxShare > 1 || p.OperationPlanRatio < 1 || p.SignatureOverlap <= 0 || p.SignatureOverlap > 1 || p.OperationSpanTrim < 0 || p.OperationSpanTrim >= 0.5) {
		return fmt.Errorf("rings: parameters operation_max_share = %v, operation_plan_ratio = %v, signature_overlap = %v, operation_span_trim = %v: must be in (0, 1], at least 1, in (0, 1] and in [0, 0.5) while operation_days is on", p.OperationMaxShare, p.OperationPlanRatio, p.SignatureOverlap, p.OperationSpanTrim)
	}
	if p.EpisodeGrowShare > 0 && (p.EpisodeGrowShare > 1 || p.EpisodeMinVisits < 1) {
		return fmt.Errorf("rings: parameters episode_grow_share = %v, episode_min_visits = %d: must be at most 1 and at least 1 while short stays widen rings", p.EpisodeGrowShare, p.EpisodeMinVisits)
	}
	if p.WindowMaxShare > 1 {
		return fmt.Errorf("rings: parameter window_max_share = %v: must be at most 1", p.WindowMaxShare)
	}
	if p.WindowRateRatio > 0 && (p.WindowMinDays < 1 || p.WindowMaxCount < 1) {
		return fmt.Errorf("rings: parameters window_min_days = %d, window_max_count = %d: must be at least 1 while operation windows are on", p.WindowMinDays, p.WindowMaxCount)
	}
	if p.CoreGap > 0 && p.CoreGap < 1 {
		return fmt.Errorf("rings: parameter core_gap = %v: must be 0 (off) or at least 1", p.CoreGap)
	}
	return nil
}

// Apply sets the parameters named in a JSON object ({"min_ring_people": 6,
// ...}) on p. Unknown keys, non-numbers and fractional values of integer
// parameters are errors naming src and the key.
func (p *Params) Apply(src string, r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return fmt.Errorf("rings: reading %s: %w", src, err)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	var m map[string]json.RawMessage
	if err := dec.Decode(&m); err != nil {
		return fmt.Errorf("rings: %s: not a JSON object of parameters: %w", src, err)
	}
	byName := make(map[string]paramField)
	var names []string
	for _, f := range p.fields() {
		byName[f.Name] = f
		names = append(names, f.Name)
	}
	for k, v := range m {
		f, ok := byName[k]
		if !ok {
			return fmt.Errorf("rings: %s: unknown parameter %q (have %s)", src, k, strings.Join(names, ", "))
		}
		var x float64
		if err := json.Unmarshal(v, &x); err != nil {
			return fmt.Errorf("rings: %s: parameter %q: not a number", src, k)
		}
		if f.i != nil {
			if x != math.Trunc(x) || math.Abs(x) > 1e9 {
				return fmt.Errorf("rings: %s: parameter %q: must be a whole number", src, k)
			}
			*f.i = int(x)
		} else {
			*f.f = x
		}
	}
	if err := p.Validate(); err != nil {
		return fmt.Errorf("%w (in %s)", err, src)
	}
	return nil
}

// LoadParams returns the defaults with the overrides of the JSON file at
// path applied.
func LoadParams(path string) (Params, error) {
	p := DefaultParams()
	f, err := os.Open(path)
	if err != nil {
		return p, fmt.Errorf("rings: ring parameters: %w", err)
	}
	defer f.Close()
	err = p.Apply(path, f)
	return p, err
}

// MarkdownParams renders Table as the RING_PARAMS.md document.
func MarkdownParams() string {
	var b strings.Builder
	b.WriteString("# Ring-formation parameters\n\n")
	b.WriteString("Generated from `algorithms/rings/params.go` (`go test ./algorithms/rings -run TestParamsDoc -update` rewrites it).\n")
	b.WriteString("Override any of them with `ringlens detect --ring-params FILE`, FILE a JSON object such as\n")
	b.WriteString("`{\"min_ring_people\": 6, \"costly_z\": 2.5}`; unknown keys are refused.\n\n")
	b.WriteString("| parameter | stage | default | meaning |\n|---|---|---|---|\n")
	for _, d := range Table() {
		def := fmt.Sprintf("%g", d.Default)
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s |\n", d.Name, d.Group, def, d.Doc)
	}
	return b.String()
}
