package findings

// Signal is one reason a group is reported as a ring: a code of the
// vocabulary's Signals category (graph/vocab) with its parameters, its
// strength in [0, 1] (one of the independent pieces of evidence the ring's
// score combines), its sentence in both languages, and the indexes into the
// ring's Evidence of the facts and rule hits behind it.
type Signal struct {
	Code     string            `json:"code"`
	Params   map[string]string `json:"params"`
	Strength float64           `json:"strength"`
	Zh       string            `json:"zh"`
	En       string            `json:"en"`
	Evidence []int             `json:"evidence"`
}
