package vocab

// Users of the workspace and the actions of its audit trail
// (graph/workspace, docs/workflow.md): the role a user has, which decides
// what the user may see and do, and what an audit entry records.
const (
	UserRoles    Category = "user_role"    // roles of workspace users
	AuditActions Category = "audit_action" // actions of the audit trail
)

// User roles.
const (
	UserAdmin        = "admin"
	UserInvestigator = "investigator"
	UserReviewer     = "reviewer"
	UserPolice       = "police"
)

// Audit actions.
const (
	AuditDetect        = "detect"
	AuditImport        = "import"
	AuditUpdate        = "update"
	AuditUserAdd       = "user_add"
	AuditAssign        = "assign"
	AuditLogin         = "login"
	AuditLoginFailed   = "login_failed"
	AuditLogout        = "logout"
	AuditViewRing      = "view_ring"
	AuditViewPerson    = "view_person"
	AuditViewNode      = "view_node"
	AuditViewCase      = "view_case"
	AuditReveal        = "reveal"
	AuditRevealRefused = "reveal_refused"
	AuditExport        = "export"
	AuditUserDisable   = "user_disable"
	AuditUserEnable    = "user_enable"
)

var userRoles = []Entry{
	{Code: UserAdmin, Zh: "管理员", En: "administrator",
		DescZh: "管理用户，查阅审计记录", DescEn: "manages users and reads the audit trail"},
	{Code: UserInvestigator, Zh: "核查人员", En: "investigator",
		DescZh: "核查线索；可查看所承办案件人员的真实身份", DescEn: "works clues; may reveal the identity of people in the cases assigned to them"},
	{Code: UserReviewer, Zh: "审核人员", En: "reviewer",
		DescZh: "法制审核；可查看案件人员的真实身份", DescEn: "legal review; may reveal the identity of people in any case"},
	{Code: UserPolice, Zh: "公安人员", En: "police",
		DescZh: "只能查看已移送公安的案件", DescEn: "sees only the cases transferred to the police"},
}

var auditActions = []Entry{
	{Code: AuditDetect, Zh: "记录检测", En: "detection recorded",
		DescZh: "一次检测结果记入工作区", DescEn: "a detection run recorded into the workspace"},
	{Code: AuditImport, Zh: "导入线索", En: "batch imported",
		DescZh: "导入国家下发的线索批次", DescEn: "a national clue batch imported"},
	{Code: AuditUpdate, Zh: "状态变更", En: "state changed",
		DescZh: "案件状态变更", DescEn: "a case's state changed"},
	{Code: AuditUserAdd, Zh: "添加用户", En: "user added",
		DescZh: "添加或更改用户", DescEn: "a user added or changed"},
	{Code: AuditAssign, Zh: "分派承办人", En: "investigator assigned",
		DescZh: "指定案件的承办核查人员", DescEn: "an investigator put on a case"},
	{Code: AuditLogin, Zh: "登录", En: "login",
		DescZh: "用户登录", DescEn: "a user logged in"},
	{Code: AuditLoginFailed, Zh: "登录失败", En: "login failed",
		DescZh: "用户名或密码错误", DescEn: "a wrong name or password"},
	{Code: AuditLogout, Zh: "退出", En: "logout",
		DescZh: "用户退出登录", DescEn: "a user logged out"},
	{Code: AuditViewRing, Zh: "查看团伙", En: "ring viewed",
		DescZh: "查看团伙列表、团伙详情、关系图或就诊明细", DescEn: "the ring list, or a ring's details, subgraph or visits viewed"},
	{Code: AuditViewPerson, Zh: "查看人员", En: "person viewed",
		DescZh: "查看参保人或医师详情或其关联关系（脱敏）", DescEn: "a patient's or doctor's masked details or neighbourhood viewed"},
	{Code: AuditViewNode, Zh: "查看机构", En: "institution viewed",
		DescZh: "查看医疗机构或药店的详情或其关联人员（脱敏）", DescEn: "an institution's or pharmacy's details or neighbourhood (its people, masked) viewed"},
	{Code: AuditViewCase, Zh: "查看案件", En: "case viewed",
		DescZh: "查看案件列表或案件详情", DescEn: "the case list or a case's record viewed"},
	{Code: AuditReveal, Zh: "查看真实身份", En: "identity revealed",
		DescZh: "经授权查看人员的真实姓名和证件号码", DescEn: "a person's name and ID number shown, authorised"},
	{Code: AuditRevealRefused, Zh: "拒绝查看身份", En: "reveal refused",
		DescZh: "未经授权的身份查看请求被拒绝", DescEn: "an unauthorised request to reveal an identity, refused"},
	{Code: AuditExport, Zh: "导出", En: "export",
		DescZh: "导出就诊明细或案卷", DescEn: "visits or a dossier exported"},
	{Code: AuditUserDisable, Zh: "停用用户", En: "user disabled",
		DescZh: "停用用户：不能再登录，其会话结束", DescEn: "a user disabled: no more logins, sessions ended"},
	{Code: AuditUserEnable, Zh: "启用用户", En: "user enabled",
		DescZh: "重新启用被停用的用户", DescEn: "a disabled user enabled again"},
}
