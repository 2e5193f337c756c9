// Package lockstep finds groups of patients who visit together far more
// than their hubs' ordinary traffic explains (dense blocks) and measures
// whether their visits repeat on a shared period (rhythm).
//
// # Dense blocks
//
// Detect builds two bipartite graphs from the live (not reversed) visits of
// a claims graph:
//
//   - InstitutionSlot: patients × (institution or pharmacy, time slot). An
//     outpatient or pharmacy visit falls into the Options.SlotMinutes slot
//     of its day that holds its begin time; an inpatient admission falls into
//     the coarser Options.AdmissionSlotMinutes slot, because recruited
//     inpatients are admitted in cohorts on the same morning rather than in
//     the same hour. Admission and outpatient slots never share a column.
//     Slots are laid on two grids, aligned on midnight and half a slot
//     later, each peeled on its own; a block found on both grids (half or
//     more of the smaller one's patients shared, same hub) is kept once,
//     the denser. A group seen within any window of half a slot thus falls
//     in one column of at least one grid.
//   - DoctorDay: patients × (attending doctor, day), leaving out the doctor
//     rows of Options.ExcludeDoctors. Placeholder codes (rules.FindPlaceholders)
//     pool thousands of unrelated visits; they are data-quality hubs, and
//     excluding them keeps them out of ring formation.
//
// An edge joins a patient to a column when the patient has at least one
// visit in it. Each column carries the FraudAR weight
//
//	w(c) = 1 / log(deg(c) + Discount)
//
// where deg(c) is the number of distinct patients in the column, so that a
// popular column (a busy hospital hour, a nursing-home round) adds little
// mass and camouflage visits to popular columns cannot lift a block (Hooi
// et al., "FRAUDAR: Bounding Graph Fraud in the Face of Camouflage", KDD
// 2016).
//
// The columns of one hub (an institution or pharmacy, or a doctor) are
// peeled together. Columns with a single patient and patients with a single
// shared column are pruned first (to a fixed point): they cannot belong to
// a co-visiting group. Then rows and columns are removed greedily, always
// the one of least weighted degree (a binary heap with decrease-key), and
// the prefix of greatest density
//
//	g(S) = Σ_{edges in S} w(c) / (|rows(S)| + |columns(S)|)
//
// among those with at least MinPatients rows, MinColumns columns and a fill
// (edges / (rows × columns)) of at least MinFill is a block. The block's
// edges are removed, the rest is pruned again and the hub peeled again,
// until no prefix qualifies, the best block no longer stands out from the
// hub's traffic (Density < MinLift × Baseline), or MaxBlocksPerHub blocks
// were found. The MaxBlocks densest blocks of each kind are returned.
//
// # Baseline and lift
//
// Block.Baseline is the FraudAR objective of the hub's whole subgraph:
// every patient and column of the hub (single-patient columns included)
// with their weights, the block included. It is what the hub's ordinary
// traffic scores as one group: about 0.4–0.6 for a small clinic's scattered
// patients, 0.7–1 for a busy hospital's crowded hours, about 2.5 for a
// nursing-home doctor whose every round sees every resident. Block.Lift =
// Density / Baseline. A ring recruited into a clinic with ordinary patients
// stands several times above its hub (lift 3–5 in InstitutionSlot); a
// closed population (nursing home, school, workplace clinic) whose routine
// is its hub's whole traffic does not (lift 1.5–1.7), nor does a large
// hospital's crowd.
//
// # Telling rings from look-alikes
//
// Besides Density, Baseline and Lift, a Block carries what separates a
// group that moves together from look-alikes:
//
//   - Fill: the share of member × column cells that hold a visit. A
//     lockstep cohort is in all of its columns (fill near 1); chance
//     meetings of a busy doctor's follow-up patients sit at MinFill.
//   - Synchrony: the share of the members' visits at the hub, between
//     First and Last, that lie in the block. Chronic patients refilling on
//     a monthly rhythm at one pharmacy meet only on some of their refill
//     days: on generated cities their chance blocks have 5–13 members,
//     fill 0.3–0.9 and synchrony 0.5–0.95, against fill and synchrony 1
//     for lockstep cohorts, and rank below them by Density.
//   - SlotShare: for DoctorDay blocks, the share of the block's visits in
//     the busiest SlotMinutes slot of each day: near 1 when the doctor
//     "saw" the whole group within one slot (the Shanghai case's 10+
//     records per doctor per time slot), 0.2–0.5 for rounds or clinic days
//     spread over hours. It is 1 by construction for InstitutionSlot.
//   - Period and PeriodShare (see Rhythm).
//
// # Rhythm
//
// Rhythm pools, over a group of patients, the intervals in days between
// each patient's consecutive visit days at given hubs and returns the period
// P in [MinPeriod, MaxPeriod] that the most intervals fall within ±1 day of,
// with the share of intervals that do. Lockstep rings (the Shanghai case:
// visits every 12 or 24 days) share one period across members. Individual
// rhythms (chronic refills every ~30 days, each patient on their own days)
// also give a period; that the group shares the same days is what Synchrony
// and Fill measure, not Rhythm.
//
// # Cost
//
// Building an incidence walks the visits in time order and groups one day's
// visits at a time by hub with a stable counting sort (time order then
// makes each column a run, sorted by patient in place); the two institution
// grids are built concurrently. Peeling a hub costs O(E log E) for its E
// pruned edges per block found, and hubs are peeled on up to two
// goroutines. On generated cities of 1–3 million visits Detect takes
// 0.8–1.7 s per million visits on two busy cores (linear in the visits),
// allocates about 140 MB per million visits in all and holds a live peak of
// about 70 MB per million visits above the graph. Output is deterministic.
//
// # Limitations
//
//   - Blocks are found per hub: a ring spread over several clinics (the
//     Huli case) gives one block per clinic or doctor, to be joined by ring
//     formation.
//   - Slots are fixed grids: a cohort whose visits spread over more than a
//     slot (or straddle the boundaries of both grids) is split into several
//     columns and its fill drops. DoctorDay SlotShare uses the midnight grid
//     only, so a day's cohort seen across the hour reads about 0.5.
//   - A hub whose whole traffic is one group has lift near 1 whatever the
//     group is: a clinic billing nothing but fabricated visits is left to
//     other detectors, as a nursing home is.
//   - DoctorDay uses the attending doctor of the visit, not the doctors
//     who billed its fee lines.
package lockstep
