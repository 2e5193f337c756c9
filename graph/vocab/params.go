package vocab

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
)

// Param is one named parameter value of a template, formatted as the
// sentence shows it.
type Param struct {
	Name  string
	Value string
}

// Params are the parameter values of one rendering of a template, by name:
// a short list where a map would do, because findings hold one for every
// score reason of every entity of a city (millions), and a list of two or
// three pairs is one small allocation where a map is two larger ones. In
// JSON it is an object of strings, its names in sorted order, exactly as
// encoding/json writes a map[string]string; nil writes {}.
type Params []Param

// ParamsOf returns the values of m as Params, sorted by name (nil for an
// empty m).
func ParamsOf(m map[string]string) Params {
	if len(m) == 0 {
		return nil
	}
	p := make(Params, 0, len(m))
	for k, v := range m {
		p = append(p, Param{k, v})
	}
	slices.SortFunc(p, func(a, b Param) int { return strings.Compare(a.Name, b.Name) })
	return p
}

// Get returns the value of the parameter name and whether p has one.
func (p Params) Get(name string) (string, bool) {
	for _, x := range p {
		if x.Name == name {
			return x.Value, true
		}
	}
	return "", false
}

// With returns a copy of p with name set to value (added when absent);
// p itself is not changed.
func (p Params) With(name, value string) Params {
	out := slices.Clone(p)
	for i := range out {
		if out[i].Name == name {
			out[i].Value = value
			return out
		}
	}
	return append(out, Param{name, value})
}

// Map returns p as a map (empty, never nil, for none).
func (p Params) Map() map[string]string {
	m := make(map[string]string, len(p))
	for _, x := range p {
		m[x.Name] = x.Value
	}
	return m
}

// MarshalJSON writes p as a JSON object of strings with its names sorted,
// exactly as encoding/json writes the map of the same values (HTML
// characters are left to the encoder that calls it, which escapes them
// unless told not to, as it does for a map).
func (p Params) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(p.Map()); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// UnmarshalJSON reads a JSON object of strings (null reads as none).
func (p *Params) UnmarshalJSON(data []byte) error {
	var m map[string]string
	if err := json.Unmarshal(data, &m); err != nil {
		return err
	}
	*p = ParamsOf(m)
	return nil
}
