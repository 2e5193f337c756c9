package community_test

import (
	"context"
	"fmt"
	"log"

	"github.com/ringlens/ringlens/algorithms/community"
)

func ExampleLeiden() {
	// Two triangles joined by the edge 2-3.
	g, err := community.NewCSR(6, []community.Edge{
		{U: 0, V: 1, W: 1}, {U: 1, V: 2, W: 1}, {U: 2, V: 0, W: 1},
		{U: 3, V: 4, W: 1}, {U: 4, V: 5, W: 1}, {U: 5, V: 3, W: 1},
		{U: 2, V: 3, W: 1},
	})
	if err != nil {
		log.Fatal(err)
	}
	p, err := community.Leiden(context.Background(), g, community.Options{Seed: 1})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(p.Membership, p.Communities)
	fmt.Printf("modularity %.4f\n", p.Quality)

	// CPM at resolution 0.5: communities denser than 0.5.
	p, err = community.Leiden(context.Background(), g, community.Options{Quality: community.QualityCPM, Resolution: 0.5})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(p.Membership, p.Quality)
	// Output:
	// [0 0 0 1 1 1] 2
	// modularity 0.3571
	// [0 0 0 1 1 1] 3
}
