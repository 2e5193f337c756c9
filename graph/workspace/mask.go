package workspace

import (
	"slices"

	"github.com/ringlens/ringlens/graph/claims"
)

// Masked returns c with the personal data in its free text masked by m
// (claims.TextMasker: known names and ID numbers, anything shaped like an
// ID or mobile number; nil masks the shapes only): the title and the note
// of every state change. The workspace keeps what users typed; every
// output of a case that leaves the workspace's own tools (an evidence
// packet, the API) shows it masked. c's own events are left as they are.
func (c Case) Masked(m *claims.TextMasker) Case {
	c.Clue = c.Clue.Masked(m)
	c.Events = slices.Clone(c.Events)
	for i := range c.Events {
		c.Events[i].Note = m.Mask(c.Events[i].Note)
	}
	return c
}

// Masked returns c with its title (free text, of a national batch) masked
// by m.
func (c Clue) Masked(m *claims.TextMasker) Clue {
	c.Title = m.Mask(c.Title)
	return c
}
