package packet

import (
	"github.com/ringlens/ringlens/graph"
	"github.com/ringlens/ringlens/graph/claims"
)

// NoNamesNote is the manifest's note of a packet built without the people
// of the claims (Input.People nil).
const NoNamesNote = "names in the case record's notes were not checked against the claims (not given): only ID and mobile numbers in them were masked"

// KnownPeople returns the masker of the free text of a packet: the names
// and certificate numbers of every person and doctor of t (the claims the
// detect run read), and the shapes of ID and mobile numbers.
func KnownPeople(t *graph.Tables) *claims.TextMasker {
	return claims.NewTextMasker(t.People())
}
