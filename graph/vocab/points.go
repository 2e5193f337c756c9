package vocab

// Points of responsible staff (医保支付资格记分, graph/workspace,
// docs/points.md): the standing of a staff member's payment eligibility,
// the responsibility a person bore for a violation, the kind of a ledger
// entry, the sanction the institution received, the state of a proposal,
// the outcome of an appeal and the audit actions of the ledger.
const (
	StaffStatuses    Category = "staff_status"   // payment eligibility of a staff member on a date
	Responsibilities Category = "responsibility" // responsibility for a violation
	PointsKinds      Category = "points_kind"    // what a ledger entry gives
	Sanctions        Category = "sanction"       // what the institution received first
	PointsStates     Category = "points_state"   // state of a ledger entry
	AppealOutcomes   Category = "appeal_outcome" // the bureau's answer to an appeal
)

// Staff statuses.
const (
	StaffActive     = "active"
	StaffSuspended  = "suspended"
	StaffTerminated = "terminated"
)

// Responsibility levels (主要/重要/一般责任), strongest first.
const (
	RespMain      = "main"
	RespImportant = "important"
	RespGeneral   = "general"
)

// Kinds of ledger entries.
const (
	PointsScored        = "points"        // points counted toward the year's total
	PointsWarning       = "warning"       // a warning without points (first offence, scope not known)
	PointsInstitutional = "institutional" // attributed to the institution: no points to the person
)

// Sanctions the institution received, without which no points are given.
const (
	SanctionPenalty   = "penalty"   // an administrative penalty
	SanctionAgreement = "agreement" // agreement suspended or terminated
	SanctionDamages   = "damages"   // liquidated damages under the agreement
)

// States of a ledger entry.
const (
	PointsProposed  = "proposed"
	PointsConfirmed = "confirmed"
	PointsRejected  = "rejected"
)

// Appeal outcomes.
const (
	AppealUpheld   = "upheld"
	AppealReduced  = "reduced"
	AppealAnnulled = "annulled"
)

// Audit actions of the points ledger.
const (
	AuditPointsPropose = "points_propose"
	AuditPointsConfirm = "points_confirm"
	AuditPointsReject  = "points_reject"
	AuditPointsRepair  = "points_repair"
	AuditPointsAppeal  = "points_appeal"
	AuditPointsImport  = "points_import"
	AuditPointsExport  = "points_export"
)

var staffStatuses = []Entry{
	{Code: StaffActive, Zh: "正常", En: "active",
		DescZh: "医保支付资格正常", DescEn: "may bill the fund"},
	{Code: StaffSuspended, Zh: "暂停", En: "suspended",
		DescZh: "年度记分达到暂停标准，医保支付资格暂停", DescEn: "payment eligibility suspended for points in the year"},
	{Code: StaffTerminated, Zh: "终止", En: "terminated",
		DescZh: "年度记分满分，医保支付资格终止", DescEn: "payment eligibility terminated for points in the year"},
}

var responsibilities = []Entry{
	{Code: RespMain, Zh: "主要责任", En: "main responsibility",
		DescZh: "对违法违规行为负主要责任", DescEn: "mainly responsible for the violation"},
	{Code: RespImportant, Zh: "重要责任", En: "important responsibility",
		DescZh: "对违法违规行为负重要责任", DescEn: "importantly responsible for the violation"},
	{Code: RespGeneral, Zh: "一般责任", En: "general responsibility",
		DescZh: "对违法违规行为负一般责任", DescEn: "generally responsible for the violation"},
}

var pointsKinds = []Entry{
	{Code: PointsScored, Zh: "记分", En: "points",
		DescZh: "计入年度累计记分", DescEn: "points counted toward the year's total"},
	{Code: PointsWarning, Zh: "提醒警示", En: "warning",
		DescZh: "首次因不了解医保支付范围违规，只作警示，不记分", DescEn: "a first offence for not knowing the reimbursement scope: a warning, no points"},
	{Code: PointsInstitutional, Zh: "归于机构", En: "institutional",
		DescZh: "同一机构或科室多数医师共有的问题，归于机构，不对个人记分", DescEn: "a pattern shared by most doctors of a site or department: the institution's, no points to the person"},
}

var sanctions = []Entry{
	{Code: SanctionPenalty, Zh: "行政处罚", En: "administrative penalty",
		DescZh: "定点机构受到行政处罚", DescEn: "the institution received an administrative penalty"},
	{Code: SanctionAgreement, Zh: "暂停或解除协议", En: "agreement suspended or terminated",
		DescZh: "定点机构被暂停或解除医保协议", DescEn: "the institution's agreement was suspended or terminated"},
	{Code: SanctionDamages, Zh: "支付违约金", En: "liquidated damages",
		DescZh: "定点机构按协议支付违约金", DescEn: "the institution paid liquidated damages under its agreement"},
}

var pointsStates = []Entry{
	{Code: PointsProposed, Zh: "建议", En: "proposed",
		DescZh: "工具建议，待核查人员确认", DescEn: "proposed by the tool, for an investigator to confirm"},
	{Code: PointsConfirmed, Zh: "已确认", En: "confirmed",
		DescZh: "核查人员已确认，计入档案", DescEn: "confirmed by an investigator; counts in the staff file"},
	{Code: PointsRejected, Zh: "不予记分", En: "rejected",
		DescZh: "核查人员决定不予记分", DescEn: "rejected by an investigator"},
}

var appealOutcomes = []Entry{
	{Code: AppealUpheld, Zh: "维持", En: "upheld",
		DescZh: "申诉不成立，维持记分", DescEn: "the points stand"},
	{Code: AppealReduced, Zh: "减少记分", En: "reduced",
		DescZh: "申诉部分成立，减少记分", DescEn: "the points are reduced"},
	{Code: AppealAnnulled, Zh: "撤销记分", En: "annulled",
		DescZh: "申诉成立，撤销记分", DescEn: "the points are annulled"},
}

// pointsActions are the audit actions of the points ledger, served in
// the audit_action category with the workspace's other actions.
var pointsActions = []Entry{
	{Code: AuditPointsPropose, Zh: "建议记分", En: "points proposed",
		DescZh: "从查实案件建议对责任人员记分", DescEn: "points proposed for the staff responsible in a confirmed case"},
	{Code: AuditPointsConfirm, Zh: "确认记分", En: "points confirmed",
		DescZh: "核查人员确认或更改记分", DescEn: "points confirmed or changed by an investigator"},
	{Code: AuditPointsReject, Zh: "不予记分", En: "points rejected",
		DescZh: "核查人员决定不予记分", DescEn: "a proposal rejected by an investigator"},
	{Code: AuditPointsRepair, Zh: "修复", En: "points repaired",
		DescZh: "整改后减少记分或缩短暂停期", DescEn: "points reduced or a suspension shortened after correction"},
	{Code: AuditPointsAppeal, Zh: "申诉处理", En: "appeal decided",
		DescZh: "对记分申诉的处理结果", DescEn: "the bureau's answer to an appeal"},
	{Code: AuditPointsImport, Zh: "导入记分", En: "points imported",
		DescZh: "导入其他地区的记分记录", DescEn: "ledger entries of another region imported"},
	{Code: AuditPointsExport, Zh: "导出记分", En: "points exported",
		DescZh: "导出记分记录供其他地区使用", DescEn: "ledger entries exported for other regions"},
}
