package vocab

// Signals are the reasons a group is reported as a ring: each ring's
// `why` in rings.json lists its strongest signals, strongest first, each a
// code of this category with its parameters, rendered in both languages.
const Signals Category = "signal"

// Ring signals (algorithms/rings: the independent pieces of evidence its
// score combines).
const (
	// SignalSignature: a typology signature found the group (split stays,
	// round quantities, boxes that come back, distant doctors, admission
	// cohorts); {fact} is the graph fact's code (category Facts).
	SignalSignature = "signature"
	// SignalRuleSignature: a rule of the library found the group by its
	// signature (split stays, round quantities, a doctor at distant sites
	// at once); {rule} is the rule id, {name} its name in the sentence's
	// language (algorithms/rings passes the rule's Chinese name for the zh
	// sentence, its English name for the en one).
	SignalRuleSignature = "rule_signature"
	// SignalPeerFund: the fund paid per visit lies {z} robust standard
	// deviations above comparable visits.
	SignalPeerFund = "peer_fund"
	// SignalPeerShare: the share of the bill the fund pays lies {z} robust
	// standard deviations above comparable visits.
	SignalPeerShare = "peer_share"
	// SignalLockstep: {density}% of the members' outpatient visits fall in
	// same-hour cohorts of one doctor, {lift} times the {baseline}% of the
	// same sites' other visits.
	SignalLockstep = "lockstep"
	// SignalLockstepRoutine: the lockstep of a site's routine, weighed
	// down: {monthly}% of the members' successive visits fall on the same
	// day of each month, by people living nearby, billed not far above
	// their peers (a chronic follow-up day), {density}% in same-hour
	// cohorts.
	SignalLockstepRoutine = "lockstep_routine"
	// SignalRuleHits: {share}% of the ring's visits were cited by the rule
	// library ({hits} hits).
	SignalRuleHits = "rule_hits"
	// SignalCardShare: {share}% of the visits were registered with a
	// social-security card by people living elsewhere.
	SignalCardShare = "card_share"
	// SignalAwayRhythm: {share}% of the people live far away yet come on a
	// regular rhythm (regularity {rhythm}).
	SignalAwayRhythm = "away_rhythm"
	// SignalRepeatAdmissions: {share}% of the people are admitted again and
	// again; the sites hold {lift} times their class's rate of such people.
	SignalRepeatAdmissions = "repeat_admissions"
	// SignalHeavyVisits: {share}% of the people came {lift} times as
	// often as the ring's sites' returning people usually do.
	SignalHeavyVisits = "heavy_visits"
	// SignalOnset: {share}% of the people began to come to the ring's
	// sites again and again in the same weeks, {lift} times what the
	// sites' and their class's ordinary arrivals predict.
	SignalOnset = "onset"
	// SignalOffset: {share}% of the people stopped coming to the ring's
	// sites in the same weeks after coming again and again, {lift} times
	// what the sites' and their class's ordinary departures predict.
	SignalOffset = "offset"
	// SignalSiteExcess: the ring's sites have {share}% of their returning
	// people in flagged relations, {lift} times the {peer}% of their
	// class (the test that formed the group; not a term of the score).
	SignalSiteExcess = "site_excess"
	// SignalCohorts: {people} people came to one doctor (or site) in
	// {groups} small groups on the same days, {lift} times what their days
	// there and their habits explain (the test that formed the group; not
	// a term of the score).
	SignalCohorts = "cohorts"
)

// signals are the ring signals, in order of display.
var signals = []Entry{
	{Code: SignalSignature, Params: []string{"fact"},
		Zh: "由专项特征发现：{fact|fact}", En: "found by a typology signature: {fact|fact}",
		DescZh: "该团伙由某一类型的专项特征（分解住院、整数量购药、回流药品、异地执业、同批入院等）直接发现", DescEn: "a typology-specific signature (split stays, round quantities, boxes that come back, distant doctors, admission cohorts) found the group"},
	{Code: SignalRuleSignature, Params: []string{"name", "rule"},
		Zh: "由规则特征发现：{name}（{rule}）", En: "found by the signature of rule {name} ({rule})",
		DescZh: "该团伙由规则库中某条规则的团伙特征（分解住院、整数量购药、医师异地同时执业等）直接发现", DescEn: "a rule of the library found the group by its signature (split stays, round quantities, a doctor at distant sites at once)"},
	{Code: SignalSiteExcess, Params: []string{"share", "lift", "peer"},
		Zh: "这些机构 {share}% 的复诊人员处于异常就诊关系，是同类机构常态（{peer}%）的 {lift} 倍", En: "{share}% of the sites' returning people are in flagged relations, {lift} times their class's {peer}%",
		DescZh: "形成团伙的机构检验：异常人–机构关系的比例相对同类机构常态的倍数", DescEn: "the site test that formed the group: the share of flagged person–site relations against the class's ordinary share"},
	{Code: SignalCohorts, Params: []string{"people", "groups", "lift"},
		Zh: "{people} 人分 {groups} 组在同一天先后到同一医师（或机构）处就诊，是其就诊日与就诊习惯所能解释的 {lift} 倍", En: "{people} people came to one doctor (or site) together on the same days, in {groups} group(s), {lift} times what their days there and their habits explain",
		DescZh: "形成团伙的结伴就诊检验：同一医师（或机构）的复诊人员成组同日就诊相对偶然的倍数", DescEn: "the co-visit test that formed the group: how far one doctor's (or institution's) returning people coming together in groups on the same days exceeds chance"},
	{Code: SignalPeerFund, Params: []string{"z"},
		Zh: "每次就诊基金支付高出同类就诊 {z} 个稳健标准差", En: "fund paid per visit {z} robust standard deviations above comparable visits",
		DescZh: "团伙就诊的次均基金支付相对同类（同场景、同类机构、同类诊断）就诊的稳健z值中位数", DescEn: "median robust z of the ring's fund per visit against comparable visits (scenario, institution class, diagnosis)"},
	{Code: SignalPeerShare, Params: []string{"z"},
		Zh: "基金支付比例高出同类就诊 {z} 个稳健标准差", En: "share of the bill paid by the fund {z} robust standard deviations above comparable visits",
		DescZh: "团伙就诊的基金支付比例相对同类就诊的稳健z值中位数", DescEn: "median robust z of the fund's share of the bill against comparable visits"},
	{Code: SignalLockstep, Params: []string{"density", "lift", "baseline"},
		Zh: "{density}% 的门诊就诊集中在同一医生同一时段，是这些机构其他就诊（{baseline}%）的 {lift} 倍", En: "{density}% of outpatient visits in same-hour cohorts of one doctor, {lift} times the {baseline}% of the sites' other visits",
		DescZh: "成员同步就诊的密度与同一机构平常水平之比", DescEn: "how densely the members visit together, against the same sites' ordinary traffic"},
	{Code: SignalLockstepRoutine, Params: []string{"density", "lift", "monthly"},
		Zh: "{density}% 的门诊就诊集中在同一医生同一时段（其他就诊的 {lift} 倍），但 {monthly}% 的复诊在每月同一天、由本地人员就诊、费用未明显高于同类：按机构例行随访计，权重降低", En: "{density}% of outpatient visits in same-hour cohorts of one doctor ({lift} times the sites' other visits), but {monthly}% of the revisits on the same day of each month by local people billed not far above their peers: weighed as the site's routine (a follow-up day)",
		DescZh: "同步就诊按月同日、本地人员、费用未明显偏高时视为机构例行随访，证据权重按比例降低", DescEn: "synchrony of a site's monthly routine (same day each month, local people, billing not far above peers), weighed down"},
	{Code: SignalRuleHits, Params: []string{"share", "hits"},
		Zh: "{share}% 的就诊被规则库命中（共 {hits} 条命中）", En: "{share}% of the visits cited by the rule library (rule hits: {hits})",
		DescZh: "团伙就诊中被监管规则命中的比例", DescEn: "the share of the ring's visits the monitoring rules cited"},
	{Code: SignalCardShare, Params: []string{"share"},
		Zh: "{share}% 的就诊由外地人员持实体社保卡结算", En: "{share}% of the visits settled with a social-security card by people living elsewhere",
		DescZh: "持卡（mdtrt_cert_type 03）就诊的比例，收卡盗刷的特征", DescEn: "the share of card-based visits (mdtrt_cert_type 03), the mark of card collection"},
	{Code: SignalAwayRhythm, Params: []string{"share", "rhythm"},
		Zh: "{share}% 的成员住在远处却规律地前来就诊（规律性 {rhythm}）", En: "{share}% of the people live far away yet come on a regular rhythm (regularity {rhythm})",
		DescZh: "异地人员规律就诊的比例与规律性（1 − 就诊间隔变异系数）", DescEn: "the share of people from afar visiting on a rhythm, and its regularity (1 − coefficient of variation of the gaps)"},
	{Code: SignalRepeatAdmissions, Params: []string{"share", "lift"},
		Zh: "{share}% 的成员反复住院，这些机构此类人员是同类机构常态的 {lift} 倍", En: "{share}% of the people admitted again and again; the sites hold {lift} times their class's rate of such people",
		DescZh: "反复住院人员的比例，以及机构相对同类机构的超出倍数", DescEn: "the share of people admitted again and again, and how far the sites exceed their class"},
	{Code: SignalHeavyVisits, Params: []string{"share", "lift"},
		Zh: "{share}% 的成员到这些机构就诊的次数是其复诊人员常见次数的 {lift} 倍", En: "{share}% of the people came to the sites {lift} times as often as their returning people usually do",
		DescZh: "就诊次数远超所在机构复诊人员常态的成员比例，以及超出的倍数（同一张卡被反复结算）", DescEn: "the share of people billed far more often than the sites' returning people usually are, and by how much (one card billed again and again)"},
	{Code: SignalOnset, Params: []string{"share", "lift"},
		Zh: "{share}% 的成员在同一时期开始反复到这些机构就诊，是机构与同类机构常态预期的 {lift} 倍", En: "{share}% of the people began to come to the sites again and again in the same weeks, {lift} times what the sites' and their class's ordinary arrivals predict",
		DescZh: "同期开始反复就诊（招募）的人员比例，以及相对机构自身与同类机构新增常客节律的倍数", DescEn: "the share of people who began to come again and again together (recruitment), and how far that exceeds the sites' own and their class's ordinary arrivals"},
	{Code: SignalOffset, Params: []string{"share", "lift"},
		Zh: "{share}% 的成员在反复就诊后于同一时期停止到这些机构就诊，是机构与同类机构常态预期的 {lift} 倍", En: "{share}% of the people stopped coming to the sites in the same weeks after coming again and again, {lift} times what the sites' and their class's ordinary departures predict",
		DescZh: "反复就诊后同期停止就诊（团伙收手）的人员比例，以及相对机构自身与同类机构常客流失节律的倍数", DescEn: "the share of people who stopped coming together after coming again and again (a ring winding up), and how far that exceeds the sites' own and their class's ordinary departures"},
}
