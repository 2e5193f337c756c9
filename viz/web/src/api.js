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

/** Fetches JSON from an API path; throws on HTTP errors. */
export async function getJSON(path) {
  const res = await fetch(path, { credentials: "same-origin" });
  if (!res.ok) throw new Error(res.status + " " + res.statusText + " " + path);
  return res.json();
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
