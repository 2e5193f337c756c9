// API client for the RingLens server: REST under /api/v1 and the live
// websocket stream. Written defensively: field names may differ slightly
// between server versions, so callers normalise what they read.

const params = new URLSearchParams(location.search);
const token = params.get("token");

/** Appends the page's ?token= (if any) to an API path. */
export function withToken(path) {
  if (!token) return path;
  return path + (path.includes("?") ? "&" : "?") + "token=" + encodeURIComponent(token);
}

/** Fetches JSON from an API path; throws on HTTP errors. */
export async function getJSON(path) {
  const headers = token ? { Authorization: "Bearer " + token } : {};
  const res = await fetch(withToken(path), { headers });
  if (!res.ok) throw new Error(res.status + " " + res.statusText + " " + path);
  return res.json();
}

const enc = encodeURIComponent;

export const api = {
  status: () => getJSON("/api/v1/status"),
  rings: () => getJSON("/api/v1/rings"),
  ring: (id) => getJSON("/api/v1/rings/" + enc(id)),
  cypher: (id) => getJSON("/api/v1/rings/" + enc(id) + "/cypher"),
  subgraph: (id, hops = 0) => getJSON("/api/v1/rings/" + enc(id) + "/subgraph" + (hops ? "?hops=" + hops : "")),
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
    ws = new WebSocket(proto + "//" + location.host + withToken("/api/v1/stream"));
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
