package vocab

// Case states and transfer targets of the investigator's workspace
// (graph/workspace, docs/workflow.md): the state of a clue as it is worked
// from screening to its conclusion, and the agency a confirmed case is
// transferred to.
const (
	CaseStates      Category = "case_state"      // states of a clue (graph/workspace)
	TransferTargets Category = "transfer_target" // agencies a case is transferred to
)

// Case states, in the order a clue is worked.
const (
	StateNew         = "new"
	StateAssigned    = "assigned"
	StateVerifying   = "verifying"
	StateConfirmed   = "confirmed"
	StateDismissed   = "dismissed"
	StatePenalised   = "penalised"
	StateTransferred = "transferred"
)

// Transfer targets.
const (
	TransferPolice     = "police"
	TransferDiscipline = "discipline"
	TransferHealth     = "health"
	TransferDrug       = "drug"
)

var caseStates = []Entry{
	{Code: StateNew, Zh: "新线索", En: "new",
		DescZh: "筛查或下发得到、尚未分派的线索", DescEn: "a clue from screening or a national batch, not yet assigned"},
	{Code: StateAssigned, Zh: "已分派", En: "assigned",
		DescZh: "已分派给核查人员", DescEn: "assigned to an investigator"},
	{Code: StateVerifying, Zh: "核查中", En: "verifying",
		DescZh: "正在核查（含飞行检查、现场记录和询问笔录）", DescEn: "under verification (flight checks, on-site and interview records)"},
	{Code: StateConfirmed, Zh: "查实", En: "confirmed",
		DescZh: "核查属实，待处理", DescEn: "verified as fraud, awaiting penalty or transfer"},
	{Code: StateDismissed, Zh: "排除", En: "dismissed",
		DescZh: "核查后排除，不予处理", DescEn: "dismissed after verification"},
	{Code: StatePenalised, Zh: "已处罚", En: "penalised",
		DescZh: "已作出行政处罚", DescEn: "an administrative penalty was imposed"},
	{Code: StateTransferred, Zh: "已移送", En: "transferred",
		DescZh: "已移送公安、纪检监察或其他部门", DescEn: "transferred to the police, discipline inspectors or another agency"},
}

var transferTargets = []Entry{
	{Code: TransferPolice, Zh: "公安机关", En: "police",
		DescZh: "移送公安（行刑衔接）", DescEn: "transfer to the police (administrative to criminal)"},
	{Code: TransferDiscipline, Zh: "纪检监察机关", En: "discipline inspectors",
		DescZh: "涉及公职人员的问题线索移送纪检监察（行纪衔接）", DescEn: "leads about officials to discipline inspectors"},
	{Code: TransferHealth, Zh: "卫生健康部门", En: "health authority",
		DescZh: "通报卫生健康部门（行行衔接）", DescEn: "shared with the health authority"},
	{Code: TransferDrug, Zh: "药品监管部门", En: "drug regulator",
		DescZh: "通报药品监管部门（行行衔接）", DescEn: "shared with the drug regulator"},
}
