package neo4j

import (
	"context"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j/dbtype"
	"github.com/ringlens/ringlens/graph"
	"github.com/ringlens/ringlens/graph/claims"
)

// Source is a database to read a pushed graph back from.
type Source struct {
	Exec  Executor
	Page  int   // records per page (one read transaction each); <= 0 means 10000
	Retry Retry // retry policy per page
}

// LoadStats reports what LoadTables read and skipped.
type LoadStats struct {
	Persons, Institutions, Doctors, Registrations, Visits int64
	Items, Fees                                           int64 // Item and FeeLine nodes read
	// SkippedVisits are Visit nodes whose patient or institution is
	// missing.
	SkippedVisits int64
	// SkippedFees are FeeLine nodes whose visit is missing (or whose id
	// does not end with "/" and their sn).
	SkippedFees int64
}

// Page queries: each returns at most $page records with key > $after, in
// key order, so that reading is a cursor over the unique key's index and
// never one giant result.
const (
	institutionPageQuery = "MATCH (n:Institution) WHERE n.code > $after " +
		"RETURN n.code AS `key`, n.name AS name, n.type AS type, n.level AS level, n.admdvs AS admdvs, " +
		"n.beds AS beds, n.lat AS lat, n.lon AS lon ORDER BY `key` LIMIT $page"
	personPageQuery = "MATCH (n:Patient) WHERE n.psn_no > $after " +
		"RETURN n.psn_no AS `key`, n.sex AS sex, n.birth AS birth, n.insu_type AS insu_type, n.name AS name, " +
		"n.cert_no AS cert_no, n.insuplc_admdvs AS insuplc_admdvs, n.die_date AS die_date ORDER BY `key` LIMIT $page"
	doctorPageQuery = "MATCH (n:Doctor) WHERE n.dr_code > $after WITH n ORDER BY n.dr_code LIMIT $page " +
		"OPTIONAL MATCH (n)-[:REGISTERED_AT]->(i:Institution) " +
		"WITH n, i ORDER BY i.code " +
		"RETURN n.dr_code AS `key`, n.name AS name, n.dept AS dept, n.prof AS prof, n.registered AS registered, " +
		"collect(i.code) AS sites ORDER BY `key`"
	visitPageQuery = "MATCH (n:Visit) WHERE n.mdtrt_id > $after " +
		"RETURN n.mdtrt_id AS `key`, n.setl_id AS setl_id, n.psn_no AS psn_no, n.code AS code, n.dr_code AS dr_code, " +
		"n.med_type AS med_type, n.begin AS begin, n.`end` AS `end`, n.dise_codg AS dise_codg, n.dise_name AS dise_name, " +
		"n.med_fee AS med_fee, n.fund AS fund, n.cert_type AS cert_type, n.flags AS flags ORDER BY `key` LIMIT $page"
	itemPageQuery = "MATCH (n:Item) WHERE n.code > $after " +
		"RETURN n.code AS `key`, n.name AS name, n.list_type AS list_type, n.known AS known, n.lmt_gend AS lmt_gend, " +
		"n.age_min AS age_min, n.age_max AS age_max, n.max_days AS max_days, n.price_cap AS price_cap ORDER BY `key` LIMIT $page"
	feePageQuery = "MATCH (n:FeeLine) WHERE n.id > $after " +
		"RETURN n.id AS `key`, n.sn AS sn, n.item AS item, n.cnt AS cnt, n.pric AS pric, n.amount AS amount, " +
		"n.`time` AS `time`, n.dr_code AS dr_code, n.prd_days AS prd_days, n.trace AS trace ORDER BY `key` LIMIT $page"
)

// LoadTables rebuilds graph.Tables from a database written by Push with
// Visit nodes: institutions, patients, doctors with their registrations,
// catalogue items, visits and fee lines, each streamed in pages by key,
// and filled with the same Tables methods ingest uses (AddCatalogItem,
// AddVisit, AddFee). Visits and fee lines were pushed net of refunds, with
// the visit refund flags, so no netting is redone. Rows come back in key
// order rather than file order. Names and certificate numbers are whatever
// was pushed (masked unless --include-pii). progress, when not nil, is
// called after every page.
func LoadTables(ctx context.Context, src Source, progress func(stage string, done int64)) (*graph.Tables, error) {
	t, _, err := LoadTablesStats(ctx, src, progress)
	return t, err
}

// LoadTablesStats is LoadTables also returning what was read and skipped.
func LoadTablesStats(ctx context.Context, src Source, progress func(stage string, done int64)) (*graph.Tables, *LoadStats, error) {
	if src.Exec == nil {
		return nil, nil, fmt.Errorf("neo4j: no executor")
	}
	l := &tableLoader{src: src, t: graph.NewTables(0, 0), st: &LoadStats{}, progress: progress, unknown: map[string]feeItem{}}
	for _, step := range []struct {
		what string
		read func(context.Context) error
	}{
		{"institutions", l.readInstitutions}, {"patients", l.readPersons}, {"doctors", l.readDoctors},
		{"items", l.readItems}, {"visits", l.readVisits}, {"fee lines", l.readFees},
	} {
		if err := step.read(ctx); err != nil {
			return nil, l.st, fmt.Errorf("neo4j: read %s: %w", step.what, err)
		}
	}
	return l.t, l.st, nil
}

// tableLoader reads the tables back page by page (LoadTablesStats).
type tableLoader struct {
	src      Source
	t        *graph.Tables
	st       *LoadStats
	progress func(stage string, done int64)
	// unknown are the catalogue codes only seen on fee lines, with the
	// name and list type the fee lines carry.
	unknown map[string]feeItem
}

// feeItem is what a fee line says of an item not in the catalogue.
type feeItem struct {
	name     string
	listType uint16
}

// report calls the progress callback, if any.
func (l *tableLoader) report(stage string, n int64) {
	if l.progress != nil {
		l.progress(stage, n)
	}
}

// readInstitutions reads the Institution nodes.
func (l *tableLoader) readInstitutions(ctx context.Context) error {
	return scan(ctx, l.src, institutionPageQuery, func(r map[string]any) error {
		in := claims.Institution{
			Code: str(r["key"]), Name: str(r["name"]), Type: claims.InstitutionType(i64(r["type"], 1)),
			Level: str(r["level"]), Admdvs: str(r["admdvs"]), Beds: int32(i64(r["beds"], -1)),
		}
		if lat, ok := r["lat"].(float64); ok {
			if lon, ok := r["lon"].(float64); ok {
				in.Lat, in.Lon, in.HasLocation = lat, lon, true
			}
		}
		l.t.AddInstitution(&in)
		l.st.Institutions++
		return nil
	}, func(n int64) { l.report("institutions", n) })
}

// readPersons reads the Patient nodes.
func (l *tableLoader) readPersons(ctx context.Context) error {
	return scan(ctx, l.src, personPageQuery, func(r map[string]any) error {
		l.t.AddPerson(&claims.Person{
			PsnNo: str(r["key"]), Sex: claims.Sex(i64(r["sex"], 0)), Birth: dateOf(r["birth"]),
			InsuType: str(r["insu_type"]), Name: str(r["name"]), CertNo: str(r["cert_no"]),
			InsuplcAdmdvs: str(r["insuplc_admdvs"]), DieDate: dateOf(r["die_date"]),
		})
		l.st.Persons++
		return nil
	}, func(n int64) { l.report("patients", n) })
}

// readDoctors reads the Doctor nodes and their registrations.
func (l *tableLoader) readDoctors(ctx context.Context) error {
	return scan(ctx, l.src, doctorPageQuery, func(r map[string]any) error {
		code := str(r["key"])
		sites, _ := r["sites"].([]any)
		registered := false
		for _, s := range sites {
			inst := l.t.Institutions.IDs.Lookup(str(s))
			if inst == graph.None {
				continue
			}
			l.t.AddStaff(&claims.Staff{DrCode: code, InstitutionCode: str(s), Name: str(r["name"]),
				Dept: str(r["dept"]), Prof: str(r["prof"])}, inst)
			registered = true
			l.st.Registrations++
		}
		if !registered {
			l.t.DoctorRef(code)
		}
		l.st.Doctors++
		return nil
	}, func(n int64) { l.report("doctors", n) })
}

// readItems reads the catalogue items (Item nodes).
func (l *tableLoader) readItems(ctx context.Context) error {
	// Catalogue items: those of catalog.csv are added as ingest adds them;
	// codes only seen on fee lines are created by AddFee, as in ingest,
	// from the name and list type kept here (one that no fee line uses is
	// not read back: it carries nothing).
	return scan(ctx, l.src, itemPageQuery, func(r map[string]any) error {
		code := str(r["key"])
		lt := uint16(i64(r["list_type"], 0))
		if known, _ := r["known"].(bool); !known {
			l.unknown[code] = feeItem{str(r["name"]), lt}
			l.st.Items++
			return nil
		}
		l.t.AddCatalogItem(&claims.CatalogItem{Code: code, Name: str(r["name"]), ListType: lt,
			LimitSex: claims.Sex(i64(r["lmt_gend"], int64(claims.SexUnknown))), AgeMin: int16(i64(r["age_min"], -1)),
			AgeMax: int16(i64(r["age_max"], -1)), MaxDays: int32(i64(r["max_days"], 0)), PriceCap: price(r["price_cap"])})
		l.st.Items++
		return nil
	}, func(n int64) { l.report("items", n) })
}

// readVisits reads the Visit nodes.
func (l *tableLoader) readVisits(ctx context.Context) error {
	return scan(ctx, l.src, visitPageQuery, func(r map[string]any) error {
		person := l.t.Persons.IDs.Lookup(str(r["psn_no"]))
		inst := l.t.Institutions.IDs.Lookup(str(r["code"]))
		if person == graph.None || inst == graph.None {
			l.st.SkippedVisits++
			return nil
		}
		v := claims.Visit{
			MdtrtID: str(r["key"]), SetlID: str(r["setl_id"]), PsnNo: str(r["psn_no"]), InstitutionCode: str(r["code"]),
			MedType: claims.MedType(i64(r["med_type"], 0)), Begin: timeOf(r["begin"]), End: timeOf(r["end"]),
			DoctorCode: str(r["dr_code"]), DiseCode: str(r["dise_codg"]), DiseName: str(r["dise_name"]),
			MedFee: money(r["med_fee"]), FundPay: money(r["fund"]), CertType: claims.CertType(i64(r["cert_type"], 0)),
		}
		row, added := l.t.AddVisit(&v, person, inst, 0)
		if added {
			l.t.Visits.Flags[row] = graph.VisitFlag(i64(r["flags"], 0))
			l.st.Visits++
		}
		return nil
	}, func(n int64) { l.report("visits", n) })
}

// readFees reads the FeeLine nodes.
func (l *tableLoader) readFees(ctx context.Context) error {
	return scan(ctx, l.src, feePageQuery, func(r map[string]any) error {
		key, sn := str(r["key"]), str(r["sn"])
		mdtrt, ok := strings.CutSuffix(key, "/"+sn)
		visit := graph.None
		if ok && sn != "" {
			visit = l.t.Visits.IDs.Lookup(mdtrt)
		}
		if visit == graph.None {
			l.st.SkippedFees++
			return nil
		}
		code := str(r["item"])
		it := l.unknown[code]
		l.t.AddFee(&claims.FeeLine{
			FeedetlSn: sn, MdtrtID: mdtrt, ItemCode: code, ItemName: it.name, ListType: it.listType,
			Count: f64(r["cnt"]), Price: price(r["pric"]), Amount: money(r["amount"]), Time: timeOf(r["time"]),
			DoctorCode: str(r["dr_code"]), SupplyDays: int32(i64(r["prd_days"], 0)), TraceCode: str(r["trace"]),
		}, visit, 0)
		l.st.Fees++
		return nil
	}, func(n int64) { l.report("fee lines", n) })
}

// scan pages through query (parameters $after and $page; records with a
// string column key in ascending order), calling fn per record and done
// after every page with the records so far. Each page is a read
// transaction of its own, retried on transient errors; records of a page
// are handed to fn only once the page was read completely, so a retried
// page is never seen twice.
func scan(ctx context.Context, src Source, query string, fn func(map[string]any) error, done func(int64)) error {
	page := src.Page
	if page <= 0 {
		page = 10000
	}
	after := ""
	var total int64
	for {
		var recs []map[string]any
		_, err := src.Retry.Do(ctx, func(ctx context.Context) error {
			return src.Exec.ExecuteRead(ctx, func(ctx context.Context, tx Runner) error {
				var err error
				recs, err = collect(ctx, tx, query, map[string]any{"after": after, "page": int64(page)})
				return err
			})
		})
		if err != nil {
			return err
		}
		for _, r := range recs {
			key, ok := r["key"].(string)
			if !ok {
				return fmt.Errorf("record without a string key")
			}
			if key <= after && total > 0 {
				return fmt.Errorf("keys out of order at %d records", total)
			}
			after = key
			if err := fn(r); err != nil {
				return err
			}
			total++
		}
		done(total)
		if len(recs) < page {
			return nil
		}
	}
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

func i64(v any, def int64) int64 {
	if n, ok := asInt64(v); ok {
		return n
	}
	return def
}

// money converts yuan to a claims.Money (fen).
func money(v any) claims.Money { return claims.Money(scaled(v, 100)) }

// price converts yuan to a claims.Price (millionths of a yuan).
func price(v any) claims.Price { return claims.Price(scaled(v, 1e6)) }

// scaled converts a number of yuan to an integer number of units (unit
// per yuan); non-numbers give 0.
func scaled(v any, unit int64) int64 {
	switch x := v.(type) {
	case float64:
		return int64(math.Round(x * float64(unit)))
	case int64:
		return x * unit
	}
	return 0
}

func f64(v any) float64 {
	switch x := v.(type) {
	case float64:
		return x
	case int64:
		return float64(x)
	}
	return 0
}

func dateOf(v any) claims.Date {
	var t time.Time
	switch x := v.(type) {
	case dbtype.Date:
		t = x.Time()
	case time.Time:
		t = x
	default:
		return claims.NoDate
	}
	return claims.DateOf(t.Year(), int(t.Month()), t.Day())
}

func timeOf(v any) claims.Time {
	switch x := v.(type) {
	case time.Time:
		return claims.TimeOf(x)
	case dbtype.LocalDateTime:
		t := x.Time()
		return claims.TimeOf(time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), 0, claims.Shanghai()))
	}
	return claims.NoTime
}
