// Package neo4j moves RingLens's claims graph and findings into Neo4j and
// back.
//
// The data model (labels, relationship types, keys and properties) is
// described once, by [NewModel], as node sets and relationship sets that
// produce rows lazily from a graph.Graph, the findings and the rule hits.
// Two writers consume it:
//
//   - [Push] writes it over Bolt in batches of UNWIND ... MERGE inside
//     managed write transactions, retrying transient errors; pushing the
//     same data twice leaves the same graph.
//   - [Export] writes node and relationship CSV files in the
//     neo4j-admin database import format, with a README holding the exact
//     import command.
//
// [LoadTables] reads the pushed graph back into graph.Tables, streaming
// Visit nodes and registrations page by page with an id cursor, so that
// `ringlens detect --from-neo4j` can detect as usual. [LeidenQueries] and
// [ReadMembership] run gds.leiden in the database, and [CompareMemberships]
// compares the result with RingLens's own communities.
//
// All database access goes through the small [Executor] and [Runner]
// interfaces: the driver adapter ([Open]) is the only code that touches
// github.com/neo4j/neo4j-go-driver, and tests use a fake.
//
// Personal data (names, certificate numbers) is masked with
// claims.MaskName and claims.MaskCertNo unless the caller asks for it raw.
package neo4j
