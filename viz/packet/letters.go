package packet

import (
	"bytes"
	"fmt"
	"html/template"
	"slices"
	"strings"

	"github.com/ringlens/ringlens/graph/claims"
	"github.com/ringlens/ringlens/graph/findings"
	"github.com/ringlens/ringlens/graph/vocab"
	"github.com/ringlens/ringlens/graph/workspace"
)

// letterData is what the transfer letter and the investigation report
// render: the case record, the ring in figures, the packet's files.
type letterData struct {
	Case                        workspace.Case
	State, TransferTo, Typology string
	Ring                        *findings.Ring
	Amount                      string
	Sites, Pharmacies           int
	Doctors, Patients           int
	Why, Articles               []string
	Evidence                    []letterEvidence
	Members                     []letterMember // the members who are not patients
	Events                      []letterEvent
	Files                       []FileEntry
	AuditHead, Fingerprint, By  string
	AuditEntries                int64
	Date                        string // 2026年3月1日, Beijing time
	FeesKnown                   bool
	FeeLines                    int
}

// letterEvidence is one evidence item in figures.
type letterEvidence struct {
	N                                    int
	Kind, Rule, Version, Result, Article string
	Amount                               string
	Visits                               int
}

// letterMember is one member who is not a patient.
type letterMember struct {
	Kind, ID, Role, Label, Fund string
	Visits                      int
}

// letterEvent is one state change, states labelled.
type letterEvent struct {
	At, By, From, To, Note, Due, TransferTo string
}

// writeLetter renders one of the case's documents (letterTemplate,
// reportTemplate) in Chinese, listing files.
func writeLetter(text string, in Input, fingerprint string, files []FileEntry) ([]byte, error) {
	zh := func(c vocab.Category, code string) string {
		if code == "" {
			return ""
		}
		return vocab.Label(c, code, vocab.LangZh)
	}
	r := in.Ring
	d := letterData{Case: in.Case, State: zh(vocab.CaseStates, in.Case.Status), TransferTo: zh(vocab.TransferTargets, in.Case.TransferTo),
		Typology: zh(vocab.Typologies, r.Typology), Ring: r, Amount: yuan(r.AmountAtRisk), Files: files,
		AuditHead: in.AuditHead, AuditEntries: in.AuditEntries, Fingerprint: fingerprint, By: in.By,
		Date: in.At.In(claims.Shanghai()).Format("2006年1月2日"), FeesKnown: in.FeesKnown, FeeLines: len(in.Fees)}
	for _, m := range r.Members {
		switch m.Kind {
		case findings.KindPatient:
			d.Patients++
			continue
		case findings.KindDoctor:
			d.Doctors++
		case findings.KindPharmacy:
			d.Pharmacies++
		default:
			d.Sites++
		}
		d.Members = append(d.Members, letterMember{Kind: zh(vocab.Kinds, m.Kind), ID: m.ID, Role: zh(vocab.Roles, m.Role),
			Label: m.Label, Fund: yuan(m.Fund), Visits: m.Visits})
	}
	for _, w := range r.Why {
		d.Why = append(d.Why, w.Zh)
	}
	addArticle := func(a string) {
		if a != "" && !slices.Contains(d.Articles, a) {
			d.Articles = append(d.Articles, a)
		}
	}
	addArticle(r.Article)
	for i, e := range r.Evidence {
		addArticle(e.Article)
		d.Evidence = append(d.Evidence, letterEvidence{N: i + 1, Kind: zh(vocab.EvidenceKinds, e.Kind), Rule: e.Rule,
			Version: e.Version, Result: zh(vocab.Results, e.Result), Article: e.Article, Amount: yuan(e.Amount), Visits: max(e.Total, e.Visits)})
	}
	for _, e := range in.Case.Events {
		d.Events = append(d.Events, letterEvent{At: e.At, By: e.By, From: zh(vocab.CaseStates, e.From), To: zh(vocab.CaseStates, e.To),
			Note: e.Note, Due: e.Due, TransferTo: zh(vocab.TransferTargets, e.TransferTo)})
	}
	t, err := template.New("letter").Funcs(template.FuncMap{"inc": func(i int) int { return i + 1 }}).Parse(letterStyle + text)
	if err != nil {
		return nil, fmt.Errorf("template: %w", err)
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, d); err != nil {
		return nil, fmt.Errorf("render: %w", err)
	}
	return buf.Bytes(), nil
}

// yuan formats an amount of yuan with two decimals.
func yuan(x float64) string { return fmt.Sprintf("%.2f", float64(fen(x))/100) }

// readme is README.txt: what the packet holds and how to check it.
func readme(m Manifest) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "RingLens 证据包 / evidence packet\n\n案件 case: %s   团伙 ring: %s\n生成 built: %s  by %s  (%s)\n", m.Case, m.Ring, m.CreatedAt, m.CreatedBy, m.Tool)
	fmt.Fprintf(&b, "签名公钥指纹 key fingerprint (SHA-256): %s\n\n", m.KeyFingerprint)
	b.WriteString(`核验 / How to check:
  ringlens packet verify PACKET.zip --pubkey 工作区公钥.pem

或不用 RingLens / or without RingLens (unzip into a directory first):
  python3 -c 'import json;[print(f["sha256"]+"  "+f["path"]) for f in json.load(open("manifest.json"))["files"]]' | sha256sum -c
  openssl pkeyutl -verify -pubin -inkey 工作区公钥.pem -rawin -in manifest.json -sigfile manifest.sig

manifest.json 列出每个文件的 SHA-256；manifest.sig 是以工作区 Ed25519 密钥对 manifest.json 全部字节的签名；
public_key.pem 为包内所附公钥，须与移送机关另行提供的公钥（或其指纹）比对一致。
manifest.json lists the SHA-256 of every file; manifest.sig is the Ed25519 signature of manifest.json's bytes;
compare public_key.pem (or its fingerprint) with the key the bureau gave apart from the packet.

个人信息（姓名、证件号码）已脱敏。Personal data (names, ID numbers) are masked.
`)
	return []byte(b.String())
}

// letterStyle is the print style of both documents (A4).
const letterStyle = `<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8">
<style>
@page { size: A4; margin: 25mm 20mm; @bottom-center { content: counter(page); } }
body { font-family: "FangSong", "STFangsong", "Noto Serif CJK SC", serif; font-size: 12pt; line-height: 1.7; color: #000; }
h1 { text-align: center; font-size: 20pt; font-family: "SimHei", "Noto Sans CJK SC", sans-serif; }
h2 { font-size: 14pt; font-family: "SimHei", "Noto Sans CJK SC", sans-serif; margin-top: 1.2em; }
table { border-collapse: collapse; width: 100%; font-size: 10pt; margin: .5em 0; }
th, td { border: 1px solid #000; padding: 2px 4px; text-align: left; vertical-align: top; }
td.num { text-align: right; }
.hash { font-family: monospace; font-size: 8pt; word-break: break-all; }
.no { text-align: center; }
.sign { text-align: right; margin-top: 3em; }
.fill { display: inline-block; min-width: 8em; border-bottom: 1px solid #000; }
.draft { border: 1px solid #000; padding: .5em; font-size: 10pt; }
</style>`

// letterTemplate is the transfer letter (移送函).
const letterTemplate = `<title>涉嫌犯罪案件移送函 {{.Case.ID}}</title></head><body>
<h1>涉嫌犯罪案件移送函</h1>
<p class="no">医保移〔<span class="fill"></span>〕第<span class="fill"></span>号</p>
<p><span class="fill"></span>公安局：</p>
<p>我局在医疗保障基金监督检查中发现，线索 {{.Case.ID}}（{{.Typology}}，筛查团伙编号 {{.Ring.ID}}）涉及定点医疗机构 {{.Sites}} 家、定点零售药店 {{.Pharmacies}} 家、医务人员 {{.Doctors}} 名、参保人 {{.Patients}} 名，于 {{.Ring.First}} 至 {{.Ring.Last}} 期间发生医保结算就诊 {{.Ring.Visits}} 次，涉及医保基金 {{.Amount}} 元。经核查，案件状态为“{{.State}}”{{if .TransferTo}}（移送对象：{{.TransferTo}}）{{end}}。</p>
<p>上述行为涉嫌以欺诈、伪造证明材料或者其他手段骗取医疗保障基金，可能构成犯罪。根据《中华人民共和国刑法》第二百六十六条、《医疗保障基金使用监督管理条例》及《行政执法机关移送涉嫌犯罪案件的规定》，现将该案移送你局，请依法审查。审查结果请书面告知我局。</p>
{{if .Articles}}<p>涉及条款：{{range $i, $a := .Articles}}{{if $i}}；{{end}}{{$a}}{{end}}。</p>{{end}}
<h2>附件：移送材料清单</h2>
<table><tr><th>序号</th><th>文件</th><th>字节</th><th>SHA-256</th></tr>
{{range $i, $f := .Files}}<tr><td>{{inc $i}}</td><td>{{$f.Path}}</td><td class="num">{{$f.Size}}</td><td class="hash">{{$f.SHA256}}</td></tr>
{{end}}</table>
<p>以上材料与本函一并封装于电子证据包，其清单（manifest.json）经本局工作区 Ed25519 密钥签名，公钥指纹（SHA-256）：<span class="hash">{{.Fingerprint}}</span>。移送前本局审计记录共 {{.AuditEntries}} 条，链头：<span class="hash">{{.AuditHead}}</span>。</p>
<h2>案件办理记录</h2>
<table><tr><th>时间（UTC）</th><th>经办人</th><th>状态变更</th><th>说明</th></tr>
{{range .Events}}<tr><td>{{.At}}</td><td>{{.By}}</td><td>{{.From}} → {{.To}}{{if .TransferTo}}（{{.TransferTo}}）{{end}}</td><td>{{.Note}}{{if .Due}}（期限 {{.Due}}）{{end}}</td></tr>
{{else}}<tr><td colspan="4">无状态变更记录</td></tr>{{end}}</table>
<p>承办人：{{.By}}　　联系电话：<span class="fill"></span></p>
<p class="sign">（盖章）<br><span class="fill"></span>医疗保障局<br>{{.Date}}</p>
<p>抄送：<span class="fill"></span>人民检察院</p>
</body></html>
`

// reportTemplate is the skeleton of the investigation report (调查报告).
const reportTemplate = `<title>调查报告 {{.Case.ID}}</title></head><body>
<h1>关于线索 {{.Case.ID}} 的调查报告</h1>
<p class="draft">初稿：由 RingLens 依据案件记录与大数据筛查结果生成。带下划线处及“（待填写）”须由调查组（不少于两人）核实、补充并签名；筛查结果本身不构成违规认定。</p>
<h2>一、案件来源</h2>
<p>线索编号 {{.Case.ID}}，来源：{{if eq .Case.Source "ring"}}大数据筛查（团伙识别）{{else}}{{.Case.Source}}{{end}}{{if .Case.Batch}}，批次 {{.Case.Batch}}{{end}}；登记时间 {{.Case.CreatedAt}}；当前状态：{{.State}}{{if .Case.Due}}；办理期限 {{.Case.Due}}{{end}}。</p>
<h2>二、调查经过</h2>
<table><tr><th>时间（UTC）</th><th>经办人</th><th>状态变更</th><th>说明</th></tr>
{{range .Events}}<tr><td>{{.At}}</td><td>{{.By}}</td><td>{{.From}} → {{.To}}{{if .TransferTo}}（{{.TransferTo}}）{{end}}</td><td>{{.Note}}{{if .Due}}（期限 {{.Due}}）{{end}}</td></tr>
{{else}}<tr><td colspan="4">无状态变更记录</td></tr>{{end}}</table>
<p>飞行检查时间、地点：<span class="fill"></span>（待填写）</p>
<p>检查人员（不少于两人）：<span class="fill"></span>（待填写）</p>
<p>现场检查笔录、询问笔录：<span class="fill"></span>（待填写，附后）</p>
<p>被调查对象陈述、申辩情况：<span class="fill"></span>（待填写）</p>
<h2>三、查明的事实</h2>
<p>{{.Ring.First}} 至 {{.Ring.Last}} 期间，{{.Typology}}团伙（筛查编号 {{.Ring.ID}}）涉及定点医疗机构 {{.Sites}} 家、定点零售药店 {{.Pharmacies}} 家、医务人员 {{.Doctors}} 名、参保人 {{.Patients}} 名，发生医保结算就诊 {{.Ring.Visits}} 次，涉及医保基金 {{.Amount}} 元（逐次就诊见 visits.xlsx{{if .FeesKnown}}，{{.FeeLines}} 条费用明细同附{{end}}）。</p>
{{if .Why}}<p>认定为团伙的依据：</p><ol>{{range .Why}}<li>{{.}}</li>{{end}}</ol>{{end}}
<table><tr><th>类别</th><th>编码</th><th>角色</th><th>标识（已脱敏）</th><th>就诊次数</th><th>基金（元）</th></tr>
{{range .Members}}<tr><td>{{.Kind}}</td><td>{{.ID}}</td><td>{{.Role}}</td><td>{{.Label}}</td><td class="num">{{.Visits}}</td><td class="num">{{.Fund}}</td></tr>
{{end}}</table>
<p>参保人 {{.Patients}} 名见 members.xlsx（已脱敏）。核查结论：<span class="fill"></span>（待填写）</p>
<h2>四、证据</h2>
<table><tr><th>#</th><th>类别</th><th>规则</th><th>版本</th><th>结论</th><th>涉及就诊</th><th>金额（元）</th></tr>
{{range .Evidence}}<tr><td>{{.N}}</td><td>{{.Kind}}</td><td>{{.Rule}}</td><td>{{.Version}}</td><td>{{.Result}}</td><td class="num">{{.Visits}}</td><td class="num">{{.Amount}}</td></tr>
{{end}}</table>
<p>引用的结算明细（mdtrt_id / feedetl_sn）与规则参数见 rule_hits.xlsx；团伙全貌见 dossier.html。证据包文件：{{range $i, $f := .Files}}{{if $i}}、{{end}}{{$f.Path}}{{end}}。</p>
<h2>五、法律依据</h2>
{{if .Articles}}<ul>{{range .Articles}}<li>{{.}}</li>{{end}}</ul>{{else}}<p><span class="fill"></span>（待填写）</p>{{end}}
<h2>六、处理意见</h2>
<p>□ 移送公安机关　□ 行政处罚　□ 移送纪检监察机关　□ 通报卫生健康、药品监管部门　□ 其他：<span class="fill"></span></p>
<p>理由：<span class="fill"></span>（待填写）</p>
<h2>七、调查人员</h2>
<p>调查人员签名：<span class="fill"></span>　<span class="fill"></span>　　日期：<span class="fill"></span></p>
<p>负责人审核意见：<span class="fill"></span>　　签名：<span class="fill"></span></p>
<p class="sign">报告初稿生成：{{.Date}}，{{.By}}</p>
</body></html>
`
