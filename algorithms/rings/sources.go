package rings

import "github.com/ringlens/ringlens/graph/vocab"

// Ids of the candidate generators and of the graph facts rings cite as
// evidence (Evidence.Rule of kind "graph"), named here by what produces
// them; the codes and their labels are graph/vocab's. A generator's id is
// also the id of the fact it records. Rule hits use the rule library's ids
// (R-...).
const (
	// SourceRelationExcess: sites whose flagged person–site relations
	// exceed their class's rate (excessCandidates).
	SourceRelationExcess = vocab.FactRelationExcess
	// SourceReturnedBoxes: people whose drug boxes come back
	// (returnCandidates).
	SourceReturnedBoxes = vocab.FactReturnedBoxes
	// SourceResell: pharmacies between which trace codes are sold again,
	// with their heavy fillers (resellCandidates).
	SourceResell = vocab.FactResell
	// SourceItemConcentration: pharmacies where more people than chance
	// explains fill one item again and again, billed far above peers
	// (itemCandidates).
	SourceItemConcentration = vocab.FactItemConcentration
	// SourceItemOveruse: sites where more people than chance explains take
	// far more of one item than its other buyers (overuseCandidates).
	SourceItemOveruse = vocab.FactItemOveruse
	// SourceOnset: sites where far more people than chance explains began
	// to come again and again in the same weeks (onsetCandidates).
	SourceOnset = vocab.FactOnset
	// SourceOffset: sites where far more people than chance explains
	// stopped coming in the same weeks after coming again and again
	// (onsetCandidates on reflected time).
	SourceOffset = vocab.FactOffset
	// SourceRegistrations: doctors registered in their code's city and at
	// distant sites, where visits name no doctor (registeredCandidates).
	SourceRegistrations = vocab.FactRegistrations
	// SourceAdmitCohort: same-morning admission cohorts of repeat
	// inpatients (admissionCandidates).
	SourceAdmitCohort = vocab.FactAdmitCohort
	// SourceLockstep: lockstep blocks (lockstepCandidates).
	SourceLockstep = vocab.FactLockstep
	// SourceCohorts: a doctor's returning people who come together
	// in small groups again and again (covisitCandidates).
	SourceCohorts = vocab.FactCohorts
	// SourceSlots: clock hours of a medical site holding far more people
	// than its ordinary hours, linked by the people they share
	// (slotCandidates).
	SourceSlots = vocab.FactSlots
	// FactSplitConcentration: a hospital's early same-diagnosis
	// readmissions far beyond the other hospitals' rate (splitCandidates,
	// whose source is the rule R-SPLIT-ADMIT).
	FactSplitConcentration = vocab.FactSplitConcentration
	// FactRoundCustomers: customers buying a cheap drug in round
	// quantities again and again (cashoutCandidates, source R-ROUND-QTY).
	FactRoundCustomers = vocab.FactRoundCustomers
	// FactWard: people admitted by a candidate's ward doctors while it was
	// active joined it (growWard).
	FactWard = vocab.FactWard
	// FactRegulars: the other regulars of a site whose regulars are far
	// beyond its class's share joined the candidate holding them
	// (growRegulars).
	FactRegulars = vocab.FactRegulars
	// FactSites: the other sites a ring's people go to together, far
	// beyond its neighbours' habits (growSites).
	FactSites = vocab.FactSites
	// FactAdmitSurge: the other people admitted at a candidate's sites
	// while it was active, where those admissions far exceed the sites'
	// admissions at other times, joined it (growAdmissions).
	FactAdmitSurge = vocab.FactAdmitSurge
	// FactEpisodes: the other people whose whole stay at a candidate's
	// sites fell in the weeks it was active there, where such short stays
	// far exceed the sites' at other times, joined it (growEpisodes).
	FactEpisodes = vocab.FactEpisodes
	// FactTrimmed: the peripheral people left out of a large ring
	// (trimPeripheral).
	FactTrimmed = vocab.FactTrimmed
	// FactOffWindow: the people of a ring most of whose ring visits fall
	// outside its operation windows, left out (trimOffWindow).
	FactOffWindow = vocab.FactOffWindow
	// FactMerged: two candidates merged, with the members they shared.
	FactMerged = vocab.FactMerged
	// FactSameOperation: two candidates sharing no person joined as one
	// operation seen at different sites: the same weeks at both ends and
	// the same unusual items (joinOperations).
	FactSameOperation = vocab.FactSameOperation
	// FactNewRows: rows attached by incremental scoring (Live.Add).
	FactNewRows = vocab.FactNewRows
)
