// Package rings turns claims into ranked fraud rings and per-entity scores:
// who is in each ring and in what role, what typology it looks like (or
// unclassified), how much of the fund is at risk, and the rows that prove
// it.
//
// What it reports is the findings contract of package graph/findings
// (findings.Findings), shared by ring formation, the outputs (rings.json,
// entities.csv, report.html), the evaluation against a synthetic city's
// truth, the web view and the Neo4j export. rings.json follows the data
// contract's "Outputs" section: each ring has id, rank, score, typology,
// members ({kind, id}), amount_at_risk and evidence citing mdtrt_id /
// feedetl_sn rows.
//
// # Method
//
// A ring is a group of people, doctors and sites whose relations are more
// frequent, more synchronous or more costly than chance and their peers
// explain. Detect looks for such groups first without asking what typology
// they are; the typology signatures of docs/typologies.md come in as extra
// ways in and as evidence, and a ring's typology is decided after it is
// formed (typologyOf), unclassified when nothing known fits.
//
// Peers. Every visit's fund amount and fund share are robust z-scores
// against visits of the same scenario (outpatient, inpatient, pharmacy,
// chronic), institution class and diagnosis category or insurance scheme,
// where every institution has one vote on the centre and the scale is the
// ordinary spread within one site, so that a ring cannot set its own
// baseline (peerModel).
//
// Relation excess (excessCandidates, the way in that does not depend on
// typology). Each relation of a person with a site (min_relation_visits
// visits, or min_relation_stays admissions: a ward's recruits are admitted
// once or twice) is judged on its own:
// billed far above peers (its median z at least costly_z, and relation_z
// robust scales above the relations of the same institution class, so that
// kinds of care that are dear by nature do not count), almost only
// card-based while the person lives elsewhere, frequent and rhythmic
// while the person lives far away, or admitted again and again
// (repeat_admissions times, at the site or over several: beds kept full
// with the same people). A person whose care is spread over
// several sites is judged over all of them. Each site's flagged relations
// are compared with what its class's ordinary rate (the lower quartile over
// sites) predicts, standardised by kind of care (expectedFlagged: chronic
// or special outpatient relations expect chronic care's rate, the median of
// the class's sites, since dear multi-drug prescriptions are ordinary
// there; the site is tested as a whole and in each kind of care alone), by
// the Poisson tail at a family-wise significance
// (min_significance + log10 of the sites tested), on all returning people,
// on the regulars of the period, on the severe relations alone (billed
// severe_z robust scales above peers, against the class's flagged rate
// times its share of severe ones: a small ring billed far beyond a busy
// site's ordinary costly relations), on its repeat inpatients against its
// inpatients (the class's ordinary share of repeat inpatients among those
// admitted: a busy hospital's outpatients hide a ward kept full with the
// same people), on its regulars from another district of the city who come
// on a strict rhythm (rhythm_strict: cards swiped on a schedule; against
// the class's pooled share of them among regulars, since ordinary regulars
// from the next district are many and such relations count nowhere else),
// likewise on its regulars on a strict rhythm whose care the data shows
// nowhere else (where they live is unknown: the cards of people who live or
// study far away, when region codes are missing), and on both together
// and with its regulars from far away who come on a rhythm (a station
// holding the cards of people from everywhere), on its heavy relations
// (relations of ordinary care that no flag of the tests above but a strict
// rhythm flags, of heavy_ratio times the visits its returning people of
// ordinary care make at heavy_quantile: cards billed again and again where
// the site's other people come a few times; against the class's pooled
// share of them among those people; pharmacies aside, where chronic
// patients refill on a rhythm; a relation both heavy and on a strict
// rhythm counts in both tests),
// and on each kind of flag alone: where
// one kind makes a site stand out, only relations of that kind stay (one
// operation per ring). Rings spread thinly over several sites, none of
// which stands out alone, are found as pairs of sites whose people are
// flagged at both far beyond the coincidences of a configuration model
// and beyond the ordinary share, over the city, of shared people flagged
// at both times the people the two sites share (neighbouring clinics share
// their patients, and people billed above peers at one are often billed
// so at the next) (coFlagged), and as pairs of half-seeded sites: sites
// whose flagged regulars stand out (half_site_people of them or more,
// flagged_lift times their expectation) but are fewer than
// min_ring_people, seeded on their regulars when two of them share a
// flagged regular or a doctor of their flagged visits, their Poisson tails
// together are beyond chance (min_significance + log10 of such pairs) and
// they hold min_ring_people people (pairHalfSeeds: three or four recruits
// at each of two clinics). Seeded sites join when they share flagged
// people or the doctors of flagged visits (registered doctors when visits
// name none), when one doctor gives link_main_doctor_share of the flagged
// visits of both (one doctor running the flagged care of two sites), or
// when the flagged people of each come to the other site, for care nothing
// flags, far more often than the site's other people do (link_visit_lift,
// both ways, beyond chance): a ring's recruits keep their other care at its
// other sites. In a group of linked sites, a site's own people (flagged
// there and at none of the group's other sites) stay only while they are
// an excess by themselves (flagged_lift times the site's chance
// expectation), and a pharmacy where the group's people are flagged no
// more than chance allows leaves the group (ownExcess): the pharmacy where
// a ward's patients fill their ordinary prescriptions brings its chronic
// patients along otherwise. The sites left are linked again among
// themselves (relink): a pharmacy where people of two rings fill their
// prescriptions does not join the two through the people each shares with
// it. This is the likelihood-weighted co-visit idea of FraudAuditor
// (Lin et al., "FraudAuditor: A Visual Analytics Approach for Collusive
// Fraud in Health Insurance", IEEE TVCG 29(6), 2023) applied to the
// person–site relations of settled claims: what counts is the excess over
// the coincidences a site's volume and class explain, not raw density.
// A site serving a closed population (closedSites: most of its returning
// people get almost all their care there, as a nursing home's or a
// boarding school's residents do) is not seeded by relations billed above
// peers, on a strict rhythm or heavy: its dearest residents (the oldest,
// the multi-drug chronic patients) are the tail of the population it cares
// for, the rhythm and the visits are its rounds, and its class's ordinary
// rates, set by open clinics, do not describe them. Card-based,
// rhythmic-from-afar and repeat-admission flags still count there. Its
// rounds (residents seen together on the same days by its doctor, month
// after month) are neither a lockstep block nor a co-visit cohort nor a
// crowded hour: blocks and cohorts with half of their visits at such sites
// are left out (mostlyRounds), and their hours are not tested. The same
// holds at an organisation's own infirmary, named so (graph.Infirmary:
// 医务室, 校医室 of a school, a workplace, a home), whose pupils and staff
// board or commute from elsewhere and are called in together: there cards
// from afar, rhythms and heavy relations do not seed either; billed above
// peers still does.
//
// Where a person lives, for the card and from-afar flags (away): the
// insured region (insuplc_admdvs) against the site's (admdvs) when both
// name a district; an insured region that names only the city (XXXX00:
// insurance pooled by the city, as in most of the country, so that every
// insured person of the city carries it) says the person is the city's,
// and where in it the person lives is left to the inferred geography (the
// area of the person's other care), which then runs as it does without
// region codes; without it the person counts as living near the site.
//
// Item concentration (itemCandidates, cand_items.go). Heavy fills whose
// boxes carry no trace code and whose lines give no supply days leave one
// trace: many people filling the same item again and again at one
// pharmacy, each billed severe_z robust scales above peers. A pharmacy and
// item pair seeds when its count of such fillers is item_lift times what
// the item's rate at the other pharmacies predicts from the site's
// returning people, beyond chance (min_significance + log10 of the pairs
// tested): chronic patients filling dear drugs cluster near hospitals at a
// few times their share, a ring's recruits at many times. The pair must
// also stand out among the item's buyers (item_buyer_lift): a pharmacy
// designated for a dear drug draws its buyers from the whole city, and as
// many of them fill it again and again as anywhere else. Fills most of
// whose traced boxes were sold before count nowhere: they are the
// customers of a pharmacy where a ring's boxes resurface, and the ring is
// the first buyers, found where they fill.
//
// Item overuse (overuseCandidates, cand_overuse.go). Quantities need no
// price, supply days or trace code: a person over-uses an item when the
// units billed to them over the period reach overuse_ratio times the
// item's overuse_quantile among its buyers (items of at least
// overuse_min_buyers buyers), boxes sold again to a later buyer left out,
// and their relation with the pharmacy that billed most of those units is
// costly. A chronic patient on a dear drug takes what its other patients
// take; a recruit whose card buys boxes for resale takes several times as
// much. A pharmacy and item pair seeds when its over-users are
// overuse_lift times what the item's rate of over-users among its buyers
// elsewhere predicts, beyond chance. Clinics are left out: the residents
// of a nursing home over-use its consultations as a group.
//
// Onset cohorts (onsetCandidates, cand_onset.go). An organised ring
// starts on a day: from then on its recruits come to its sites again and
// again, whatever they are billed. A person's onset at a site is the
// first of onset_min_visits or more live visits there; a site's onsets in
// each window of onset_window_days (two grids half a window apart, the
// site's first window left out: people who came before the data or the
// site began) are compared with what its onsets in the other windows
// predict at its class's ratio of onsets in the window to onsets
// elsewhere, and seed the site at onset_lift times that, beyond chance.
// People most of whose traced purchases there are boxes sold before are
// left out (a reselling pharmacy's customers arrive with the boxes). The
// sites of one operation are linked as relation excess links them, and
// also when each cohort's people come to the other's site far more often
// than the people the site had before its cohort did (linkCohorts: a
// recruit comes to all of a ring's sites but reaches onset_min_visits at
// one or two). Every candidate whose people are in such cohorts has it as
// evidence (signal onset): the share of its people in a cohort and the
// cohorts' lift. The same test on reversed time finds offset cohorts
// (fact and signal offset): people who stopped coming together after
// onset_min_visits or more visits, at offset_lift, the site's last window
// and the data's last left out. A ring that ran since before the data
// began shows no arrivals, but it ends; people also leave together for
// ordinary reasons (a doctor retires, a drug is delisted), so the lift
// asked is higher than for onsets.
//
// Co-visit cohorts (covisitCandidates, cand_cohort.go). A ring run by one
// doctor brings its recruits in small batches, a few at a time, month
// after month, at one site or at several where the doctor works: each
// batch is too small for a lockstep block and each site holds too few of
// them for the relation excess. At each hub (a doctor, an institution
// for the visits that name no usable doctor, or a pharmacy's counter),
// two returning people who
// came within cohort_window_minutes of each other cohort_min_covisits
// times or more are a pair, tested against its own chance: the larger of
// the hub's share of visit pairs on the same day (not the hour: people
// keep their hours, and two chronic patients who both come in the evening
// meet whenever their days coincide) and the pair's shift predictor, how
// often they meet with one of them moved a few days (people on a monthly
// rhythm meet about as often a day apart as on the day; people brought
// together, on the day only; Perkel, Gerstein & Moore, "Neuronal spike
// trains and stochastic point processes II", Biophys. J. 7, 1967). Chance
// puts no more than a share α of the tested pairs at a p-value of α or
// less, so a hub whose pairs at some level α (10^-min_significance and
// deeper) exceed tested pairs × α beyond chance, at min_significance +
// log10(hubs tested), holds cohorts; its pairs at that level link people
// into groups, couples left out (cohort_min_people), and a hub whose
// groups hold min_ring_people people seeds a candidate (fact G-COHORTS).
// Families and nursing homes come together too: strength is how far the
// groups' co-visits exceed their chance (cohort_lift_half), and scoring
// still asks for distance from peers, rule hits or other evidence. Such a
// candidate joins a ring holding all its sites and doctors, like a
// lockstep block, and is reported on the same terms. Families and carers
// buy together at a pharmacy, three or four at a time, and a ring that
// keeps its groups at separate counters leaves each counter's cohorts
// with nothing to show they are one operation: a pharmacy's groups count
// from cohort_pharmacy_people people, and its candidate widens the ring
// it goes together with (its people and the counter join, as members, not
// evidence), or stands as a ring when the cohorts of two counters go
// together (standing in merge.go); alone it is left out.
//
// Crowded slots (slotCandidates, cand_slots.go). A ring that sends its
// recruits to a clinic in batches of ten or fifteen, once or twice each
// over a few weeks, leaves none of the above: no relation of
// min_relation_visits visits, no pair of returning people, no dense block
// (each recruit is in two batches of many, so every recruit × batch block
// is sparse). It leaves hours in which a clinic whose hours hold one or
// two people holds a dozen, or mornings on which a ward that admits one
// person a day admits ten. At each medical site (pharmacies aside:
// families and carers buy together; sites serving a closed population
// aside), each clock hour of outpatient visits and each day of
// admissions holding slot_min_people people is tested, by the Poisson tail at min_significance +
// log10(hours with visits), against the same hour of the day on the
// site's other open days within slot_chance_days (a season crowds every
// hour of its weeks alike), each hour's count capped at the site's 90th
// percentile so that crowded hours do not set their own chance. Crowded
// hours of a site that share a person or follow each other within
// operation_days are one group; with them go the site's smaller batches
// while it was active (hours holding cohort_min_people people of its
// crowded hours). Its people are those who came in slot_min_visits of
// its hours for at least slot_person_share of their visits there (the
// patient who happened to be there in the hour came once; the site's
// regulars come at other times too); a group whose people are fewer than
// slot_return_share of the people in its hours (the crowd of a screening
// or vaccination drive comes once) or than min_ring_people is dropped
// (fact G-CROWDED-SLOTS; typology hint lockstep swiping, or fake
// hospitalisation for admissions).
//
// Wards (growWard, grow.go). The tests above flag people admitted again
// and again; a ward kept full with recruits also holds recruits admitted
// once or twice, whom nothing flags one by one. A candidate that is mostly
// admissions takes in the other people its ward doctors (each on at least
// ward_doctor_share of its admissions) admitted at least ward_stays times at
// its sites while it was active, and says so (fact G-WARD). Where visits
// name no doctor, or the ward has many, an admission surge stands in
// (growAdmissions): at a site where most of a scored candidate's people
// were admitted, the other people admitted while it was active, billed
// and kept as its people were (the 10th–90th percentiles of its stays'
// cost, fund share and length), join it when at least admit_grow_share of
// those admissions are beyond what the site's like admissions at other
// times predict, and their split between the two times is no chance (a
// binomial tail at min_significance); fact G-ADMIT-SURGE. Like regulars
// (below), they widen the ring's members, not its evidence.
//
// Short stays in a ring's weeks (growEpisodes, grow_episodes.go). A ring
// that recruits for a few weeks brings card holders who come two to five
// times and never again; the tests find those who came most often, and
// the rest look like anyone's short illness. At a site where most of a
// candidate's people came as outpatients or customers, its weeks there
// (the shortest stretch holding 80% of its visits, widened as for an
// operation visiting evenly) and its band (cost, fund share) are set; the
// other people whose whole stay there (episode_min_visits or more, mostly
// in the band) fits inside the weeks are compared with what chance gives
// the site's short stays of the same spans (each inside with chance
// (weeks − span) / (period − span)), and join when at least
// episode_grow_share of them are beyond it (fact G-EPISODES). Members,
// not evidence, again.
//
// Regulars (growRegulars, grow.go). A ring that keeps hundreds of recruits
// coming makes a site's regulars (people with the period's repeat visits)
// its own; the tests flag those billed dearest, and the rest, billed like
// the site's other people, come just as often in the same months. At a
// medical site whose regulars are at least regular_excess_share beyond
// what its class's ordinary share of regulars among returning people (the
// relation-weighted median) explains, a scored candidate most of whose
// people there are regulars, and who are at least regular_core_share of
// the site's regulars, takes in the site's other regulars active there
// while it was (fact G-REGULARS). The widening adds members, not evidence:
// the ring's score keeps the features of its people before it, with its
// size and money counted again.
//
// Sites gone to together (growSites, grow.go). A ring brings its recruits
// to all of its clinics, and the tests may have seeded only the one where
// they are billed most. For a candidate scoring at least report_score and
// formed without a typology's signature (relation excess, onsets,
// lockstep blocks, co-visit cohorts), each site outside it where at least
// grow_site_share of its people (at least 3) have a visit is compared with
// its neighbours, the other people of its sites, who live where its people
// live and use the same clinics, hospitals and pharmacies: age band by age
// band (decades; a ward's elderly recruits fill at the pharmacy of the
// elderly near them, as its elderly neighbours do), the neighbours' share
// with a visit there predicts how many of its people go, and the site
// joins when they are flagged_lift times that and beyond chance (Poisson,
// min_significance + log10 of the sites tested), with the people's visits
// there and its doctors on min_doctor_visits of them; no person joins
// (fact G-SITES). Like regulars, the site widens the ring's members and
// money, not its evidence.
//
// Peripheral people (trimPeripheral, members.go). Cohorts, widenings and
// merges take people by what they share with a ring, and a few share it
// by chance: a family member who came once with a recruit, an ordinary
// patient admitted in the ring's months. In a ring of at least twice
// min_ring_people people, those holding less than trim_share of the median
// person's ring visits and money (the mean of the two ratios) are left
// out, when they are at most trim_max_share of its people (more, and the
// ring is light by design). However many they are, the people below a
// clean break are left out too: when the ring's heaviest k people (at
// least min_ring_people) each hold core_gap times the ring visits and
// core_gap times the ring fund of everyone else (coreCut). A few recruits
// billed again and again at a busy site bring along the site's ordinary
// people flagged with them, who can outnumber them and then are the median
// person; people who differ by the ring's design differ in one of the two
// (inpatients and outpatients of one ring), not in both. The ring says so
// (fact G-TRIMMED).
//
// Operation windows (trimOffWindow, window.go). An operation runs for
// months; its recruits come while it does, and the ordinary patients of
// its clinic, whom its tests take in with them (billed above peers at a
// clinic that overbills everyone), come in any month. A scan statistic
// over a ring's visits by day (Kulldorff, "A spatial scan statistic",
// Commun. Stat. Theory Methods 26(6), 1997, in time alone) finds the
// window whose share of its visits most exceeds its share of the data
// period (the binomial likelihood ratio); it is an operation window when
// it is at least window_min_days long and at most window_max_share of the
// period, its visits come at window_rate_ratio times the rate of the
// ring's other visits, and its count is beyond chance (the binomial tail
// at min_significance + log10 of the windows tested), and the scan goes on
// on what it left, up to window_max_count windows (an operation recruiting
// in waves). In a ring of at least twice min_ring_people people, the
// people most of whose ring visits fall outside its windows are left out,
// when min_ring_people stay (fact G-OFF-WINDOW). A ring busy all year, or
// only somewhat busier in some months, has no window and keeps everyone.
//
// One operation at several sites (joinOperations, operation.go). An
// operation that recruits for several counters or clinics, each seeing
// only its own people, is found as one ring per site, and those share no
// person, doctor or site (on seeds 1–5 of bench quality, 94 of the 108
// reported rings in the top K that matched no planted ring were such
// pieces). What they share is the operation: it began and ended in the
// same weeks everywhere, it schedules and bills its recruits alike, and it
// bills the same things. Reportable rings of min_ring_people people or
// more (sharing no person, or too few for the merge) join when their
// median ring visits per person and median fund per visit are within
// operation_plan_ratio, and either their signatures overlap by
// signature_overlap (the items on signature_share of a ring's visits at
// signature_lift times their share among its sites' other visits of the
// same med_type: a ward's bed fees mark admissions, not a ring) or their
// cohort days (days on which sync_day_people of their people came)
// coincide beyond chance, expected weekday by weekday (two weekly habits
// of one weekday are no plan), at min_significance + log10(pairs) and on
// at least sync_min_days days; and, either way, the visits carrying the
// shared items (or the cohort days) began and ended within operation_days
// of each other (operation_span_trim of the visits at each end left out),
// and shared items count only for rings active over at most
// operation_max_share of the period (all-year rings share their months by
// chance; shared cohort days are a coincidence of days, whatever the
// rings' length). Two unrelated rings pass only by a
// triple coincidence; the join is recorded
// as a G-SAME-OPERATION fact with the days apart and the items shared.
//
// A ring inside another (absorbContained, merge.go). Last, a reportable
// ring all of whose sites, doctors and people are members of another
// reportable ring joins that one (a G-MERGED fact), which is finished and
// scored again: a borrowed doctor's code found by its clashes at a clinic
// whose ring bills with it is one case, not two.
//
// Where people live (geography.go). Region codes are optional in the data
// contract; without them a site's area is inferred by Leiden (modularity)
// on the site–site graph of shared people (Newman's 1/(k−1) weighting), a
// person's home area is where the person uses the most other sites (the
// pharmacy, station and clinic of everyday care, not the one clinic a ring
// bills again and again), and two areas are far apart when they hardly
// share people.
//
// Other ways in, each a documented signature: drug boxes that come back
// (cand_return.go: a re-sold trace code points at its first buyer, the
// site that sold it and the prescriber; people whose boxes keep coming back
// are joined through those sites, prescribers and the pharmacies where
// their boxes resurface, and form the ring when they are beyond the rate
// of the returners no group holds), pharmacies between which
// trace codes are sold again (cand_resell.go), same-morning admission
// cohorts against the coincidences expected by chance (cand_admit.go; a
// cohort absorbed by a broader relation-excess candidate keeps its
// standing and typology),
// lockstep blocks found by greedy dense-subgraph peeling (FraudAR: Hooi et
// al., "FRAUDAR: Bounding Graph Fraud in the Face of Camouflage", KDD 2016;
// package lockstep), concentrations of split admissions, round-quantity
// purchases and distant doctors (cand_rules.go); where visits name no
// doctor, a doctor registered (staff.csv) in the city of the code's region
// and at sites of another province is the borrowed-qualification lead left
// (cand_registered.go, registration_strength).
//
// Communities. A candidate spanning several sites is partitioned by Leiden
// (Traag, Waltman & van Eck, "From Louvain to Leiden: guaranteeing
// well-connected communities", Sci. Rep. 9, 5233, 2019; package community)
// on its own patient–doctor–site graph; communities are joined again when
// they share doctors or their people cross between each other's sites
// (shared_doctor_share, shared_visit_share), so that two operations that
// share neither people nor doctors are never one ring. Overlapping
// candidates merge when they share half of the smaller one's people, or
// when they share a doctor and one of them is a lockstep block (one doctor
// leading a group in step is one operation with whatever else the doctor
// is found in: its parts share structure, not people); merges repeat until
// none applies, so that parts linked through a third are one ring, and
// each is recorded as a G-MERGED fact naming the shared members. Then
// candidates that share no one join when their people come to each
// other's sites far beyond chance, both ways (visitLinks, merge_visits.go:
// one operation run at several sites with its own doctors and recruits at
// each, whose recruits keep some care at its other sites): at least
// min_ring_people of each, link_visit_lift times the larger of two
// expectations, from the sites' other people and from the people living
// where the ring's people live (rings recruiting in one district send
// their people to its clinics), beyond chance at min_significance + log10
// of the pairs tested; the G-MERGED fact counts those people
// (crossing_people) and cites their visits there.
// Peripheral people (far fewer flagged visits than the group's median
// person; in pharmacy groups, people filling at only one of them) are
// dropped (core).
//
// Scoring. A ring's features (features.go) are its distance from peers,
// its lockstep density against the ordinary traffic of its sites, its
// rule-hit concentration, card-based share, people living far away who come
// on a rhythm, people billed far more often at its sites than the sites'
// returning people are (heavy_share, weighed by how far: squash(heavy_lift
// − 1, heavy_ratio)), rhythm, concentration, size and fund; they combine as
// independent pieces of evidence (1 − Π(1 − s_i)) scaled by size and money.
// Synchrony that is a site's routine is not evidence: a group whose people
// come on the same day of every month (monthly_share at least
// routine_monthly_share), live where they come (local_share), are not
// billed far above their peers (costly_z) and neither began nor stopped
// together is a station's
// chronic follow-up day or a village doctor's round, and its lockstep
// evidence is weighed by 1 − monthly_share (routine).
// Rings scoring at least report_score are reported (at most max_rings), and
// so are lockstep blocks and co-visit cohorts whose strength × evidence reaches
// lockstep_report_evidence however small their size and money (people
// visiting together far beyond their sites' ordinary traffic are the ring;
// below the report line such blocks were rings or pieces of rings, never
// ordinary people), ranked, with roles, evidence citing rows, a daily timeline and the amount
// at risk. Every entity is scored: ring members at 0.5 and above, the
// others below 0.5 from their own peer distance, rule hits, membership of
// unreported candidates, share of flagged relations, closeness to the
// reported rings and, for doctors, work at more medical sites than the
// city's doctors ordinarily (multiSiteWeight: a ring's clinics share their
// doctors; by registrations where visits name no doctor).
//
// Members (members.go). Each member's part in its ring is counted over the
// ring's own visits (those behind amount_at_risk) as patient, institution
// or attending doctor: visits, net fund, first and last visit, and the rule
// hits assigned to the ring that name it. Its share of the ring's evidence
// is the mean of its visits over the ring's median member's and its fund
// over the median member's (medians floored at one visit and one yuan);
// its score is
//
//	0.5 + 0.5 · ring score · share/(share + member_share_half),
//
// in [0.5, 1]: the median member scores half way, the organiser holding
// sixty ring visits near 0.5 + 0.5·ring score, the card lender of one visit
// near 0.5. An entity in several reported rings has, in entities.csv, its
// score in the best-ranked one.
//
// Every threshold is a named field of Params, documented once in Table
// (docs/RING_PARAMS.md) and overridable (LoadParams, --ring-params). The
// minimum ring is min_ring_people people (5 by default). Quality by ring
// size, shape, camouflage and missing column is measured by `ringlens bench
// quality` on generated cities whose rings are composed from primitives
// (docs/quality.md).
//
// # Incremental scoring
//
// DetectLive keeps the state of a run so that visits appended to the tables
// later are scored incrementally (Live.Add): against the same peer
// statistics, joining the candidates whose institution and patients (or
// doctors) they concern, recruiting people whose relation with a ring's
// site is now flagged as the ring's are, re-scoring only the candidates
// touched; changed rings cite the new rows as a G-NEW-ROWS graph fact and
// carry Ring.Changed (the visits that joined since the full run and their
// fund; the server stamps when). A
// ring that only the new rows make significant appears at the next full
// run. See Live for what only a full run does.
package rings
