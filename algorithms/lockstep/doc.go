// Package lockstep finds groups of patients who visit together far more
// than ordinary traffic explains (dense blocks) and measures whether their
// visits repeat on a shared period (rhythm).
//
// # Dense blocks
//
// Detect builds two bipartite graphs from the live (not reversed) visits of
// a claims graph:
//
//   - InstitutionSlot: patients × (institution or pharmacy, time slot). An
//     outpatient or pharmacy visit falls into the slot of Options.SlotMinutes
//     of its day that holds its begin time; an inpatient admission falls into
//     the coarser slot of Options.AdmissionSlotMinutes, because cohorts of
//     recruited inpatients are admitted on the same morning rather than in
//     the same hour.
//   - DoctorDay: patients × (attending doctor, day), leaving out the doctor
//     rows of Options.ExcludeDoctors (placeholder codes that pool thousands
//     of unrelated visits are data-quality hubs, not ring hubs).
//
// An edge joins a patient to a column when the patient has at least one
// visit in it. Each column carries the FraudAR weight
//
//	w(c) = 1 / log(deg(c) + Discount)
//
// where deg(c) is the number of distinct patients in the column, so that a
// popular column (a busy hospital hour, a nursing-home round) adds little
// mass: camouflage and crowds cannot lift a block (Hooi et al., "FRAUDAR:
// Bounding Graph Fraud in the Face of Camouflage", KDD 2016).
//
// The columns of one hub (an institution or pharmacy, or a doctor) are
// peeled together: rows and columns of the hub's subgraph are removed
// greedily, always the one of least weighted degree, and the prefix of
// greatest density
//
//	g(S) = Σ_{edges in S} w(c) / (|rows(S)| + |columns(S)|)
//
// among those with at least MinPatients rows and MinColumns columns is a
// block. The block's edges are removed and the hub is peeled again, until
// the best block no longer stands out from the hub's ordinary traffic (its
// density is below MinLift times Baseline) or MaxBlocksPerHub blocks were
// found. Columns with a single patient and patients with a single column
// in the hub are pruned before peeling: they cannot be part of a
// co-visiting group and cannot raise a block's density above 1/log(1+5).
//
// Block.Baseline is the same objective taken over the whole subgraph of the
// block's hub (every patient and column of the hub, the block included):
// what the hub's traffic gives a group "for free". A small clinic's
// scattered patients give a baseline of about 0.4–0.6; a busy hospital's
// crowded hours give about 1. A ring's block is several times its baseline
// (Lift = Density/Baseline); a family that visits together a few times, or
// a nursing home whose whole clientele is one routine group, is not.
//
// # Rhythm
//
// Rhythm pools, over a group of patients, the intervals in days between
// each patient's consecutive visit days at given hubs and returns the period
// P ≥ MinPeriod that the most intervals fall within ±1 day of, with the
// share of intervals that do. Lockstep rings (the Shanghai case: visits
// every 12 or 24 days) share one period across members. Chronic refills at
// one pharmacy are also periodic, but each patient on their own days:
// Block.Synchrony (the share of the members' visits at the hubs, within the
// block's time span, that lie in the block's shared columns) and Block.Fill
// (the share of member × column cells that are visits) separate a group
// moving together from individuals on parallel rhythms.
//
// # Cost
//
// Building an incidence sorts the visits of one day at a time; peeling a
// hub costs O(E log E) for its E pruned edges per block found. Hubs are
// peeled on up to two goroutines. Output is deterministic.
package lockstep
