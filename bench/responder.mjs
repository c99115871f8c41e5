// A minimal Kuzzle-shaped responder for `make bench`: as little server as can answer what
// the bench sends, so that the server is not what every column measures.
//   node bench/responder.mjs        prints {"port": N} once listening on 127.0.0.1
// One port, WebSocket and HTTP like Kuzzle's (the `ws` package, pinned in package.json):
//   - `{"p":1}` -> `{"p":2}` (Kuzzle's application-level ping)
//   - server:now, realtime:subscribe / unsubscribe, anything else (action_not_found): in
//     Kuzzle's envelope (kuzzle lib/api/request/requestResponse.ts toJSON, plus the
//     WebSocket protocol's room = requestId)
//   - POST /_devserver/blast {"channel", "count"}: `count` notifications on `channel`, one
//     template serialized once with `result._source.n` spliced in (the dev server's blast)
//   - the path /bench/echo: every text frame sent back (the raw limit)
import http from "node:http";
import { WebSocketServer } from "ws";

const NODE_ID = "knode-bench-responder";
const channels = new Map(); // channel -> Set of sockets
let rooms = 0;

function answer(request, status, result, error = null) {
  return JSON.stringify({
    action: request.action, collection: request.collection ?? null, controller: request.controller,
    deprecations: [], error, headers: {}, index: request.index ?? null, node: NODE_ID,
    requestId: request.requestId, result, status, volatile: request.volatile ?? null,
    room: request.requestId,
  });
}

function respond(ws, text) {
  if (text === '{"p":1}') return ws.send('{"p":2}');
  let request;
  try { request = JSON.parse(text); } catch { return; }
  const route = `${request.controller}:${request.action}`;
  if (route === "server:now") return ws.send(answer(request, 200, { now: Date.now() }));
  if (route === "realtime:subscribe") {
    const id = `room-${++rooms}`, channel = `${id}-channel`;
    channels.set(channel, new Set([ws]));
    ws.channels.push(channel);
    return ws.send(answer(request, 200, { roomId: id, channel }));
  }
  if (route === "realtime:unsubscribe") {
    const roomId = request.body && request.body.roomId;
    channels.delete(`${roomId}-channel`);
    return ws.send(answer(request, 200, { roomId }));
  }
  return ws.send(answer(request, 404, null, {
    id: "api.process.action_not_found", code: 0x02020005, status: 404,
    message: `API action "${request.controller}":"${request.action}" not found`,
  }));
}

function blast(channel, count) {
  const sockets = channels.get(channel);
  if (!sockets || count <= 0) return 0;
  const [head, tail] = JSON.stringify({
    type: "document", status: 200, action: "publish", scope: "in",
    result: { _id: null, _source: { n: "@N@" } }, node: NODE_ID, event: "publish",
    requestId: "responder-blast", timestamp: Date.now(), volatile: {},
    index: "bench", collection: "bench", controller: "realtime", protocol: "websocket", room: channel,
  }).split('"@N@"');
  let sent = 0;
  for (let n = 0; n < count; n++) {
    const frame = head + n + tail;
    for (const ws of sockets) { ws.send(frame); sent++; }
  }
  return sent;
}

// The page is served by the bench server (another origin): CORS, and CORP for its COEP.
const CORS = {
  "Access-Control-Allow-Origin": "*", "Access-Control-Allow-Headers": "Content-Type",
  "Access-Control-Allow-Methods": "POST, OPTIONS", "Cross-Origin-Resource-Policy": "cross-origin",
  "Content-Type": "application/json",
};

const server = http.createServer((req, res) => {
  if (req.method === "OPTIONS") { res.writeHead(204, CORS); res.end(); return; }
  if (req.method !== "POST" || req.url !== "/_devserver/blast") {
    res.writeHead(404, CORS); res.end("{}"); return;
  }
  const chunks = [];
  req.on("data", (chunk) => chunks.push(chunk));
  req.on("end", () => {
    const { channel, count } = JSON.parse(Buffer.concat(chunks).toString());
    const sent = blast(channel, count);
    res.writeHead(200, CORS);
    res.end(JSON.stringify({ channel, count, sent }));
  });
});

const wss = new WebSocketServer({ server, perMessageDeflate: false });
wss.on("connection", (ws, req) => {
  ws.channels = [];
  if (req.url === "/bench/echo") {
    ws.on("message", (data, isBinary) => ws.send(isBinary ? data : data.toString()));
    return;
  }
  ws.on("message", (data) => respond(ws, data.toString()));
  ws.on("close", () => { for (const channel of ws.channels) channels.delete(channel); });
});

server.listen(0, "127.0.0.1", () => {
  console.log(JSON.stringify({ port: server.address().port }));
});
