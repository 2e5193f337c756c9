// The ring subgraph: graphology model, sigma WebGL renderer, ForceAtlas2 in a
// web worker, hover/click highlight and merging of expanded neighbourhoods.

import Graph from "graphology";
import Sigma from "sigma";
import FA2Layout from "graphology-layout-forceatlas2/worker";
import forceAtlas2 from "graphology-layout-forceatlas2";
import { createNodeBorderProgram } from "@sigma/node-border";
import { groupLabel } from "./vocab.js";

/** Fill colour per node kind (institutions by class). */
export const KIND_COLORS = {
  patient: "#3b82f6",
  doctor: "#10b981",
  clinic: "#f59e0b",
  hospital: "#ef4444",
  station: "#a16207",
  institution: "#f59e0b",
  pharmacy: "#8b5cf6",
  group: "#94a3b8",
  unknown: "#9ca3af",
};

/** Roles drawn with a thick border: the ring's organisers. */
export const LEAD_ROLES = new Set([
  "organising_clinic", "organising_hospital", "organiser", "card_holding_station",
  "reselling_pharmacy", "cashout_pharmacy", "borrowed_doctor",
]);

const DIM = "#e5e7eb";

/** Above this many nodes, hover highlights without dimming the rest. */
const LIGHT_FOCUS_NODES = 3000;

/** Returns the display kind of a node: the class for institutions. */
export function displayKind(n) {
  if (n.kind === "institution" || n.kind === "clinic" || n.kind === "hospital" || n.kind === "station") {
    return n.class || (n.kind === "institution" ? "clinic" : n.kind);
  }
  return n.kind || "unknown";
}

/** Groups kinds so ring members (clinic, hospital...) match subgraph nodes (institution). */
export function kindGroup(kind) {
  return kind === "patient" || kind === "doctor" || kind === "group" ? kind : "site";
}

/**
 * Returns the graph key of a subgraph node: kind group and contract code,
 * stable across detection generations (numeric node ids are not).
 */
export function nodeKeyOf(n) {
  return n.key !== undefined && n.key !== "" ? kindGroup(n.kind) + ":" + n.key : "id:" + n.id;
}

function num(v) {
  const x = typeof v === "string" ? parseFloat(v) : v;
  return Number.isFinite(x) ? x : 0;
}

/**
 * Normalises a Subgraph response into {nodes, edges, truncated}, with edges
 * as {source, target, ...} graph keys (see nodeKeyOf). Edges come by index
 * (from/to as positions in nodes, the server's format) or by node id
 * (source/target).
 */
export function normaliseSubgraph(res) {
  const sub = res?.subgraph ?? res ?? {};
  const nodes = Array.isArray(sub.nodes) ? sub.nodes : [];
  const ids = nodes.map(nodeKeyOf);
  const edges = [];
  for (const e of Array.isArray(sub.edges) ? sub.edges : []) {
    let s, tg;
    if (e.source !== undefined) {
      const byId = new Map(nodes.map((n, i) => [String(n.id), ids[i]]));
      s = byId.get(String(e.source)); tg = byId.get(String(e.target));
    } else {
      s = ids[e.from]; tg = ids[e.to];
    }
    if (s === undefined || tg === undefined || s === tg) continue;
    edges.push({ ...e, source: s, target: tg });
  }
  return { nodes, edges, truncated: !!sub.truncated, total_nodes: num(sub.total_nodes) };
}

function mix(hex, amount) {
  // Blends a #rrggbb colour with white (amount 0..1 of white).
  const v = parseInt(hex.slice(1), 16);
  const c = [(v >> 16) & 255, (v >> 8) & 255, v & 255].map((x) => Math.round(x + (255 - x) * amount));
  return "#" + c.map((x) => x.toString(16).padStart(2, "0")).join("");
}

/** GraphView owns the sigma renderer for one container. */
export class GraphView {
  constructor(container, { onSelect, onLayout }) {
    this.container = container;
    this.onSelect = onSelect;
    this.onLayout = onLayout || (() => {});
    this.graph = new Graph({ multi: true, type: "undirected", allowSelfLoops: false });
    this.edgeBy = "visits";
    this.hovered = null;
    this.selected = null;
    this.layout = null;
    this.layoutTimer = 0;
    this.members = new Map();
    this.renderer = null;
  }

  /** Creates the renderer lazily (the container must have a size). */
  ensureRenderer() {
    if (this.renderer) return;
    const BorderProgram = createNodeBorderProgram({
      borders: [
        { size: { attribute: "borderSize", defaultValue: 0 }, color: { attribute: "borderColor", defaultValue: "#111111" } },
        { size: { fill: true }, color: { attribute: "color" } },
      ],
    });
    this.renderer = new Sigma(this.graph, this.container, {
      defaultNodeType: "border",
      nodeProgramClasses: { border: BorderProgram },
      renderEdgeLabels: false,
      labelRenderedSizeThreshold: 10,
      labelDensity: 0.5,
      labelFont: "system-ui, 'PingFang SC', 'Microsoft YaHei', 'Noto Sans CJK SC', sans-serif",
      zIndex: true,
      minCameraRatio: 0.02,
      maxCameraRatio: 20,
      nodeReducer: (node, attrs) => this.reduceNode(node, attrs),
      edgeReducer: (edge, attrs) => this.reduceEdge(edge, attrs),
    });
    const r = this.renderer;
    r.on("enterNode", ({ node }) => { this.hovered = node; this.focus(); });
    r.on("leaveNode", () => { this.hovered = null; this.focus(); });
    r.on("clickNode", ({ node }) => this.select(node));
    r.on("clickStage", () => this.select(null));
  }

  /** Large graphs restyle only the focused neighbourhood, without dimming the rest. */
  light() {
    return this.graph.order > LIGHT_FOCUS_NODES;
  }

  /**
   * Recomputes the highlighted neighbourhood and refreshes; full re-indexes
   * everything (needed after nodes or edges were added).
   */
  focus(full = false) {
    const g = this.graph;
    const center = this.hovered ?? this.selected;
    const prevNodes = this.focusSet, prevEdges = this.focusEdges;
    this.focusSet = null;
    this.focusEdges = null;
    this.focusCenter = null;
    if (center && g.hasNode(center)) {
      this.focusSet = new Set(g.neighbors(center));
      this.focusSet.add(center);
      this.focusEdges = new Set(g.edges(center));
      this.focusCenter = center;
    }
    if (!this.renderer) return;
    if (full) {
      this.renderer.refresh();
    } else if (this.light()) {
      // Restyle only what changes, so hovering a 10,000-node graph stays smooth.
      const nodes = new Set([...(prevNodes ?? []), ...(this.focusSet ?? [])]);
      for (const n of [this.selected, this.prevSelected]) if (n && g.hasNode(n)) nodes.add(n);
      const edges = new Set([...(prevEdges ?? []), ...(this.focusEdges ?? [])]);
      this.renderer.refresh({ partialGraph: { nodes: [...nodes], edges: [...edges] }, skipIndexation: true });
    } else {
      this.renderer.refresh({ skipIndexation: true });
    }
  }

  reduceNode(node, attrs) {
    const focus = this.focusSet;
    if (this.hiddenNodes?.has(node)) return { ...attrs, hidden: true };
    if (!focus && node !== this.selected) return attrs;
    const res = { ...attrs };
    if (focus) {
      if (focus.has(node)) {
        res.zIndex = 2;
        if (node === this.focusCenter) res.forceLabel = true;
      } else if (!this.light()) {
        res.color = DIM;
        res.borderColor = DIM;
        res.label = "";
        res.zIndex = 0;
      }
    }
    if (node === this.selected) {
      res.highlighted = true;
      res.borderColor = "#c0392b";
      res.borderSize = 0.35;
    }
    return res;
  }

  reduceEdge(edge, attrs) {
    if (this.hiddenEdges?.has(edge)) return { ...attrs, hidden: true };
    if (!this.focusEdges) return attrs;
    if (this.focusEdges.has(edge)) return { ...attrs, color: "#4b5563", zIndex: 1 };
    return this.light() ? attrs : { ...attrs, hidden: true };
  }

  /** Selects a node (or clears the selection with null). */
  select(node) {
    this.prevSelected = this.selected;
    this.selected = node && this.graph.hasNode(node) ? node : null;
    this.focus();
    this.onSelect(this.selected ? { key: this.selected, ...this.graph.getNodeAttributes(this.selected) } : null);
  }

  /**
   * Shows only what happened in a date range ({from, to} days, inclusive;
   * null for all): edges with no visit in it are hidden, and nodes all of
   * whose dated edges are hidden. Returns the number of nodes left.
   */
  setRange(range) {
    const g = this.graph;
    this.hiddenEdges = null;
    this.hiddenNodes = null;
    if (range && (range.from || range.to)) {
      const from = range.from || "0000", to = (range.to || "9999") + " 99";
      const he = new Set();
      g.forEachEdge((e, a) => {
        if (!a.first && !a.last) return;
        if ((a.last || a.first) < from || (a.first || a.last) > to) he.add(e);
      });
      const hn = new Set();
      g.forEachNode((n) => {
        let dated = 0, shown = 0;
        g.forEachEdge(n, (e, a) => { if (a.first || a.last) { dated++; if (!he.has(e)) shown++; } });
        if (dated && !shown) hn.add(n);
      });
      this.hiddenEdges = he;
      this.hiddenNodes = hn;
    }
    this.renderer?.refresh({ skipIndexation: true });
    return g.order - (this.hiddenNodes?.size ?? 0);
  }

  /** Moves the camera to a node (after select). */
  center(node) {
    if (!this.renderer || !this.graph.hasNode(node)) return;
    const d = this.renderer.getNodeDisplayData(node);
    if (d) this.renderer.getCamera().animate({ x: d.x, y: d.y, ratio: Math.min(0.6, this.renderer.getCamera().ratio) }, { duration: 300 });
  }

  /**
   * Lays the graph out by role, in rings around the centre: the ring's
   * institutions and pharmacies inside, its doctors around them, its
   * patients outside, other nodes outermost. Each node sits at the mean angle
   * of its neighbours further in, so a doctor lies beside the clinics that
   * bill through it and a patient beside its doctors.
   */
  roleLayout() {
    const g = this.graph;
    const tiers = [[], [], [], []];
    g.forEachNode((n, a) => {
      const grp = kindGroup(a.kind);
      tiers[!a.member ? 3 : grp === "site" ? 0 : grp === "doctor" ? 1 : 2].push(n);
    });
    const angle = new Map();
    let r = 0;
    tiers.forEach((nodes, ti) => {
      if (!nodes.length) return;
      const spacing = ti <= 1 ? 2.2 : 1;
      // Target angles from the neighbours already placed.
      const target = nodes.map((n, i) => {
        let sx = 0, sy = 0;
        g.forEachEdge(n, (e, ea, s, tg) => {
          const o = s === n ? tg : s;
          const oa = angle.get(o);
          if (oa === undefined) return;
          const w = 1 + Math.log1p(ea.visits);
          sx += w * Math.cos(oa); sy += w * Math.sin(oa);
        });
        const a = sx || sy ? Math.atan2(sy, sx) : (2 * Math.PI * i) / nodes.length;
        return { n, a: (a + 2 * Math.PI) % (2 * Math.PI), f: g.getNodeAttribute(n, "fund") };
      });
      target.sort((p, q) => p.a - q.a || q.f - p.f);
      if (ti === 0 && nodes.length <= 8) {
        // A few institutions: a column left of the centre, so that their
        // (long) labels, drawn to the right, stay inside the doctors' ring;
        // for the angles of the next rings they count as evenly spread.
        const n = nodes.length;
        target.forEach((p, k) => {
          g.mergeNodeAttributes(p.n, { x: n > 1 ? -5 : -2, y: (k - (n - 1) / 2) * 4 });
          angle.set(p.n, (2 * Math.PI * k) / n + Math.PI / 2);
        });
        r = Math.max(4, (n - 1) * 2 + 1);
        return;
      }
      r = ti === 0 ? Math.max(3, (nodes.length * spacing) / (2 * Math.PI)) : r + (ti === 1 ? 12 : 7);
      const rows = Math.max(1, Math.ceil((nodes.length * spacing) / (2 * Math.PI * r)));
      const a0 = target[0].a;
      target.forEach((p, k) => {
        const a = a0 + (2 * Math.PI * k) / nodes.length;
        const rr = r + (k % rows) * 1.3;
        g.mergeNodeAttributes(p.n, { x: rr * Math.cos(a), y: rr * Math.sin(a) });
        angle.set(p.n, a);
      });
      r += (rows - 1) * 1.3;
    });
  }

  /** Sets the edge width source: "visits" or "amount". */
  setEdgeBy(by) {
    this.edgeBy = by;
    this.applyEdgeSizes();
  }

  applyEdgeSizes() {
    const amount = this.edgeBy === "amount";
    this.graph.updateEachEdgeAttributes((e, a) => {
      a.size = amount ? a.sizeAmount : a.sizeVisits;
      return a;
    }, { attributes: ["size", "type"] });
  }

  /**
   * Replaces the graph with a ring subgraph. members maps
   * kindGroup:id to ring members (role, score).
   */
  load(sub, members) {
    this.stopLayout();
    this.members = members;
    this.selected = null;
    this.hovered = null;
    this.focusSet = null;
    this.focusEdges = null;
    this.graph.clear();
    this.merge(sub, null);
    this.ensureRenderer();
    this.renderer.setSetting("hideEdgesOnMove", this.graph.size > 20000);
    this.renderer.setSetting("hideLabelsOnMove", this.graph.order > 5000);
    this.hiddenEdges = null;
    this.hiddenNodes = null;
    this.roleLayout();
    this.renderer.refresh();
    this.renderer.getCamera().setState({ x: 0.5, y: 0.5, ratio: 1, angle: 0 });
  }

  /**
   * Merges a subgraph into the graph; new nodes start near the node they
   * were expanded from (around, a node key) or on a spiral by hop.
   * Returns the number of nodes added.
   */
  merge(sub, around) {
    const g = this.graph;
    let added = 0;
    const n0 = g.order;
    const origin = around && g.hasNode(around) ? g.getNodeAttributes(around) : null;
    sub.nodes.forEach((n, i) => {
      const key = nodeKeyOf(n);
      if (g.hasNode(key)) return;
      const m = this.members.get(kindGroup(n.kind) + ":" + n.key);
      const role = n.role || m?.role || "";
      const score = num(n.score ?? m?.score);
      const member = !!m || !!n.role;
      const dk = displayKind(n);
      const base = KIND_COLORS[dk] || KIND_COLORS.unknown;
      const k = n0 + i + 1;
      let x, y;
      if (origin) {
        const a = k * 2.399963, r = 0.05 * Math.sqrt(i + 1);
        x = origin.x + r * Math.cos(a); y = origin.y + r * Math.sin(a);
      } else {
        const a = k * 2.399963, r = Math.sqrt(k) * (1 + num(n.hop) * 0.3);
        x = r * Math.cos(a); y = r * Math.sin(a);
      }
      // A group node (aggregated neighbourhood) stands for the people who
      // use the node at index n.of; expanding it asks for that node's
      // neighbours.
      const of = n.kind === "group" ? sub.nodes[n.of] : null;
      g.addNode(key, {
        x, y,
        label: of ? groupLabel(num(n.count)) : n.label || n.key || key,
        count: num(n.count), ofKey: of ? nodeKeyOf(of) : "", ofKind: of?.kind ?? "", ofNodeKey: of?.key ?? "",
        kind: n.kind, class: n.class || "", nodeKey: n.key, hop: num(n.hop),
        visits: num(n.visits), fund: num(n.fund_fen) / 100,
        role, score, member, reasons: Array.isArray(n.reasons) ? n.reasons : [], ringId: n.ring_id || "",
        color: member || of ? base : mix(base, 0.45),
        borderColor: LEAD_ROLES.has(role) ? "#111111" : "#374151",
        borderSize: LEAD_ROLES.has(role) ? 0.3 : member ? 0.12 : 0,
        size: 0,
      });
      added++;
    });
    for (const e of sub.edges) {
      if (!g.hasNode(e.source) || !g.hasNode(e.target)) continue;
      const key = e.source + "|" + e.target + "|" + (e.type ?? "");
      const rkey = e.target + "|" + e.source + "|" + (e.type ?? "");
      if (g.hasEdge(key) || g.hasEdge(rkey)) continue;
      g.addEdgeWithKey(key, e.source, e.target, {
        type: "line", etype: e.type, visits: num(e.visits), fund: num(e.fund_fen) / 100,
        first: e.first || "", last: e.last || "", color: "#cbd5e1",
      });
    }
    this.resize();
    return added;
  }

  /** Relabels the group nodes in the current language. */
  relabelGroups() {
    this.graph.updateEachNodeAttributes((n, a) => {
      if (a.kind === "group") a.label = groupLabel(a.count);
      return a;
    }, { attributes: ["label"] });
  }

  /**
   * Recomputes node and edge sizes from scores, visits and amounts. Bulk
   * updates (one graph event each) keep this cheap on large graphs; the
   * "type" hint makes sigma re-index, which edges added since the last
   * render need.
   */
  resize() {
    const g = this.graph;
    // Node sizes are in pixels while the camera fits the whole layout, so
    // larger graphs get smaller nodes.
    const big = g.order > 2000 ? 0.45 : g.order > 300 ? 0.6 : g.order > 100 ? 0.8 : 1;
    let maxFund = 1, named = 0, maxCount = 1, groups = 0;
    g.forEachNode((n, a) => {
      if (a.kind === "group") { maxCount = Math.max(maxCount, a.count); groups++; return; }
      maxFund = Math.max(maxFund, a.fund);
      if (a.member && kindGroup(a.kind) !== "patient") named++;
    });
    // Size by fund (area in proportion), groups by the people they hold;
    // the ring's institutions and doctors are always labelled, and the
    // groups (unless there are too many to read).
    g.updateEachNodeAttributes((n, a) => {
      if (a.kind === "group") {
        a.size = big * (3 + 9 * Math.sqrt(a.count / maxCount));
        a.forceLabel = groups <= 60;
        return a;
      }
      const f = Math.sqrt(Math.max(0, a.fund) / maxFund);
      a.size = big * (a.member ? 3 + 15 * f : 2 + 5 * f);
      a.forceLabel = a.member && kindGroup(a.kind) !== "patient" && named <= 80;
      return a;
    });
    let mv = 1, mf = 1;
    g.forEachEdge((e, a) => { mv = Math.max(mv, a.visits); mf = Math.max(mf, a.fund); });
    const lv = Math.log1p(mv), lf = Math.log1p(mf);
    const wide = g.size > 5000 ? 1.2 : g.size > 1000 ? 2.5 : 4;
    const color = g.size > 5000 ? "#e2e8f0" : "#cbd5e1";
    const amount = this.edgeBy === "amount";
    g.updateEachEdgeAttributes((e, a) => {
      a.sizeVisits = 0.3 + wide * Math.log1p(a.visits) / lv;
      a.sizeAmount = 0.3 + wide * Math.log1p(a.fund) / lf;
      a.size = amount ? a.sizeAmount : a.sizeVisits;
      a.color = color;
      return a;
    }, { attributes: ["size", "color", "sizeVisits", "sizeAmount", "type"] });
  }

  /** Runs ForceAtlas2 in a web worker and stops it after a time cap. */
  runLayout(capMs) {
    this.stopLayout();
    const g = this.graph;
    if (g.order < 2) return;
    const settings = {
      ...forceAtlas2.inferSettings(g),
      barnesHutOptimize: g.order > 500,
      adjustSizes: false,
      slowDown: g.order > 2000 ? 5 : 2,
    };
    this.layout = new FA2Layout(g, { settings });
    this.layout.start();
    this.onLayout(true);
    const cap = capMs ?? Math.min(2000 + g.order * 0.6, 5000);
    this.layoutTimer = setTimeout(() => this.stopLayout(), cap);
  }

  /** Stops and disposes the layout worker. */
  stopLayout() {
    clearTimeout(this.layoutTimer);
    if (this.layout) {
      this.layout.kill();
      this.layout = null;
      this.onLayout(false);
    }
  }

  /** Empties the view. */
  clear() {
    this.stopLayout();
    this.graph.clear();
    this.selected = null;
    this.focusSet = null;
    this.focusEdges = null;
    this.renderer?.refresh();
  }
}
