package vocab

// ViewNodes are the nodes the live view draws beside the claims entities
// (GET /api/v1/rings/{id}/subgraph?aggregate=1), each a template over its
// parameters.
const ViewNodes Category = "view_node"

// View nodes (viz/server).
const (
	// NodeGroup: {count} people who are not ring members, collapsed onto
	// the institution, pharmacy or doctor they use.
	NodeGroup = "group"
)

// viewNodes are the view nodes, in order of display.
var viewNodes = []Entry{
	{Code: NodeGroup, Params: []string{"count"},
		Zh: "另有 {count} 名参保人", En: "{count} more patients",
		DescZh: "团伙外使用该机构或医生的参保人，合并为一个节点；点击展开", DescEn: "people outside the ring who use this site or doctor, collapsed into one node; click to expand"},
}
