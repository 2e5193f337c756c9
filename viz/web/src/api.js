// API client for the RingLens server: REST under /api/v1 and the live
// websocket stream. Written defensively: field names may differ slightly
// between server versions, so callers normalise what they read.

// A page opened as /?token=T: the server answered with the token in an
// HttpOnly, SameSite=Strict cookie, which every later request (fetch and the
// websocket) carries by itself. Drop the token from the address bar and
// history so that it is not shown, bookmarked or shared.
if (new URLSearchParams(location.search).has("token")) {
  const url = new URL(location.href);
  url.searchParams.delete("token");
  history.replaceState(history.state, "", url.pathname + url.search + url.hash);
}

// Called when a request of a logged-in page answers 401 (the session has
// ended): the page shows the login form again.
let onUnauthorized = null;

/** Sets what to do when the session has ended (null: nothing). */
export function setUnauthorizedHandler(f) {
  onUnauthorized = f;
}

/** Fetches JSON from an API path; throws on HTTP errors. */
export async function getJSON(path) {
  const res = await fetch(path, { credentials: "same-origin" });
  if (res.status === 401 && onUnauthorized) onUnauthorized();
  if (!res.ok) throw new Error(res.status + " " + res.statusText + " " + path);
  return res.json();
}

// The CSRF token of the login session (GET /api/v1/session), sent with
// every write; "" without a login.
let csrf = "";

/** Sets the CSRF token of the session. */
export function setCSRF(token) {
  csrf = token || "";
}

/**
 * Sends a JSON body with method to an API path and returns the reply's
 * JSON. An error reply throws an Error with the HTTP status as .status and
 * the server's message as .message.
 */
export async function sendJSON(method, path, body) {
  const headers = { "Content-Type": "application/json" };
  if (csrf) headers["X-CSRF-Token"] = csrf;
  const res = await fetch(path, { method, credentials: "same-origin", headers, body: JSON.stringify(body ?? {}) });
  if (res.status === 401 && onUnauthorized) onUnauthorized();
  let doc = null;
  try {
    doc = await res.json();
  } catch {
    doc = null;
  }
  if (!res.ok) {
    const err = new Error(doc?.error || res.status + " " + res.statusText);
    err.status = res.status;
    throw err;
  }
  return doc;
}

const enc = encodeURIComponent;

export const api = {
  vocab: () => getJSON("/api/v1/vocab"),
  status: () => getJSON("/api/v1/status"),
  rings: () => getJSON("/api/v1/rings"),
  ring: (id) => getJSON("/api/v1/rings/" + enc(id)),
  cypher: (id) => getJSON("/api/v1/rings/" + enc(id) + "/cypher"),
  // Beyond the members the neighbourhood is aggregated: sites and doctors
  // as nodes, the other people as one group node per site or doctor.
  subgraph: (id, hops = 0) => getJSON("/api/v1/rings/" + enc(id) + "/subgraph" + (hops ? "?hops=" + hops + "&aggregate=1" : "")),
  visits: (id, from, to) => getJSON("/api/v1/rings/" + enc(id) + "/visits?" + new URLSearchParams({ ...(from ? { from } : {}), ...(to ? { to } : {}) })),
  node: (kind, id) => getJSON("/api/v1/nodes/" + enc(kind) + "/" + enc(id)),
  neighbors: (kind, id, limit = 200) =>
    getJSON("/api/v1/nodes/" + enc(kind) + "/" + enc(id) + "/neighbors?limit=" + limit),
  session: () => getJSON("/api/v1/session"),
  login: (name, password) => sendJSON("POST", "/api/v1/login", { name, password }),
  logout: () => sendJSON("POST", "/api/v1/logout"),
  cases: (status, overdue) => getJSON("/api/v1/cases?" + new URLSearchParams({ ...(status ? { status } : {}), ...(overdue ? { overdue: "1" } : {}) })),
  case: (id) => getJSON("/api/v1/cases/" + enc(id)),
  updateCase: (id, change) => sendJSON("PATCH", "/api/v1/cases/" + enc(id), change),
  reveal: (req) => sendJSON("POST", "/api/v1/reveal", req),
  audit: (before) => getJSON("/api/v1/audit?" + new URLSearchParams({ limit: "100", ...(before ? { before: String(before) } : {}) })),
};

/**
 * Opens the live stream and reconnects with back-off when it drops.
 * onMessage receives each parsed message; onStatus receives
 * "connecting" | "connected" | "disconnected".
 */
export function openStream(onMessage, onStatus) {
  let delay = 1000;
  let ws;
  const connect = () => {
    onStatus("connecting");
    const proto = location.protocol === "https:" ? "wss:" : "ws:";
    ws = new WebSocket(proto + "//" + location.host + "/api/v1/stream");
    ws.onopen = () => {
      delay = 1000;
      onStatus("connected");
    };
    ws.onmessage = (ev) => {
      let msg;
      try {
        msg = JSON.parse(ev.data);
      } catch {
        return;
      }
      onMessage(msg);
    };
    ws.onclose = () => {
      onStatus("disconnected");
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 15000);
    };
  };
  connect();
  return () => ws && ws.close();
}
