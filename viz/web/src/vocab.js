// The vocabulary of the codes the server writes (GET /api/v1/vocab, built
// from the Go package graph/vocab): labels of member kinds, institution
// classes, typologies, roles, graph facts, rule results, score reasons and
// progress stages in Chinese and English. Until it has arrived, or from a
// server without it, codes are shown as they are. Page chrome (buttons,
// headings) is in i18n.js.

import { lang } from "./i18n.js";

/** category -> Map(code -> entry {code, zh, en, desc_zh, desc_en, plural_zh, plural_en, params}) */
let byCategory = new Map();

/** Takes the vocabulary document of GET /api/v1/vocab. */
export function setVocab(doc) {
  byCategory = new Map();
  for (const g of Array.isArray(doc?.categories) ? doc.categories : []) {
    const entries = new Map();
    for (const e of Array.isArray(g.entries) ? g.entries : []) if (e?.code) entries.set(e.code, e);
    byCategory.set(g.category, entries);
  }
}

/** The codes of a category, in order of display. */
export function codes(category) {
  return [...(byCategory.get(category)?.keys() ?? [])];
}

function entry(category, code) {
  return byCategory.get(category)?.get(code);
}

/** The label of a code in the current language, or the code itself. */
export function label(category, code) {
  if (!code) return "";
  const e = entry(category, code);
  return e ? (lang() === "en" ? e.en : e.zh) || code : code;
}

/** The one-line description of a code in the current language ("" when unknown). */
export function describe(category, code) {
  const e = entry(category, code);
  return e ? (lang() === "en" ? e.desc_en : e.desc_zh) || "" : "";
}

/**
 * The label of a node's display kind (graph.js displayKind): institutions
 * and pharmacies by their class, patients and doctors by their member kind;
 * "" when the vocabulary has neither.
 */
export function kindLabel(kind) {
  const category = entry("class", kind) ? "class" : "kind";
  return entry(category, kind) ? label(category, kind) : "";
}

// A placeholder of a template: {name} is the value as it is, {name|category}
// the label of the value in that category (graph/vocab).
const PLACEHOLDER = /\{([^{}|]*)(?:\|([^{}]*))?\}/g;

/** Fills a template with the values of params (by name). */
function fill(template, params) {
  return template.replace(PLACEHOLDER, (whole, name, category) => {
    if (!Object.hasOwn(params, name)) return whole;
    return category ? label(category, params[name]) : params[name];
  });
}

/**
 * Returns a score reason of the server, {code, params}, in the current
 * language: the template of its vocabulary entry filled with its params. A
 * code the vocabulary does not have (or not yet) is shown as it is.
 */
export function reason(r) {
  if (typeof r === "string") return r;
  return sentence("reason", r) ?? (typeof r?.code === "string" ? r.code : "");
}

/**
 * Returns a notice of the stream, {code, params}, in the current language
 * (the template of its entry in the vocabulary's notice category), or null
 * when the vocabulary does not have the code (or not yet).
 */
export function notice(n) {
  return sentence("notice", n);
}

/**
 * Returns a check signal {code, params} (the vocabulary's check_signal
 * category, as a staff alert of the stream carries it) in the current
 * language, or null when the vocabulary does not have the code (or not
 * yet). A staff status parameter is shown by its label.
 */
export function checkSignal(r) {
  const params = { ...(r?.params && typeof r.params === "object" ? r.params : {}) };
  if (params.status) params.status = label("staff_status", params.status);
  return sentence("check_signal", { code: r?.code, params });
}

/**
 * The label of a group node of an aggregated neighbourhood ({count} people
 * collapsed onto a site or doctor) in the current language: the template of
 * the vocabulary's view_node entry "group"; "+count" until it is known.
 */
export function groupLabel(count) {
  return sentence("view_node", { code: "group", params: { count: String(count) } }) ?? "+" + count;
}

/** The template of {code, params}'s entry in category, filled; null when unknown. */
function sentence(category, r) {
  const code = typeof r?.code === "string" ? r.code : "";
  const e = entry(category, code);
  if (!e) return null;
  const params = r.params && typeof r.params === "object" ? r.params : {};
  return fill((lang() === "en" ? e.en : e.zh) || code, params);
}

/**
 * Returns a progress stage of the server in the current language: a stage
 * is its vocabulary code, or the code of a stage with one parameter, a
 * space and the value ("load read mdtrt.csv"); others are shown as they are.
 */
export function stageText(stage) {
  if (!stage) return "";
  const stages = byCategory.get("progress");
  if (!stages) return stage;
  const exact = stages.get(stage);
  if (exact) return label("progress", stage);
  for (const e of stages.values()) {
    if (Array.isArray(e.params) && e.params.length === 1 && stage.startsWith(e.code + " ")) {
      return fill(lang() === "en" ? e.en : e.zh, { [e.params[0]]: stage.slice(e.code.length + 1) });
    }
  }
  return stage;
}
