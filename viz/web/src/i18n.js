// One string table for the page: Chinese (zh-CN) by default, English on demand.

export const STRINGS = {
  zh: {
    title: "RingLens 医保欺诈团伙发现",
    lang: "English",
    langLabel: "切换语言",
    rings: "团伙列表",
    rank: "排名",
    score: "评分",
    typology: "类型",
    members: "成员",
    listMembers: "成员",
    amount: "涉案金额",
    visits: "就诊次数",
    allTypologies: "全部类型",
    minScore: "最低评分",
    institution: "机构",
    institutionPh: "机构编码或名称",
    dateFrom: "起始日期",
    dateTo: "截止日期",
    sortBy: "排序",
    sortRank: "按评分排名",
    sortAmount: "按涉案金额",
    sortMembers: "按成员数",
    noRings: "暂无团伙",
    connecting: "正在连接…",
    connected: "已连接",
    disconnected: "连接断开，正在重试…",
    detecting: "检测中",
    done: "检测完成",
    graph: "团伙关系图",
    edgeBy: "边宽",
    scope: "范围",
    scopeMembers: "仅成员",
    scopeHop1: "成员+1跳",
    scopeHop2: "成员+2跳",
    byVisits: "按就诊次数",
    byAmount: "按金额",
    relayout: "重新布局",
    layoutRunning: "布局计算中…",
    truncated: "子图已截断",
    nodes: "节点",
    edges: "边",
    details: "详情",
    selectNode: "点击图中节点查看详情",
    selectRing: "请在左侧选择一个团伙",
    kind: "类别",
    role: "角色",
    id: "编号",
    reasons: "评分依据",
    ruleHits: "规则命中",
    noRuleHits: "该对象无规则命中",
    ring: "所属团伙",
    expand: "展开邻居",
    expanding: "加载中…",
    added: "新增节点",
    timeline: "时间线",
    evidence: "证据",
    export: "导出与查询",
    rule: "规则",
    result: "结论",
    detail: "说明",
    article: "法规条款",
    cited: "引用记录",
    exportJSON: "导出 JSON",
    exportCSVMembers: "导出成员 CSV",
    exportCSVEvidence: "导出证据 CSV",
    cypher: "Neo4j Browser 查询 (Cypher)",
    copy: "复制",
    copied: "已复制",
    perDay: "每日就诊次数",
    perHour: "就诊时段分布（按小时，每日一列）",
    noTimeline: "无时间线数据",
    noEvidence: "无证据",
    period: "时间范围",
    features: "特征",
    loadError: "加载失败",
    legend: "图例",
    hour: "时",
    fund: "基金金额",
    hop: "跳数",
    degree: "关联数",
    more: "条",
    kinds: { patient: "参保人", doctor: "医生", institution: "医疗机构", clinic: "诊所", hospital: "医院", station: "卫生站", pharmacy: "药店", unknown: "未知" },
    typologies: {
      fabricated_outpatient: "虚构门诊",
      lockstep_swiping: "同步刷卡",
      fake_hospitalisation: "虚假住院",
      card_collection: "收集医保卡",
      drug_reselling: "药品倒卖",
      pharmacy_cashout: "药店套现",
      borrowed_qualification: "借用资质",
      split_hospitalisation: "分解住院",
      unclassified: "未分类",
    },
    roles: {
      organising_clinic: "组织诊所",
      organising_hospital: "组织医院",
      organised_doctor: "参与医生",
      recruited_patient: "被招募参保人",
      card_holding_station: "持卡站点",
      card_lender: "出借医保卡者",
      filling_pharmacy: "配药药店",
      reselling_pharmacy: "倒卖药店",
      organiser: "组织者",
      recruited_retiree: "被招募退休人员",
      cashout_pharmacy: "套现药店",
      pharmacist: "药师",
      customer: "顾客",
      borrowed_doctor: "被借用资质医生",
    },
    results: { definite: "确定", suspicious: "可疑" },
    stages: {},
  },
  en: {
    title: "RingLens fraud-ring finder",
    lang: "中文",
    langLabel: "Switch language",
    rings: "Rings",
    rank: "Rank",
    score: "Score",
    typology: "Typology",
    members: "Members",
    listMembers: "Size",
    amount: "At risk",
    visits: "Visits",
    allTypologies: "All typologies",
    minScore: "Min score",
    institution: "Institution",
    institutionPh: "Institution code or name",
    dateFrom: "From",
    dateTo: "To",
    sortBy: "Sort by",
    sortRank: "Score rank",
    sortAmount: "Amount at risk",
    sortMembers: "Members",
    noRings: "No rings yet",
    connecting: "Connecting…",
    connected: "Connected",
    disconnected: "Disconnected, retrying…",
    detecting: "Detecting",
    done: "Detection finished",
    graph: "Ring graph",
    edgeBy: "Edge width",
    scope: "Scope",
    scopeMembers: "members",
    scopeHop1: "members + 1 hop",
    scopeHop2: "members + 2 hops",
    byVisits: "by visits",
    byAmount: "by amount",
    relayout: "Re-layout",
    layoutRunning: "Laying out…",
    truncated: "subgraph truncated",
    nodes: "nodes",
    edges: "edges",
    details: "Details",
    selectNode: "Click a node in the graph for details",
    selectRing: "Select a ring on the left",
    kind: "Kind",
    role: "Role",
    id: "ID",
    reasons: "Score reasons",
    ruleHits: "Rule hits",
    noRuleHits: "No rule hits concern this entity",
    ring: "Ring",
    expand: "Expand neighbours",
    expanding: "Loading…",
    added: "nodes added",
    timeline: "Timeline",
    evidence: "Evidence",
    export: "Export & query",
    rule: "Rule",
    result: "Result",
    detail: "Detail",
    article: "Article",
    cited: "Cited rows",
    exportJSON: "Export JSON",
    exportCSVMembers: "Members CSV",
    exportCSVEvidence: "Evidence CSV",
    cypher: "Neo4j Browser query (Cypher)",
    copy: "Copy",
    copied: "Copied",
    perDay: "Visits per day",
    perHour: "Visits by hour of day (one column per day)",
    noTimeline: "No timeline data",
    noEvidence: "No evidence",
    period: "Period",
    features: "Features",
    loadError: "Load failed",
    legend: "Legend",
    hour: "h",
    fund: "Fund amount",
    hop: "Hop",
    degree: "Degree",
    more: "rows",
    kinds: { patient: "Patient", doctor: "Doctor", institution: "Institution", clinic: "Clinic", hospital: "Hospital", station: "Health station", pharmacy: "Pharmacy", unknown: "Unknown" },
    typologies: {
      fabricated_outpatient: "Fabricated outpatient",
      lockstep_swiping: "Lockstep swiping",
      fake_hospitalisation: "Fake hospitalisation",
      card_collection: "Card collection",
      drug_reselling: "Drug reselling",
      pharmacy_cashout: "Pharmacy cash-out",
      borrowed_qualification: "Borrowed qualification",
      split_hospitalisation: "Split hospitalisation",
      unclassified: "Unclassified",
    },
    roles: {
      organising_clinic: "Organising clinic",
      organising_hospital: "Organising hospital",
      organised_doctor: "Organised doctor",
      recruited_patient: "Recruited patient",
      card_holding_station: "Card-holding station",
      card_lender: "Card lender",
      filling_pharmacy: "Filling pharmacy",
      reselling_pharmacy: "Reselling pharmacy",
      organiser: "Organiser",
      recruited_retiree: "Recruited retiree",
      cashout_pharmacy: "Cash-out pharmacy",
      pharmacist: "Pharmacist",
      customer: "Customer",
      borrowed_doctor: "Borrowed doctor",
    },
    results: { definite: "definite", suspicious: "suspicious" },
    stages: {},
  },
};

let current = "zh";

/** Sets the language ("zh" or "en"). */
export function setLang(lang) {
  current = STRINGS[lang] ? lang : "zh";
}

/** Returns the current language. */
export function lang() {
  return current;
}

/** Returns the string for key, falling back to zh, then to the key itself. */
export function t(key) {
  const v = STRINGS[current][key];
  return v === undefined ? (STRINGS.zh[key] ?? key) : v;
}

/** Looks a code up in a sub-table (kinds, roles, typologies, results). */
export function tv(table, code) {
  if (!code) return "";
  return STRINGS[current][table]?.[code] ?? code;
}

// REASONS turns the server's score reasons (English sentences with a fixed
// shape, written by algorithms/rings) into the page's language; a reason of
// another shape is shown as it is.
const REASONS = [
  [/^(\w+) of ring (\S+) \((\w+), score ([\d.]+)\)$/, (m) =>
    current === "zh" ? `团伙 ${m[2]} 的${tv("roles", m[1])}（${tv("typologies", m[3])}，评分 ${m[4]}）`
      : `${tv("roles", m[1])} of ring ${m[2]} (${tv("typologies", m[3])}, score ${m[4]})`],
  [/^fund per visit above peers \(mean robust z (-?[\d.]+)\)$/, (m) =>
    current === "zh" ? `次均基金支付高于同类（稳健z均值 ${m[1]}）` : m[0]],
  [/^(\d+) rule hits \(first: (\S+)\)$/, (m) =>
    current === "zh" ? `${m[1]} 条规则命中（首条：${m[2]}）` : m[0]],
  [/^member of an unreported candidate ring \(score ([\d.]+)\)$/, (m) =>
    current === "zh" ? `属于未上报的候选团伙（评分 ${m[1]}）` : m[0]],
  [/^(\d+)% of visits in flagged relations$/, (m) =>
    current === "zh" ? `${m[1]}% 的就诊属于异常就诊关系` : m[0]],
  [/^(\d+)% of visits at sites of reported rings$/, (m) =>
    current === "zh" ? `${m[1]}% 的就诊发生在已上报团伙的机构` : m[0]],
  [/^registered at sites of reported rings \((\d+) of (\d+)\)$/, (m) =>
    current === "zh" ? `在已上报团伙的机构备案执业（${m[2]} 处中的 ${m[1]} 处）` : m[0]],
  [/^placeholder doctor code \(data quality\)$/, (m) =>
    current === "zh" ? "占位医师编码（数据质量问题）" : m[0]],
];

/** Returns a score reason of the server in the current language. */
export function reason(text) {
  if (typeof text !== "string") return JSON.stringify(text);
  for (const [re, fn] of REASONS) {
    const m = re.exec(text);
    if (m) return fn(m);
  }
  return text;
}

// STAGES_ZH names the server's progress stages in Chinese by prefix (the
// stage text after the prefix, a file name or a generator, is kept).
const STAGES_ZH = [
  ["load read ", "读取 "],
  ["build nodes", "构建关系图：节点"],
  ["build fees", "构建关系图：费用明细"],
  ["build visit-doctors", "构建关系图：就诊医生"],
  ["build time-order", "构建关系图：时间索引"],
  ["build sort", "构建关系图：排序"],
  ["build edges", "构建关系图：边"],
  ["build adjacency", "构建关系图：邻接表"],
  ["build", "构建关系图"],
  ["detect rules", "规则筛查"],
  ["detect peers", "同类基线"],
  ["detect candidates: relation excess", "候选团伙：异常就诊关系"],
  ["detect candidates: returned boxes", "候选团伙：回流药品"],
  ["detect candidates: admission cohorts", "候选团伙：同批入院"],
  ["detect candidates: lockstep blocks", "候选团伙：同步就诊"],
  ["detect candidates: split admissions", "候选团伙：分解住院"],
  ["detect candidates: round quantities", "候选团伙：整数量购药"],
  ["detect candidates: trace codes", "候选团伙：追溯码重复"],
  ["detect candidates: distant doctors", "候选团伙：医师异地执业"],
  ["detect communities", "社区划分"],
  ["detect scoring", "团伙评分"],
  ["detect findings", "汇总结果"],
  ["incremental", "新数据增量评分"],
];

/** Returns a progress stage of the server in the current language. */
export function stageText(stage) {
  if (!stage) return "";
  const own = STRINGS[current].stages?.[stage];
  if (own) return own;
  if (current !== "zh") return stage;
  for (const [prefix, zh] of STAGES_ZH) {
    if (stage === prefix || (prefix.endsWith(" ") && stage.startsWith(prefix))) return zh + stage.slice(prefix.length);
  }
  return stage;
}
