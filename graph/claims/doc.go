// Package claims defines the domain records of settled medical-insurance
// claims as the national medical security platform exports them: insured
// persons, designated institutions, medical staff, visits (settlements), fee
// lines and catalogue items, together with the scalar types they are made of
// (local times, dates, money in fen, unit prices in micro-yuan).
//
// Every other layer of RingLens (ingest, graph, fixtures, detection, the web
// view) speaks in these types, so the package depends on nothing but the
// standard library. Column names and codes follow
// docs/data-contract.md.
package claims
