package rings

// Ids of the candidate generators and of the graph facts rings cite as
// evidence (Evidence.Rule of kind "graph"). A generator's id is also the id
// of the fact it records. Rule hits use the rule library's ids (R-...).
const (
	// SourceRelationExcess: sites whose flagged person–site relations
	// exceed their class's rate (excessCandidates).
	SourceRelationExcess = "G-RELATION-EXCESS"
	// SourceReturnedBoxes: people whose drug boxes come back
	// (returnCandidates).
	SourceReturnedBoxes = "G-RETURNED-BOXES"
	// SourceResell: pharmacies between which trace codes are sold again,
	// with their heavy fillers (resellCandidates).
	SourceResell = "G-RESELL"
	// SourceItemConcentration: pharmacies where more people than chance
	// explains fill one item again and again, billed far above peers
	// (itemCandidates).
	SourceItemConcentration = "G-ITEM-CONCENTRATION"
	// SourceItemOveruse: sites where more people than chance explains take
	// far more of one item than its other buyers (overuseCandidates).
	SourceItemOveruse = "G-ITEM-OVERUSE"
	// SourceAdmitCohort: same-morning admission cohorts of repeat
	// inpatients (admissionCandidates).
	SourceAdmitCohort = "G-ADMIT-COHORT"
	// SourceLockstep: lockstep blocks (lockstepCandidates).
	SourceLockstep = "G-LOCKSTEP"
	// FactSplitConcentration: a hospital's early same-diagnosis
	// readmissions far beyond the other hospitals' rate (splitCandidates,
	// whose source is the rule R-SPLIT-ADMIT).
	FactSplitConcentration = "G-SPLIT-CONCENTRATION"
	// FactRoundCustomers: customers buying a cheap drug in round
	// quantities again and again (cashoutCandidates, source R-ROUND-QTY).
	FactRoundCustomers = "G-ROUND-CUSTOMERS"
	// FactWard: people admitted by a candidate's ward doctors while it was
	// active joined it (growWard).
	FactWard = "G-WARD"
	// FactRegulars: the other regulars of a site whose regulars are far
	// beyond its class's share joined the candidate holding them
	// (growRegulars).
	FactRegulars = "G-REGULARS"
	// FactMerged: two candidates merged, with the members they shared.
	FactMerged = "G-MERGED"
	// FactNewRows: rows attached by incremental scoring (Live.Add).
	FactNewRows = "G-NEW-ROWS"
)
