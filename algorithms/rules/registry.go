package rules

// Rule ids.
const (
	IDPlaceholderDoctor = "DQ-PLACEHOLDER-DOCTOR"
	IDSexItem           = "R-SEX-ITEM"
	IDAgeItem           = "R-AGE-ITEM"
	IDSexDiagnosis      = "R-SEX-DISE"
	IDAgeDiagnosis      = "R-AGE-DISE"
	IDOverSupply        = "R-OVER-SUPPLY"
	IDRepeatRx          = "R-REPEAT-RX"
	IDFrequentVisits    = "R-FREQ-VISIT"
	IDSplitAdmission    = "R-SPLIT-ADMIT"
	IDCensusBeds        = "R-CENSUS-BEDS"
	IDAfterDeath        = "R-AFTER-DEATH"
	IDDoctorDistant     = "R-DOCTOR-DISTANT"
	IDPersonDistant     = "R-PERSON-DISTANT"
	IDDoctorCapacity    = "R-DOCTOR-CAPACITY"
	IDTraceDuplicate    = "R-TRACE-DUP"
	IDRoundQuantity     = "R-ROUND-QTY"
	IDPriceCap          = "R-PRICE-CAP"
	IDDuplicateBilling  = "R-DUP-BILL"
	IDGhostBed          = "R-GHOST-BED"
)

// intP and realP build parameter specs.
func intP(name string, def, lo, hi float64, doc string) Param {
	return Param{Name: name, Default: def, Min: lo, Max: hi, Integer: true, Doc: doc}
}

func realP(name string, def, lo, hi float64, doc string) Param {
	return Param{Name: name, Default: def, Min: lo, Max: hi, Doc: doc}
}

// definitions returns the rule library's definitions in canonical order,
// freshly built on every call (Params is filled by Defaults).
func definitions() []Rule {
	return []Rule{
		{ID: IDPlaceholderDoctor, Context: WholeCity, Version: "1.1", Name: "占位医师编码（数据质量）", NameEn: "placeholder doctor code (data quality)",
			Family: "data-quality", Stage: After, Result: DataQualityResult, Scenario: "all", Window: "data period",
			Specs: []Param{
				intP("min_visits", 1000, 1, 1e9, "an unregistered code needs at least this many live visits"),
				realP("peer_factor", 20, 1, 1e6, "and at least this many times the median live visits of doctor codes"),
				intP("pattern_min_visits", 100, 1, 1e9, "a code shaped like a placeholder (009999, unknown, 0000, or a national code whose serial is all 0s or 9s, D330500999999) needs only this many visits"),
			}},
		{ID: IDSexItem, Context: PersonHistory, run: runSexItem, Version: "1.0", Name: "限性别项目", NameEn: "sex-restricted item",
			Family: "sex-restricted", Stage: During, AlsoAt: AtBefore, Result: Definite, Article: Art38, ArticleEn: Art38En,
			Scenario: "all", Window: "visit",
			Specs: []Param{intP("min_lines", 1, 1, 1e6, "fee lines of one item for one person needed for a hit")}},
		{ID: IDAgeItem, Context: PersonHistory, run: runAgeItem, Version: "1.0", Name: "限年龄项目", NameEn: "age-restricted item",
			Family: "age-restricted", Stage: During, AlsoAt: AtBefore, Result: Definite, Article: Art38, ArticleEn: Art38En,
			Scenario: "all", Window: "visit",
			Specs: []Param{
				intP("tolerance_years", 0, 0, 20, "years of age tolerated outside the catalogue limits"),
				intP("min_lines", 1, 1, 1e6, "fee lines of one item for one person needed for a hit"),
			}},
		{ID: IDSexDiagnosis, Context: PersonHistory, run: runSexDiagnosis, Version: "1.0", Name: "诊断与性别不符", NameEn: "diagnosis inconsistent with sex",
			Family: "sex-restricted", Stage: During, Result: Suspicious, Article: Art40, ArticleEn: Art40En,
			Scenario: "all", Window: "visit",
			Specs: []Param{intP("min_visits", 1, 1, 1e6, "visits of one person needed for a hit")}},
		{ID: IDAgeDiagnosis, Context: PersonHistory, run: runAgeDiagnosis, Version: "1.0", Name: "诊断与年龄不符", NameEn: "diagnosis inconsistent with age",
			Family: "age-restricted", Stage: During, Result: Suspicious, Article: Art40, ArticleEn: Art40En,
			Scenario: "all", Window: "visit",
			Specs: []Param{
				intP("tolerance_years", 0, 0, 20, "years of age tolerated outside the table's limits"),
				intP("min_visits", 1, 1, 1e6, "visits of one person needed for a hit"),
			}},
		{ID: IDOverSupply, Context: PersonHistory, run: runOverSupply, Version: "1.0", Name: "超量开药", NameEn: "over-prescribing (supply beyond limit)",
			Family: "over-prescribing", Stage: Before, AlsoAt: AtDuring, Result: Definite, Article: Art38, ArticleEn: Art38En,
			Scenario: "outpatient, pharmacy", Window: "prescription",
			Specs: []Param{
				intP("normal_days", 7, 1, 365, "longest supply of an ordinary prescription without catalogue max_days (处方管理办法 art. 19)"),
				intP("emergency_days", 3, 1, 365, "longest supply of an emergency (med_type 13) prescription"),
				intP("chronic_days", 84, 1, 365, "longest supply for chronic patients (med_type 14 or a chronic diagnosis): 12 weeks"),
				intP("tolerance_days", 0, 0, 365, "days tolerated beyond the limit"),
				intP("catalog_binds_chronic", 0, 0, 1, "1: catalogue max_days also caps chronic prescriptions; 0: chronic_days prevails"),
			}},
		{ID: IDRepeatRx, Context: PersonHistory, run: runRepeatRx, Version: "1.1", Name: "重复开药/频繁开药", NameEn: "repeat prescribing (overlapping supply)",
			Family: "repeat-prescribing", Stage: After, AlsoAt: AtBefore | AtDuring, Result: Suspicious, Article: Art38, ArticleEn: Art38En,
			Scenario: "outpatient, pharmacy", Window: "supply period",
			Specs: []Param{
				intP("tolerance_days", 3, 0, 365, "early refill tolerated: overlap days always allowed"),
				realP("tolerance_share", 0.2, 0, 1, "early refill tolerated as a share of the running supply"),
				intP("min_repeats", 1, 1, 1e6, "overlapping refills of one drug by one person needed for a hit"),
			}},
		{ID: IDFrequentVisits, Context: WholeCity, run: runFrequentVisits, Version: "1.0", Name: "频繁就诊", NameEn: "frequent visits against peers",
			Family: "frequent-visits", Stage: After, AlsoAt: AtBefore, Result: Suspicious, Article: Art40, ArticleEn: Art40En,
			Scenario: "outpatient", Window: "rolling window",
			Specs: []Param{
				intP("window_days", 30, 1, 366, "rolling window in which visits are counted"),
				intP("min_visits", 8, 1, 1e6, "absolute floor: visits in the window needed for a hit"),
				realP("mad_k", 5, 0, 1e3, "robust z: visits above median + mad_k × 1.4826 × MAD of the peer group"),
				intP("min_peers", 30, 1, 1e9, "smallest peer group; smaller groups fall back to diagnosis only, then to everyone"),
				intP("age_band_years", 10, 1, 150, "width of the age bands of peer groups"),
			}},
		{ID: IDSplitAdmission, Context: PersonHistory, run: runSplitAdmission, Version: "1.0", Name: "分解住院", NameEn: "split hospitalisation (early readmission)",
			Family: "split-hospitalisation", Stage: After, AlsoAt: AtDuring, Result: Suspicious, Article: Art38, ArticleEn: Art38En,
			Scenario: "inpatient", Window: "stay",
			Specs: []Param{
				intP("max_gap_days", 15, 0, 365, "readmission at most this many days after discharge (some cities use 14)"),
				intP("match_prefix", 3, 0, 16, "diagnosis codes compared on this many leading characters (0: whole code)"),
				intP("same_institution", 1, 0, 1, "1: only readmissions to the same institution"),
				intP("without_diagnosis", 1, 0, 1, "1: when the data carry no diagnosis at all (dise_codg absent), every readmission within max_gap_days counts: a split stay cannot be told from another readmission, and a hospital's rate of them against the others' still tells"),
			}},
		{ID: IDCensusBeds, Context: Census, run: runCensusBeds, Version: "1.0", Name: "在院人数超床位", NameEn: "inpatient census above approved beds",
			Family: "census-over-beds", Stage: After, Result: Suspicious, Article: Art40, ArticleEn: Art40En,
			Scenario: "inpatient", Window: "day",
			Specs: []Param{
				realP("over_ratio", 1.1, 1, 100, "census above beds × over_ratio is flagged (extra beds of about 10% are common)"),
				intP("min_days", 1, 1, 10000, "over-census days needed for a hit"),
			}},
		{ID: IDAfterDeath, Context: PersonHistory, run: runAfterDeath, Version: "1.0", Name: "死亡后就医", NameEn: "claims after death",
			Family: "dead-person-claims", Stage: During, AlsoAt: AtBefore, Result: Definite, Article: Art40, ArticleEn: Art40En,
			Scenario: "all", Window: "visit",
			Specs: []Param{intP("grace_days", 0, 0, 365, "days after die_date tolerated (late-posted fees)")}},
		{ID: IDDoctorDistant, Context: DoctorDay, run: runDoctorDistant, Version: "1.1", Name: "医师异地同时执业", NameEn: "doctor at distant sites at once",
			Family: "staff-qualification", Stage: After, Result: Suspicious, Article: Art40, ArticleEn: Art40En,
			Scenario: "outpatient", Window: "hours",
			Specs: []Param{
				realP("min_km", 30, 0, 20000, "sites at least this far apart (haversine km)"),
				realP("other_city_km", 100, 0, 20000, "distance taken for sites without locations whose region codes (admdvs) name different cities of one province (first four digits)"),
				realP("other_province_km", 500, 0, 20000, "distance taken for sites without locations whose region codes name different provinces (first two digits)"),
				realP("speed_kmh", 60, 1, 1000, "fastest plausible travel between sites"),
				intP("min_conflicts", 1, 1, 1e6, "impossible site changes needed for a hit"),
			}},
		{ID: IDPersonDistant, Context: PersonHistory, run: runPersonDistant, Version: "1.0", Name: "参保人同时异地就医", NameEn: "person at distant places at once",
			Family: "impersonation", Stage: After, AlsoAt: AtDuring, Result: Suspicious, Article: Art41, ArticleEn: Art41En,
			Scenario: "all", Window: "hour",
			Specs: []Param{
				realP("min_km", 50, 0, 20000, "places at least this far apart (haversine km)"),
				intP("max_gap_minutes", 60, 0, 10080, "visits at most this many minutes apart"),
				intP("check_inpatient", 1, 0, 1, "1: also flag visits at a distant place during an inpatient stay"),
				intP("include_pharmacy", 0, 0, 1, "1: count pharmacy purchases too (0: a carer may buy with the card elsewhere)"),
				intP("min_conflicts", 1, 1, 1e6, "conflicts needed for a hit"),
			}},
		{ID: IDDoctorCapacity, Context: DoctorDay, run: runDoctorCapacity, Version: "1.0", Name: "医师接诊量超能力", NameEn: "doctor over capacity per time slot",
			Family: "fabricated-services", Stage: After, Result: Suspicious, Article: Art40, ArticleEn: Art40En,
			Scenario: "outpatient", Window: "time slot",
			Specs: []Param{
				intP("slot_minutes", 60, 1, 1440, "length of a time slot"),
				intP("max_per_slot", 15, 1, 1e6, "visits one doctor can give in a slot"),
				intP("min_slots", 1, 1, 1e6, "over-capacity slots needed for a hit"),
			}},
		{ID: IDTraceDuplicate, Context: TraceCode, run: runTraceDuplicate, Version: "1.0", Name: "追溯码重复销售", NameEn: "drug trace code sold more than once",
			Family: "drug-reselling", Stage: During, Result: Definite, Article: Art38, ArticleEn: Art38En,
			Scenario: "pharmacy, outpatient", Window: "data period",
			Specs: []Param{intP("min_sales", 2, 2, 1e6, "sales (fee lines) of one trace code needed for a hit")}},
		{ID: IDRoundQuantity, Context: PharmacyItem, contextFees: roundQtyFees, run: runRoundQuantity, Version: "1.0", Name: "药店整数量购廉价药（串换套现）", NameEn: "round-quantity purchases of a cheap drug",
			Family: "item-swapping", Stage: After, Result: Suspicious, Article: Art38, ArticleEn: Art38En,
			Scenario: "pharmacy", Window: "data period",
			Specs: []Param{
				realP("max_price_yuan", 5, 0, 1e6, "unit price at most this (a cheap drug)"),
				intP("round_base", 10, 1, 1e6, "quantity must be a multiple of this"),
				realP("min_qty", 10, 1, 1e9, "and at least this"),
				intP("min_purchases", 5, 1, 1e9, "round-quantity purchases of the drug at the pharmacy needed for a hit"),
				realP("min_round_share", 0.5, 0, 1, "share of the drug's purchases there that are round-quantity"),
			}},
		{ID: IDPriceCap, Context: PersonHistory, run: runPriceCap, Version: "1.0", Name: "超标准收费", NameEn: "price above catalogue cap",
			Family: "over-standard-billing", Stage: During, Result: Definite, Article: Art38, ArticleEn: Art38En,
			Scenario: "all", Window: "fee line",
			Specs: []Param{realP("tolerance_share", 0, 0, 10, "price tolerated above the cap as a share of it")}},
		{ID: IDDuplicateBilling, Context: PersonHistory, run: runDuplicateBilling, Version: "1.0", Name: "重复收费", NameEn: "duplicate billing",
			Family: "duplicate-billing", Stage: During, Result: Suspicious, Article: Art38, ArticleEn: Art38En,
			Scenario: "all", Window: "visit",
			Specs: []Param{
				intP("include_drugs", 0, 0, 1, "1: drugs too (0: services and consumables only, as drug lines often repeat by batch)"),
				intP("min_duplicates", 1, 1, 1e6, "duplicate lines of one item at one institution needed for a hit"),
			}},
		{ID: IDGhostBed, Context: PersonHistory, run: runGhostBed, Version: "1.0", Name: "挂床住院", NameEn: "ghost bed (no service during a stay)",
			Family: "bed-blocking", Stage: After, Result: Suspicious, Article: Art38, ArticleEn: Art38En,
			Scenario: "inpatient", Window: "stay",
			Specs: []Param{
				intP("min_gap_hours", 72, 1, 8784, "hours without any charge during a stay"),
				intP("min_fee_days", 2, 1, 365, "stays whose fee lines fall on fewer distinct days are skipped (fee times are settlement times)"),
			}},
	}
}
