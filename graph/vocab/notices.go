package vocab

// Notices are the server's messages to the people watching the live view
// about what changed under them (the websocket stream's {"type":"notice",
// "code", "params"}), each a template over its parameters.
const Notices Category = "notice"

// Server notices (viz/server).
const (
	// NoticeFullRunChanged: the full run changed ring {ring}, which
	// incremental scoring had changed: from {visits_before} visits and
	// {fund_before} yuan to {visits_after} and {fund_after}.
	NoticeFullRunChanged = "full_run_changed"
	// NoticeFullRunDropped: the full run no longer reports ring {ring},
	// which incremental scoring had changed ({visits_before} visits,
	// {fund_before} yuan).
	NoticeFullRunDropped = "full_run_dropped"
)

// notices are the server notices, in order of display.
var notices = []Entry{
	{Code: NoticeFullRunChanged, Params: []string{"ring", "visits_before", "fund_before", "visits_after", "fund_after"},
		Zh:     "全量检测修正了增量结果：团伙 {ring} 由 {visits_before} 次就诊、{fund_before} 元变为 {visits_after} 次、{fund_after} 元",
		En:     "the full run revised an incremental result: ring {ring} went from {visits_before} visits and {fund_before} yuan to {visits_after} visits and {fund_after} yuan",
		DescZh: "增量评分改变过的团伙经全量检测后有所不同", DescEn: "a ring that incremental scoring had changed came out differently from the full run"},
	{Code: NoticeFullRunDropped, Params: []string{"ring", "visits_before", "fund_before"},
		Zh:     "全量检测不再报告团伙 {ring}（增量评分时 {visits_before} 次就诊、{fund_before} 元）",
		En:     "the full run no longer reports ring {ring} ({visits_before} visits and {fund_before} yuan after incremental scoring)",
		DescZh: "增量评分改变过的团伙未被全量检测报告", DescEn: "a ring that incremental scoring had changed is not reported by the full run"},
}
