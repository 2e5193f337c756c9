package report

// sharedTemplates are the parts report.html and the dossier share: the
// style of the page (css), the member table (members), the seal footer
// (seal) and a ring's timeline chart (timeline).
const sharedTemplates = `{{define "css"}}:root { --ink:#1d2433; --muted:#5b6475; --line:#d9dee7; --soft:#f4f6fa; --accent:#b3261e; --bar:#c2410c; }
* { box-sizing: border-box; }
body { margin:0; color:var(--ink); background:#fff; font: 14px/1.5 "PingFang SC","Hiragino Sans GB","Microsoft YaHei","Noto Sans CJK SC","Noto Sans SC","Source Han Sans SC",system-ui,sans-serif; }
main { max-width: 1100px; margin: 0 auto; padding: 24px 28px 40px; }
h1 { font-size: 24px; margin: 0 0 4px; }
h2 { font-size: 19px; margin: 32px 0 10px; padding-bottom: 4px; border-bottom: 2px solid var(--ink); }
h3 { font-size: 15px; margin: 18px 0 6px; }
.meta { color: var(--muted); margin: 0 0 10px; }
.note { background: #fff7e6; border-left: 4px solid #e0a100; padding: 8px 12px; margin: 12px 0; }
.cards { display: flex; flex-wrap: wrap; gap: 10px; margin: 12px 0; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: 8px 14px; min-width: 150px; background: var(--soft); }
.card b { display: block; font-size: 20px; }
.card span { color: var(--muted); font-size: 12px; }
table { border-collapse: collapse; width: 100%; margin: 6px 0 12px; }
th, td { border: 1px solid var(--line); padding: 4px 7px; text-align: left; vertical-align: top; }
th { background: var(--soft); font-weight: 600; white-space: nowrap; }
.scroll { overflow-x: auto; }
table.ev td, table.ev th { padding: 3px 5px; }
table.ev td.rule code { white-space: nowrap; }
td.detail { min-width: 12em; }
td.article { min-width: 8em; font-weight: normal; }
td.cited { min-width: 11em; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
code, .mono { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: 12px; }
a { color: #1d4ed8; text-decoration: none; }
.ring { border: 1px solid var(--line); border-radius: 8px; padding: 4px 18px 12px; margin: 22px 0; }
.ring h2 { border: 0; margin-top: 12px; }
.rank { display: inline-block; background: var(--accent); color: #fff; border-radius: 4px; padding: 0 8px; margin-right: 6px; }
.facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 14px; margin: 6px 0; }
.facts dt { color: var(--muted); }
.facts dd { margin: 0; }
.score { display: inline-block; width: 120px; height: 9px; background: var(--line); border-radius: 5px; vertical-align: middle; margin-left: 6px; }
.score i { display: block; height: 100%; background: var(--accent); border-radius: 5px; }
.feats { display: grid; grid-template-columns: repeat(auto-fill, minmax(210px, 1fr)); gap: 0 18px; margin: 4px 0 10px; }
.feats div { display: flex; justify-content: space-between; border-bottom: 1px dotted var(--line); padding: 2px 0; }
.feats dd { margin: 0; font-variant-numeric: tabular-nums; }
svg.tl { width: 100%; height: auto; display: block; border: 1px solid var(--line); border-radius: 4px; background: #fff; }
svg.tl rect.b { fill: var(--bar); }
svg.tl text { font-size: 10px; fill: var(--muted); }
svg.tl line { stroke: var(--line); }
.rows { max-height: 9em; overflow: auto; line-height: 1.35; }
.article { font-weight: 600; }
.muted { color: var(--muted); }
.printonly { display: none; }
.nowrap { white-space: nowrap; }
footer { margin-top: 36px; padding-top: 10px; border-top: 1px solid var(--line); color: var(--muted); font-size: 12px; }
footer code { word-break: break-all; color: var(--ink); }
ol.why { margin: 4px 0 10px; padding-left: 22px; }
ol.why li { margin: 2px 0; }
table.members td, table.members th { padding: 2px 5px; white-space: nowrap; }
table.members td.lbl { white-space: normal; }
{{end}}
{{define "members"}}<div class="scroll"><table class="members">
<thead><tr><th>{{t "role"}}</th><th>{{t "kind"}}</th><th>{{t "id"}}</th><th>{{t "label"}}</th><th class="num">{{t "visits"}}</th><th class="num">{{t "fund"}}</th><th class="num">{{t "rule_hits"}}</th><th>{{t "first"}}</th><th>{{t "last"}}</th><th class="num">{{t "score"}}</th></tr></thead>
<tbody>{{range .}}<tr><td>{{.Role}}</td><td>{{.Kind}}</td><td><code>{{.ID}}</code></td><td class="lbl">{{.Label}}</td><td class="num">{{.Visits}}</td><td class="num">{{.Fund}}</td><td class="num">{{.RuleHits}}</td><td class="mono">{{.First}}</td><td class="mono">{{.Last}}</td><td class="num">{{.Score}}</td></tr>
{{end}}</tbody></table></div>{{end}}
{{define "seal"}}<footer>
<p><b>{{t "seal"}}</b> — {{t "seal_note"}}</p>
<p>rings.json: <code>{{.SealRings}}</code><br>entities.csv: <code>{{.SealEntities}}</code></p>
<p>{{t "report_by"}}</p>
</footer>{{end}}
{{define "timeline"}}{{with .}}{{$tl := .}}<svg class="tl" viewBox="0 0 {{.Width}} {{.Height}}" role="img">
<line x1="{{.Left}}" y1="{{.MaxY}}" x2="{{.Right}}" y2="{{.MaxY}}"/><line x1="{{.Left}}" y1="{{.BaseY}}" x2="{{.Right}}" y2="{{.BaseY}}"/>
<text x="30" y="{{.MaxY}}" text-anchor="end" dominant-baseline="middle">{{.Max}}</text><text x="30" y="{{.BaseY}}" text-anchor="end" dominant-baseline="middle">0</text>
{{range .Bars}}<rect class="b" x="{{.X}}" y="{{.Y}}" width="{{.W}}" height="{{.H}}"><title>{{.Title}}</title></rect>{{end}}
{{range .Ticks}}<text x="{{.X}}" y="{{$tl.TickY}}" text-anchor="middle">{{.Label}}</text>{{end}}
</svg>{{else}}<p class="muted">{{t "no_timeline"}}</p>{{end}}{{end}}
`

// pageTemplate is report.html. It loads nothing from the network: styles
// and timelines are inline, and there is no script.
const pageTemplate = `<!DOCTYPE html>
<html lang="{{.HTMLLang}}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<style>
{{template "css"}}
@page { size: A4; margin: 14mm 12mm 16mm; }
@media print {
  body { font-size: 10px; }
  h2 { font-size: 15px; margin-top: 14px; }
  .ring h2 { margin-top: 0; }
  main { max-width: none; padding: 0; }
  a { color: inherit; }
  .ring { break-before: page; border: 0; padding: 0; }
  .rows, .scroll { max-height: none; overflow: visible; }
  .toplink { display: none; }
  tr, svg.tl, ol.why { break-inside: avoid; }
  .singles { break-before: page; }
  table.ev td.detail { min-width: 0; }
  .ring table.ev tbody tr:nth-child(n+11), .extra { display: none; }
  .printonly { display: block; }
  table.members, table.ev { font-size: 9px; }
  .card, th { background: none; }
}
</style>
</head>
<body>
<main id="top">
<header>
<h1>{{.Title}}</h1>
<p class="meta">{{if .Meta.Dataset}}{{t "dataset"}}: <b>{{.Meta.Dataset}}</b>{{end}}{{if .Meta.Generated}} · {{t "generated"}}: {{.Meta.Generated}}{{end}}</p>
<p class="note">{{t "clue_note"}}</p>
</header>

<section>
<h2>{{t "overview"}}</h2>
<div class="cards">
<div class="card"><b>{{.RingsN}}</b><span>{{t "rings_found"}}</span></div>
<div class="card"><b>¥{{.TotalAtRisk}}</b><span>{{t "total_at_risk"}}</span></div>
<div class="card"><b>{{.SinglesTotal}}</b><span>{{t "single_hits_n"}}</span></div>
<div class="card"><b>{{len .DataQuality}}</b><span>{{t "dq_n"}}</span></div>
{{range .Meta.Summary}}<div class="card"><b>{{.Value}}</b><span>{{.Label}}</span></div>
{{end}}</div>
</section>

<section>
<h2>{{t "ranked_rings"}}</h2>
{{if .Rings}}<table>
<thead><tr><th class="num">{{t "rank"}}</th><th class="num">{{t "score"}}</th><th>{{t "typology"}}</th><th>{{t "members"}}</th><th class="num">{{t "amount_at_risk"}}</th><th class="num">{{t "visits"}}</th><th>{{t "period"}}</th><th>{{t "ring_id"}}</th></tr></thead>
<tbody>
{{range .Rings}}<tr><td class="num"><a href="#{{.Anchor}}">{{.Rank}}</a></td><td class="num">{{.Score}}</td><td>{{.Typology}}</td><td>{{.MemberCounts}}</td><td class="num">{{.Amount}}</td><td class="num">{{.Visits}}</td><td class="mono">{{.FirstDay}} – {{.LastDay}}</td><td><a href="#{{.Anchor}}"><code>{{.ID}}</code></a></td></tr>
{{end}}</tbody>
</table>{{else}}<p class="muted">{{t "no_rings"}}</p>{{end}}{{if .NotReported}}
<p class="note">{{tf2 "rings_capped" .NotReported .RingsN}}</p>{{end}}{{if .ScopeNote}}
<p class="note">{{.ScopeNote}}</p>{{end}}
</section>

{{range .Rings}}
<section class="ring" id="{{.Anchor}}">
<h2><span class="rank">#{{.Rank}}</span>{{.Typology}} <code class="muted">{{.ID}}</code></h2>
<dl class="facts">
<dt>{{t "score"}}</dt><dd>{{.Score}}<span class="score"><i style="width: {{.ScorePct}}%"></i></span></dd>
<dt>{{t "amount_at_risk"}}</dt><dd><b>¥{{.Amount}}</b> · {{tf "n_visits" .Visits}}</dd>
<dt>{{t "period"}}</dt><dd class="mono">{{or .First "?"}} – {{or .Last "?"}}</dd>
<dt>{{t "members"}}</dt><dd>{{.MemberCounts}}</dd>
<dt>{{t "legal_article"}}</dt><dd class="article">{{or .Article "—"}}</dd>
</dl>

{{if .Why}}<h3>{{t "why"}}</h3>
<ol class="why">{{range .Why}}<li>{{.}}</li>{{end}}</ol>{{end}}

<h3>{{t "member_table"}}</h3>
{{template "members" .MemberRows}}
{{if .MoreMembers}}<p class="muted">{{tf "more_members" .MoreMembers}}</p>{{end}}

<h3>{{t "timeline"}}</h3>
{{template "timeline" .Timeline}}

{{if .Features}}<h3>{{t "features"}}</h3>
<dl class="feats">{{range .Features}}<div><dt><code>{{.Label}}</code></dt><dd>{{.Value}}</dd></div>{{end}}</dl>{{end}}

<h3>{{t "evidence"}}</h3>
{{if gt (len .Evidence) $.PrintEvidence}}<p class="printonly muted">{{tf2 "print_evidence" $.PrintEvidence $.PrintRows}}</p>{{end}}
{{if .Evidence}}{{template "evidence" .Evidence}}{{else}}<p class="muted">{{t "no_evidence"}}</p>{{end}}
<p class="toplink"><a href="#top">↑ {{t "top"}}</a></p>
</section>
{{end}}

<section class="singles">
<h2>{{t "single_hits"}}</h2>
{{if .SingleHits}}<p>{{tf "singles_note" .SinglesN}}: <a href="{{.SinglesFile}}"><code>{{.SinglesFile}}</code></a>{{if gt .SinglesTotal .SinglesN}} · {{tf2 "singles_capped" .SinglesTotal .SinglesN}}{{end}}</p>
<table class="hits">
<thead><tr><th>{{t "rule"}}</th><th class="num">{{t "hits"}}</th><th class="num">{{t "amount"}}</th></tr></thead>
<tbody>{{range .SingleHits}}<tr><td><code>{{.Rule}}</code></td><td class="num">{{.Count}}</td><td class="num">{{.Amount}}</td></tr>
{{end}}</tbody></table>{{else}}<p class="muted">{{t "no_single_hits"}}</p>{{end}}
</section>

<section>
<h2>{{t "data_quality"}}</h2>
{{if .DataQuality}}<table>
<thead><tr><th>{{t "kind"}}</th><th>{{t "code"}}</th><th class="num">{{t "visits"}}</th><th class="num">{{t "institutions"}}</th><th class="num">{{t "patients"}}</th><th class="num">{{t "amount"}}</th><th>{{t "detail"}}</th></tr></thead>
<tbody>{{range .DataQuality}}<tr><td>{{.Kind}}</td><td><code>{{.Code}}</code></td><td class="num">{{.Visits}}</td><td class="num">{{.Institutions}}</td><td class="num">{{.Pats}}</td><td class="num">{{.Amount}}</td><td>{{.Detail}}</td></tr>
{{end}}</tbody></table>{{else}}<p class="muted">{{t "no_data_quality"}}</p>{{end}}
</section>

{{template "seal" .}}
</main>
</body>
</html>
{{define "evidence"}}<div class="scroll"><table class="ev">
<thead><tr><th>{{t "rule"}}</th><th>{{t "params"}}</th><th>{{t "article"}}</th><th>{{t "detail"}}</th><th class="num">{{t "amount"}}</th><th class="num">{{t "visits"}}</th><th>{{t "cited_rows"}}</th></tr></thead>
<tbody>{{range .}}<tr><td class="rule"><code>{{.Rule}}</code>{{if .Version}} <span class="muted">v{{.Version}}</span>{{end}}<br><span class="muted">{{.Kind}}{{if .Result}} · {{.Result}}{{end}}</span></td><td class="mono">{{range .Params}}<code>{{.}}</code><br>{{end}}</td><td class="article">{{.Article}}</td><td class="detail">{{.Detail}}</td><td class="num">{{.Amount}}</td><td class="num">{{.Visits}}</td><td class="cited"><div class="rows mono">{{range .Rows}}{{.}}<br>{{end}}{{if .Extra}}<span class="extra">{{range .Extra}}{{.}}<br>{{end}}</span>{{end}}{{if .More}}<span class="muted">{{tf "more_rows" .More}}</span>{{end}}</div></td></tr>
{{end}}</tbody></table></div>{{end}}
`
