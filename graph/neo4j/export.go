package neo4j

import (
	"bufio"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/ringlens/ringlens/graph/claims"
)

// FileSink creates the files of an export.
type FileSink interface {
	Create(name string) (io.WriteCloser, error)
}

// DirSink is a FileSink writing into a directory (created if missing).
type DirSink string

// Create creates name in the directory.
func (d DirSink) Create(name string) (io.WriteCloser, error) {
	if err := os.MkdirAll(string(d), 0o755); err != nil {
		return nil, err
	}
	return os.Create(filepath.Join(string(d), name))
}

// ArrayDelimiter separates array elements in exported CSV fields.
const ArrayDelimiter = ";"

// ExportFile is one file of an export.
type ExportFile struct {
	Name string // file name, e.g. nodes_patient.csv
	Kind string // "nodes" or "relationships"
	Rows int64
}

// ExportStats reports an export.
type ExportStats struct {
	Files   []ExportFile
	Nodes   int64
	Rels    int64
	Elapsed time.Duration
}

// NodeHeader returns the neo4j-admin import header of s: the key as
// key:ID(Space), typed properties, then :LABEL.
func NodeHeader(s *NodeSet) []string {
	h := []string{fmt.Sprintf("%s:ID(%s)", s.Key, s.Space)}
	for _, p := range s.Props {
		h = append(h, p.Name+":"+string(p.Type))
	}
	return append(h, ":LABEL")
}

// RelHeader returns the neo4j-admin import header of s:
// :START_ID(Space), :END_ID(Space), typed properties, then :TYPE.
func RelHeader(s *RelSet) []string {
	h := []string{fmt.Sprintf(":START_ID(%s)", s.From.Space), fmt.Sprintf(":END_ID(%s)", s.To.Space)}
	for _, p := range s.Props {
		h = append(h, p.Name+":"+string(p.Type))
	}
	return append(h, ":TYPE")
}

// Export writes m as neo4j-admin import CSV files (nodes_<set>.csv,
// rels_<set>.csv) and a README.md holding the import command, through
// sink. database names the target database in the command ("" means
// neo4j).
func Export(ctx context.Context, sink FileSink, m *Model, database string, progress func(stage string, done, total int64)) (*ExportStats, error) {
	start := time.Now()
	st := &ExportStats{}
	for i := range m.Nodes {
		s := &m.Nodes[i]
		name := "nodes_" + s.Name + ".csv"
		labels := strings.Join(s.Labels, ArrayDelimiter)
		vals := make([]any, len(s.Props))
		rec := make([]string, len(s.Props)+2)
		n, err := writeCSV(ctx, sink, name, NodeHeader(s), s.Len, func(i int) []string {
			clear(vals)
			rec[0] = s.Row(i, vals)
			for j, p := range s.Props {
				rec[j+1] = csvValue(p.Type, vals[j])
			}
			rec[len(rec)-1] = labels
			return rec
		}, func(done int) { progressCSV(progress, name, done, s.Len) })
		if err != nil {
			return st, err
		}
		st.Files = append(st.Files, ExportFile{Name: name, Kind: "nodes", Rows: n})
		st.Nodes += n
	}
	for i := range m.Rels {
		s := &m.Rels[i]
		name := "rels_" + s.Name + ".csv"
		vals := make([]any, len(s.Props))
		rec := make([]string, len(s.Props)+3)
		n, err := writeCSV(ctx, sink, name, RelHeader(s), s.Len, func(i int) []string {
			clear(vals)
			from, to, ok := s.Row(i, vals)
			if !ok {
				return nil
			}
			rec[0], rec[1] = from, to
			for j, p := range s.Props {
				rec[j+2] = csvValue(p.Type, vals[j])
			}
			rec[len(rec)-1] = s.Type
			return rec
		}, func(done int) { progressCSV(progress, name, done, s.Len) })
		if err != nil {
			return st, err
		}
		st.Files = append(st.Files, ExportFile{Name: name, Kind: "relationships", Rows: n})
		st.Rels += n
	}
	w, err := sink.Create("README.md")
	if err != nil {
		return st, fmt.Errorf("neo4j: create README.md: %w", err)
	}
	_, werr := io.WriteString(w, ImportReadme(st.Files, database, m.RunID))
	if cerr := w.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		return st, fmt.Errorf("neo4j: write README.md: %w", werr)
	}
	st.Elapsed = time.Since(start)
	return st, nil
}

func progressCSV(f func(string, int64, int64), name string, done, total int) {
	if f != nil && (done%50000 == 0 || done == total) {
		f("export "+name, int64(done), int64(total))
	}
}

// writeCSV writes one file: header then row(i) for i in [0, n) (nil rows
// skipped); it returns the rows written.
func writeCSV(ctx context.Context, sink FileSink, name string, header []string, n int, row func(int) []string, done func(int)) (int64, error) {
	f, err := sink.Create(name)
	if err != nil {
		return 0, fmt.Errorf("neo4j: create %s: %w", name, err)
	}
	bw := bufio.NewWriterSize(f, 1<<16)
	cw := csv.NewWriter(bw)
	var rows int64
	err = cw.Write(header)
	for i := 0; i < n && err == nil; i++ {
		if i%4096 == 0 {
			if err = ctx.Err(); err != nil {
				break
			}
		}
		if r := row(i); r != nil {
			err = cw.Write(r)
			rows++
		}
		done(i + 1)
	}
	if err == nil {
		cw.Flush()
		err = cw.Error()
	}
	if err == nil {
		err = bw.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return rows, fmt.Errorf("neo4j: write %s: %w", name, err)
	}
	return rows, nil
}

// csvValue formats a row value for a neo4j-admin CSV field; nil is the
// empty field (no property).
func csvValue(t PropType, v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return oneLine(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	case Day:
		return claims.Date(x).String()
	case Stamp:
		return claims.Time(x).Std().Format(time.RFC3339)
	case []string:
		parts := make([]string, len(x))
		for i, s := range x {
			parts[i] = strings.ReplaceAll(oneLine(s), ArrayDelimiter, ",")
		}
		return strings.Join(parts, ArrayDelimiter)
	}
	return oneLine(fmt.Sprint(v))
}

// oneLine replaces line breaks so that the import needs no
// --multiline-fields.
func oneLine(s string) string {
	if !strings.ContainsAny(s, "\r\n") {
		return s
	}
	return strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ").Replace(s)
}

// ImportCommand returns the neo4j-admin command importing files (paths
// relative to the directory the command runs in) into database.
func ImportCommand(files []ExportFile, database string) string {
	if database == "" {
		database = "neo4j"
	}
	var b strings.Builder
	b.WriteString("neo4j-admin database import full \\\n")
	for _, f := range files {
		fmt.Fprintf(&b, "  --%s=%s \\\n", f.Kind, f.Name)
	}
	fmt.Fprintf(&b, "  --array-delimiter=%q --id-type=string --overwrite-destination=true \\\n  %s", ArrayDelimiter, database)
	return b.String()
}

// ImportReadme returns the README written beside an export.
func ImportReadme(files []ExportFile, database, run string) string {
	var b strings.Builder
	b.WriteString("# RingLens graph export for neo4j-admin\n\n")
	b.WriteString("Node and relationship files in the `neo4j-admin database import` CSV format\n")
	b.WriteString("(header row with `:ID(space)`, `:LABEL`, `:START_ID(space)`, `:END_ID(space)`, `:TYPE` and typed\n")
	fmt.Fprintf(&b, "properties; arrays separated by `%s`). Findings belong to run `%s`.\n\n", ArrayDelimiter, run)
	b.WriteString("| file | kind | rows |\n|---|---|---:|\n")
	for _, f := range files {
		fmt.Fprintf(&b, "| %s | %s | %d |\n", f.Name, f.Kind, f.Rows)
	}
	b.WriteString("\n## Import\n\nStop the database (or import into a new one), run from this directory:\n\n```sh\n")
	b.WriteString(ImportCommand(files, database))
	b.WriteString("\n```\n\nThen start Neo4j (for a new database name: `CREATE DATABASE name` in the system\n")
	b.WriteString("database) and create the constraints that `ringlens neo4j push` creates:\n\n```cypher\n")
	for _, q := range ConstraintQueries() {
		b.WriteString(q + ";\n")
	}
	b.WriteString("```\n\nWith Docker, mount this directory as /import and prefix the command with\n")
	b.WriteString("`docker run --rm -v $PWD:/import -v neo4j-data:/data -w /import neo4j:5 `.\n")
	b.WriteString("Personal data is masked unless the export was made with --include-pii.\n")
	return b.String()
}
