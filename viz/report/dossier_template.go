package report

// dossierTemplate is a ring's dossier: print-ready on A4 with page numbers,
// no script, nothing from the network.
const dossierTemplate = `<!DOCTYPE html>
<html lang="{{.HTMLLang}}">
<head>
<meta charset="utf-8">
<title>{{.Title}}</title>
<style>
{{template "css"}}
@page { size: A4; margin: 16mm 14mm 18mm; @bottom-center { content: counter(page) " / " counter(pages); font-size: 9px; color: #5b6475; } }
main { max-width: 190mm; padding: 0; }
h2 { font-size: 16px; margin: 18px 0 8px; }
ol.why { margin: 4px 0 10px; padding-left: 22px; }
table.members td, table.members th, table.days td, table.days th, table.cited td, table.cited th { padding: 2px 5px; white-space: nowrap; }
table.members td.lbl { white-space: normal; }
.days { columns: 3; column-gap: 14px; }
.days table { width: 100%; }
.ev { border: 1px solid var(--line); border-radius: 6px; padding: 4px 10px; margin: 8px 0; break-inside: avoid-page; }
.ev h3 { margin: 4px 0; }
@media print {
  body { font-size: 10px; }
  table.members, table.cited, table.days { font-size: 9px; }
  section.break { break-before: page; }
  tr, ol.why, svg.tl { break-inside: avoid; }
  .card, th { background: none; }
}
</style>
</head>
<body>
<main>
<header>
<h1>{{.Title}}</h1>
<p class="meta">{{if .Dataset}}{{t "dataset"}}: <b>{{.Dataset}}</b> · {{end}}{{t "ring_id"}}: <code>{{.Ring.ID}}</code></p>
<p class="note">{{t "clue_note"}}</p>
</header>
{{with .Ring}}
<section>
<h2>{{t "summary"}}</h2>
<dl class="facts">
<dt>{{t "typology"}}</dt><dd>{{.Typology}}</dd>
<dt>{{t "rank"}}</dt><dd>{{.Rank}}</dd>
<dt>{{t "score"}}</dt><dd>{{.Score}}</dd>
<dt>{{t "amount_at_risk"}}</dt><dd><b>¥{{.Amount}}</b> · {{tf "n_visits" .Visits}}</dd>
<dt>{{t "period"}}</dt><dd class="mono">{{or .First "?"}} – {{or .Last "?"}}</dd>
<dt>{{t "members"}}</dt><dd>{{.MemberCounts}}</dd>
<dt>{{t "legal_article"}}</dt><dd class="article">{{or .Article "—"}}</dd>
</dl>
{{if .Why}}<h2>{{t "why"}}</h2>
<ol class="why">{{range .Why}}<li>{{.}}</li>{{end}}</ol>{{end}}
</section>
{{end}}
<section>
<h2>{{t "member_table"}}</h2>
{{template "members" .Members}}
</section>

<section class="break">
<h2>{{t "timeline"}}</h2>
{{template "timeline" .Ring.Timeline}}
{{if .Days}}<div class="days"><table class="days">
<thead><tr><th>{{t "day"}}</th><th class="num">{{t "visits"}}</th><th class="num">{{t "fund"}}</th></tr></thead>
<tbody>{{range .Days}}<tr><td class="mono">{{.Day}}</td><td class="num">{{.Visits}}</td><td class="num">{{.Amount}}</td></tr>
{{end}}</tbody></table></div>{{end}}
</section>

<section class="break">
<h2>{{t "evidence"}}</h2>
<p class="muted">{{tf2 "dossier_evidence" .EvidenceShown .EvidenceTotal}}{{if .VisitsKnown}} {{tf "dossier_visits" .VisitsListed}}{{end}}</p>
{{range $i, $e := .Evidence}}<div class="ev">
<h3><code>{{.Rule}}</code>{{if .Version}} <span class="muted">v{{.Version}}</span>{{end}} · {{.Kind}}{{if .Result}} · {{.Result}}{{end}}</h3>
<p>{{.Detail}}</p>
<p class="muted">{{t "amount"}}: <b>{{.Amount}}</b> · {{tf2 "rows_shown" .Shown .Total}}{{if .Params}} · {{range .Params}}<code>{{.}}</code> {{end}}{{end}}</p>
{{if .Article}}<p class="article">{{.Article}}</p>{{end}}
{{if .Cited}}<table class="cited">
<thead><tr><th>mdtrt_id</th><th>{{t "begin"}}</th><th>{{t "patient"}}</th><th>{{t "site"}}</th><th class="num">{{t "fund"}}</th><th class="num">{{t "fee_lines"}}</th></tr></thead>
<tbody>{{range .Cited}}<tr><td><code>{{.MdtrtID}}</code></td><td class="mono">{{.Begin}}</td><td>{{.Patient}}</td><td><code>{{.Site}}</code></td><td class="num">{{.Fund}}</td><td class="num">{{.Fees}}</td></tr>
{{end}}</tbody></table>{{end}}
</div>
{{end}}
</section>

<section>
<h2>{{t "legal_articles"}}</h2>
<ul>{{range .Articles}}<li class="article">{{.}}</li>{{end}}</ul>
</section>

{{template "seal" .}}
</main>
</body>
</html>
`
