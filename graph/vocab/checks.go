package vocab

// Checks of one claim before and during settlement (algorithms/check,
// POST /api/v1/check): the decision a check answers with, and the signals
// beyond the rule library that a check reports as hits (ring context,
// staff status, open cases, a claim already settled), each a template over
// its parameters.
const (
	CheckDecisions Category = "check_decision" // decision of a check
	CheckSignals   Category = "check_signal"   // non-rule hits of a check (templates)
)

// Check decisions, weakest first.
const (
	DecisionPass   = "pass"
	DecisionRemind = "remind"
	DecisionReview = "review"
	DecisionReject = "reject"
)

// Check signals: the hit ids a check reports besides rule hits.
const (
	// CheckRingPerson: the person is a member of reported ring {ring} as
	// {role} (score {score}).
	CheckRingPerson = "CHK-RING-PERSON"
	// CheckRingSite: the institution or pharmacy is a member of reported
	// ring {ring} as {role} (score {score}).
	CheckRingSite = "CHK-RING-SITE"
	// CheckRingDoctor: the attending doctor is a member of reported ring
	// {ring} as {role} (score {score}).
	CheckRingDoctor = "CHK-RING-DOCTOR"
	// CheckStaffSuspended: the attending or billing doctor {doctor} is
	// suspended or terminated ({status}).
	CheckStaffSuspended = "CHK-STAFF-SUSPENDED"
	// CheckOpenCase: the {kind} is named by open case {case}.
	CheckOpenCase = "CHK-OPEN-CASE"
	// CheckAlreadySettled: a visit with this mdtrt_id is already settled.
	CheckAlreadySettled = "CHK-SETTLED"
)

var checkDecisions = []Entry{
	{Code: DecisionPass, Zh: "通过", En: "pass",
		DescZh: "未发现需要提醒或审核的问题", DescEn: "nothing to remind of or review"},
	{Code: DecisionRemind, Zh: "提醒", En: "remind",
		DescZh: "向医师或经办人员提示，可继续结算", DescEn: "shown to the doctor or clerk; settlement may go on"},
	{Code: DecisionReview, Zh: "审核", En: "review",
		DescZh: "结算前转人工审核", DescEn: "held for a reviewer before the fund pays"},
	{Code: DecisionReject, Zh: "拒付", En: "reject",
		DescZh: "明确违规，基金不予支付", DescEn: "a violation on its face: the fund does not pay"},
}

var checkSignals = []Entry{
	{Code: CheckRingPerson, Params: []string{"ring", "role", "score"},
		Zh: "参保人是已报告团伙 {ring} 的成员（{role|role}，评分 {score}）", En: "the person is a member of reported ring {ring} ({role|role}, score {score})",
		DescZh: "就诊人员属于已报告的欺诈团伙", DescEn: "the person of the claim belongs to a reported ring"},
	{Code: CheckRingSite, Params: []string{"ring", "role", "score"},
		Zh: "结算机构是已报告团伙 {ring} 的成员（{role|role}，评分 {score}）", En: "the institution is a member of reported ring {ring} ({role|role}, score {score})",
		DescZh: "结算的医疗机构或药店属于已报告的欺诈团伙", DescEn: "the institution or pharmacy of the claim belongs to a reported ring"},
	{Code: CheckRingDoctor, Params: []string{"ring", "role", "score"},
		Zh: "接诊医师是已报告团伙 {ring} 的成员（{role|role}，评分 {score}）", En: "the attending doctor is a member of reported ring {ring} ({role|role}, score {score})",
		DescZh: "接诊医师属于已报告的欺诈团伙", DescEn: "the attending doctor of the claim belongs to a reported ring"},
	{Code: CheckStaffSuspended, Params: []string{"doctor", "status"},
		Zh: "医师 {doctor} 已被暂停或终止医保支付资格（{status|staff_status}）", En: "doctor {doctor} is suspended or terminated ({status|staff_status})",
		DescZh: "接诊或开单医师的医保支付资格被暂停或终止", DescEn: "the attending or billing doctor may not bill the fund"},
	{Code: CheckOpenCase, Params: []string{"kind", "case"},
		Zh: "该{kind|kind}在未结案件 {case} 中", En: "the {kind|kind} is named by open case {case}",
		DescZh: "人员、机构或医师在尚未办结的核查案件中", DescEn: "a person, site or doctor of the claim is named by a case still open"},
	{Code: CheckAlreadySettled, Params: []string{},
		Zh: "该就诊编号已结算，本次仅为检查", En: "a visit with this mdtrt_id is already settled; this is a check only",
		DescZh: "同一就诊编号（mdtrt_id）已在数据中结算", DescEn: "the claim's mdtrt_id is already a settled visit of the data"},
}
