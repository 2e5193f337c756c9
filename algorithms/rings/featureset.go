package rings

// features are the signals of a candidate ring. The first group every
// candidate has (finish computes them; scoring sets evidence and score);
// the second only some generators give, zero otherwise. Ring.Features in
// rings.json lists them by their snake_case names (named).
type features struct {
	Patients         float64 // patients in the ring
	Doctors          float64 // doctors in the ring
	Institutions     float64 // sites (institutions and pharmacies) in the ring
	Visits           float64 // the ring's visits
	FundYuan         float64 // net fund of the ring's visits, yuan
	FundPerVisit     float64 // fund_yuan per visit
	PeerZ            float64 // median robust z of the visits' fund against peers
	ShareZ           float64 // median robust z of the visits' fund share against peers
	CardShare        float64 // share of card-based visits (mdtrt_cert_type 03)
	InpatientShare   float64 // share of inpatient visits
	PharmacyShare    float64 // share of pharmacy purchases
	RuleHitShare     float64 // share of the visits the rule library cited
	LockstepDensity  float64 // share of outpatient visits in same-hour cohorts of one doctor (of one institution on visits naming none)
	LockstepBaseline float64 // the same share for the other visits of the ring's sites
	Rhythm           float64 // median regularity of the people's visits (1 − coefficient of variation of the gaps)
	MonthlyShare     float64 // share of the people's successive outpatient visit days a calendar month apart on the same day of the month
	LocalShare       float64 // share of the people living where they come (the district or area of the site of most of their ring visits)
	Concentration    float64 // share of the people's visits that are ring visits
	Evidence         float64 // combined evidence before size and money
	Score            float64 // the ring's score

	FlaggedShare     float64 // flagged share of the sites' returning people (relation excess)
	FlaggedSharePeer float64 // the class's ordinary flagged share
	FlaggedLift      float64 // the smallest lift of the sites' flagged relations over their class's rate
	CostlyRelations  float64 // share of the people flagged as billed far above peers
	CardRelations    float64 // share flagged as card-based while living away
	AwayRelations    float64 // share flagged as rhythmic while living far away
	AdmitRelations   float64 // share flagged as repeatedly admitted at one site
	HeavyShare       float64 // share of the people whose ring visits at one of its sites are heavy_ratio times what the site's returning people make
	HeavyLift        float64 // median of those people's ring visits there over what the site's returning people make
	OveruseShare     float64 // share of the people taking far more of an item than its other buyers, concentrated at a site
	OveruseLift      float64 // median lift of those people's sites over the item's rate of over-users elsewhere
	OnsetShare       float64 // share of the people in an onset cohort of a site (they began to come again and again together)
	OnsetLift        float64 // median lift of those people's cohorts over the sites' and their class's ordinary arrivals
	OffsetShare      float64 // share of the people in an offset cohort of a site (they stopped coming together after coming again and again)
	OffsetLift       float64 // median lift of those people's cohorts over the sites' and their class's ordinary departures
	ReturnedBoxes    float64 // boxes first sold to the people and sold again later
	ReturnerLift     float64 // people whose boxes come back over the city's rate
	SplitRate        float64 // share of inpatients readmitted early with the same diagnosis
	SplitRatePeer    float64 // the same share at the other hospitals
	SplitLift        float64 // split_rate over split_rate_peer
	HomeVisits       float64 // visits of the borrowed doctor at his main workplace
	DistanceKm       float64 // farthest distance between his main workplace and the borrowing sites
	PackageShare     float64 // share of the billed amount on items billed to at least half of the people (a group without organised evidence, or a follow-up day billed above its peers, only)

	packaged bool // PackageShare was computed (score)
}

// named returns the features by name, as rings.json writes them: every
// feature of the first group, those of the second when given (not zero).
func (f *features) named() map[string]float64 {
	m := map[string]float64{
		"patients":          f.Patients,
		"doctors":           f.Doctors,
		"institutions":      f.Institutions,
		"visits":            f.Visits,
		"fund_yuan":         f.FundYuan,
		"fund_per_visit":    f.FundPerVisit,
		"peer_z":            f.PeerZ,
		"share_z":           f.ShareZ,
		"card_share":        f.CardShare,
		"inpatient_share":   f.InpatientShare,
		"pharmacy_share":    f.PharmacyShare,
		"rule_hit_share":    f.RuleHitShare,
		"lockstep_density":  f.LockstepDensity,
		"lockstep_baseline": f.LockstepBaseline,
		"rhythm":            f.Rhythm,
		"monthly_share":     f.MonthlyShare,
		"local_share":       f.LocalShare,
		"concentration":     f.Concentration,
		"evidence":          f.Evidence,
		"score":             f.Score,
	}
	for name, v := range map[string]float64{
		"flagged_share":      f.FlaggedShare,
		"flagged_share_peer": f.FlaggedSharePeer,
		"flagged_lift":       f.FlaggedLift,
		"costly_relations":   f.CostlyRelations,
		"card_relations":     f.CardRelations,
		"away_relations":     f.AwayRelations,
		"admit_relations":    f.AdmitRelations,
		"heavy_share":        f.HeavyShare,
		"heavy_lift":         f.HeavyLift,
		"overuse_share":      f.OveruseShare,
		"overuse_lift":       f.OveruseLift,
		"onset_share":        f.OnsetShare,
		"onset_lift":         f.OnsetLift,
		"offset_share":       f.OffsetShare,
		"offset_lift":        f.OffsetLift,
		"returned_boxes":     f.ReturnedBoxes,
		"returner_lift":      f.ReturnerLift,
		"split_rate":         f.SplitRate,
		"split_rate_peer":    f.SplitRatePeer,
		"split_lift":         f.SplitLift,
		"home_visits":        f.HomeVisits,
		"distance_km":        f.DistanceKm,
		"package_share":      f.PackageShare,
	} {
		if v != 0 {
			m[name] = v
		}
	}
	return m
}
