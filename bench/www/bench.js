// The bench page: runs in a headless Chromium with nothing attached, reads its plan from
// GET /bench/plan, POSTs each result to /bench/report and loads the page the server names.
//   phase=cold: one cold start (a page load each), JS SDK then kuzzle_browser.
//   phase=main: every throughput and notification measurement, interleaved, against
//     server=dev (the Python dev server) or server=responder (bench/responder.mjs).
//   phase=memory: kuzzle_browser's memory series against the responder.
const params = new URLSearchParams(location.search);
const phase = params.get("phase") || "main";
const server = params.get("server") || "dev";
const rep = Number(params.get("rep") || 1);
const HOST = "127.0.0.1";
const logEl = document.getElementById("log");
const log = (line) => { logEl.textContent += line + "\n"; console.log(line); };
const now = () => performance.now();

async function report(body) {
  const response = await fetch("/bench/report", {
    method: "POST", headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ phase, server, rep, ...body }),
  });
  const { next } = await response.json();
  if (next) location.href = next;
}

// -- clients ------------------------------------------------------------------------------------

// About the least a client can do: a counter requestId, one Promise per request in a Map,
// onmessage -> JSON.parse -> resolve by room, else dispatch by channel. It sends the same
// volatile as the SDKs so that frames are about the same size. With echo=true the request
// carries room=requestId itself, for the echo endpoint that sends every frame back.
class RawClient {
  constructor(url, echo = false) {
    this.url = url; this.echo = echo;
    this.pending = new Map(); this.channels = new Map(); this.next = 0;
    this.volatile = { sdkInstanceId: crypto.randomUUID(), sdkName: "raw-js@0" };
  }
  connect() {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(this.url);
      ws.onopen = () => resolve();
      ws.onerror = () => reject(new Error("raw WebSocket failed: " + this.url));
      ws.onmessage = (event) => {
        const message = JSON.parse(event.data);
        const resolver = this.pending.get(message.room);
        if (resolver !== undefined) { this.pending.delete(message.room); resolver(message); return; }
        const callback = this.channels.get(message.room);
        if (callback !== undefined) callback(message);
      };
      this.ws = ws;
    });
  }
  query(request) {
    const requestId = "r" + (++this.next);
    const frame = { ...request, requestId, volatile: this.volatile };
    if (this.echo) frame.room = requestId;
    return new Promise((resolve) => {
      this.pending.set(requestId, resolve);
      this.ws.send(JSON.stringify(frame));
    });
  }
}

const NOW = { controller: "server", action: "now" };
const clients = {};

function percentiles(latencies) {
  const sorted = Float64Array.from(latencies).sort();
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return { p50: at(0.5), p99: at(0.99) };
}

async function jsSeq(query, n) {
  const lat = new Float64Array(n);
  const t0 = now();
  for (let i = 0; i < n; i++) {
    const t = now();
    await query();
    lat[i] = now() - t;
  }
  const total = now() - t0;
  return { rate: (n / total) * 1000, ...percentiles(lat) };
}

async function jsPipe(query, total, window) {
  const per = Math.max(1, Math.floor(total / window));
  const worker = async () => { for (let i = 0; i < per; i++) await query(); };
  const t0 = now();
  await Promise.all(Array.from({ length: window }, worker));
  return { rate: ((per * window) / (now() - t0)) * 1000 };
}

// POST /_devserver/blast: the server pushes n notifications on the channel as fast as it can.
let blastUrl = "/_devserver/blast";
window.benchBlast = (channel, count) => fetch(blastUrl, {
  method: "POST", headers: { "Content-Type": "application/json" },
  body: JSON.stringify({ channel, count }),
}).then((r) => r.json());

let collectionCounter = 0;
const freshCollection = (who) => `${who}-${rep}-${++collectionCounter}`;

async function notifSdk(n) {
  const sdk = clients.sdk;
  let count = 0, sum = 0, resolveDone;
  const done = new Promise((r) => { resolveDone = r; });
  const collection = freshCollection("sdk");
  const roomId = await sdk.realtime.subscribe("bench", collection, {}, (m) => {
    sum += m.result._source.n;
    if (++count === n) resolveDone();
  });
  const channel = sdk.realtime._subscriptions.get(roomId)[0].channel;
  const t0 = now();
  const blast = benchBlast(channel, n);
  await done;
  const elapsed = now() - t0;
  await blast;
  await sdk.realtime.unsubscribe(roomId);
  if (sum !== (n * (n - 1)) / 2) throw new Error(`SDK notifications lost or reordered: ${count}/${n}`);
  return { rate: (n / elapsed) * 1000 };
}

async function notifRaw(n) {
  const raw = clients.raw;
  let count = 0, sum = 0, resolveDone;
  const done = new Promise((r) => { resolveDone = r; });
  const collection = freshCollection("raw");
  const answer = await raw.query({ controller: "realtime", action: "subscribe", index: "bench", collection, body: {} });
  const { roomId, channel } = answer.result;
  raw.channels.set(channel, (m) => { sum += m.result._source.n; if (++count === n) resolveDone(); });
  const t0 = now();
  const blast = benchBlast(channel, n);
  await done;
  const elapsed = now() - t0;
  await blast;
  raw.channels.delete(channel);
  await raw.query({ controller: "realtime", action: "unsubscribe", body: { roomId } });
  if (sum !== (n * (n - 1)) / 2) throw new Error(`raw notifications lost: ${count}/${n}`);
  return { rate: (n / elapsed) * 1000 };
}

// -- Python -------------------------------------------------------------------------------------

async function bootPython(plan) {
  const times = {};
  let t = now();
  const { loadPyodide } = await import("/vendor/pyodide/pyodide.mjs");
  const pyodide = await loadPyodide({ indexURL: new URL("/vendor/pyodide/", location.href).href });
  times.pyodide_ready = now() - t; t = now();
  await pyodide.loadPackage("micropip");
  times.micropip_loaded = now() - t; t = now();
  await pyodide.pyimport("micropip").install(new URL(plan.wheel, location.href).href);
  times.wheel_installed = now() - t; t = now();
  pyodide.runPython("import kuzzle_browser");
  times.imported = now() - t; t = now();
  await pyodide.runPythonAsync(`
from kuzzle_browser import Kuzzle, WebSocket
_cold_kuzzle = Kuzzle(WebSocket("${HOST}", port=${plan.port}))
await _cold_kuzzle.connect()
`);
  times.connected = now() - t;
  return { pyodide, times };
}

async function coldSdk(port) {
  const times = {};
  let t = now();
  await new Promise((resolve, reject) => {
    const script = document.createElement("script");
    script.src = "/sdk/kuzzle.js";
    script.onload = resolve; script.onerror = () => reject(new Error("kuzzle.js failed to load"));
    document.head.append(script);
  });
  times.bundle_loaded = now() - t; t = now();
  const sdk = new KuzzleSDK.Kuzzle(new KuzzleSDK.WebSocket(HOST, { port }));
  await sdk.connect();
  times.connected = now() - t;
  return { sdk, times };
}

async function coldPhase(plan) {
  const page = { script_start: window.benchT0, module_start: now() };
  const { sdk, times: sdkTimes } = await coldSdk(plan.port);
  sdk.disconnect();
  const { times } = await bootPython(plan);
  await report({ page, sdk: sdkTimes, kb: times });
}

// The Python side: Pyodide, the wheel, bench_kb.py, connected to the server under test.
async function kbClient(plan, port) {
  const { pyodide, times } = await bootPython(plan);
  await pyodide.runPythonAsync("await _cold_kuzzle.disconnect()");
  const source = await (await fetch("/bench/www/bench_kb.py")).text();
  pyodide.FS.writeFile("/home/pyodide/bench_kb.py", source);
  const kb = pyodide.pyimport("bench_kb");
  await kb.connect(HOST, port);
  return { pyodide, kb, times };
}

function serverPort(plan) {
  if (server !== "responder") return plan.port;
  blastUrl = `http://${HOST}:${plan.responder_port}/_devserver/blast`;
  return plan.responder_port;
}

async function mainPhase(plan) {
  const port = serverPort(plan);
  const { kb, times: boot } = await kbClient(plan, port);
  if (plan.variant) {  // both clients count their deliveries (frames_per_call)
    await kb.connect(HOST, port, "", true);
    await kb.connect(HOST, port, plan.variant, true);
  }
  const { sdk } = await coldSdk(port);
  clients.sdk = sdk;
  clients.raw = new RawClient(`ws://${HOST}:${port}`);
  clients.echo = new RawClient(`ws://${HOST}:${port}/bench/echo`, true);
  await clients.raw.connect();
  await clients.echo.connect();
  const py = async (promise) => JSON.parse(await promise);

  // name -> {client -> () => Promise<result>}; each repetition runs every client in turn.
  const suites = {
    seq: {
      raw: () => jsSeq(() => clients.raw.query(NOW), plan.seq_n),
      sdk: () => jsSeq(() => sdk.query(NOW), plan.seq_n),
      kb: () => py(kb.seq(plan.seq_n)),
    },
  };
  const variant = plan.variant ? { [`kb_${plan.variant}`]: plan.variant } : {};
  for (const w of plan.windows) {
    const n = Math.max(plan.pipe_n, w * 5);
    suites[`pipe${w}`] = {
      raw: () => jsPipe(() => clients.raw.query(NOW), n, w),
      sdk: () => jsPipe(() => sdk.query(NOW), n, w),
      kb: () => py(kb.pipe(n, w)),
    };
  }
  for (const [client, name] of Object.entries(variant)) {
    suites.seq[client] = () => py(kb.seq(plan.seq_n, name));
    for (const w of plan.windows) suites[`pipe${w}`][client] = () => py(kb.pipe(Math.max(plan.pipe_n, w * 5), w, name));
  }
  suites.notif = {
    raw: () => notifRaw(plan.notif_n),
    sdk: () => notifSdk(plan.notif_n),
    kb_callback: () => py(kb.notif_callback(plan.notif_n)),
    kb_async_for: () => py(kb.notif_iter(plan.notif_n)),
  };
  for (const [client, name] of Object.entries(variant)) {
    suites.notif[`${client}_callback`] = () => py(kb.notif_callback(plan.notif_n, name));
    suites.notif[`${client}_async_for`] = () => py(kb.notif_iter(plan.notif_n, name));
  }
  suites.echo = {
    raw_seq: () => jsSeq(() => clients.echo.query(NOW), plan.echo_n),
    raw_pipe100: () => jsPipe(() => clients.echo.query(NOW), plan.echo_n * 2, 100),
  };

  // Warm-up: one short run of everything (JIT, Python imports, first allocations).
  for (const [name, byClient] of Object.entries(suites)) {
    for (const [client, run] of Object.entries(byClient)) {
      log(`warm-up ${name} ${client}`);
      await run();
    }
  }
  const results = {};
  for (let r = 0; r < plan.reps; r++) {
    for (const [name, byClient] of Object.entries(suites)) {
      const order = Object.keys(byClient);
      const shift = r % order.length; // rotate who goes first: no position bias
      for (const client of [...order.slice(shift), ...order.slice(0, shift)]) {
        const result = await byClient[client]();
        ((results[name] ??= {})[client] ??= []).push(result);
        log(`rep ${r + 1} ${name} ${client} ${JSON.stringify(result)}`);
      }
    }
  }

  await report({ boot, results, isolated: globalThis.crossOriginIsolated, user_agent: navigator.userAgent });
}

// The JS heap after the garbage is gone: gc() (--js-flags=--expose-gc) until
// usedJSHeapSize (--enable-precise-memory-info) stops falling, with a task between rounds
// for the finalizers of Pyodide's proxies. (measureUserAgentSpecificMemory() never
// answered within 10 s in this headless Chromium: it waits for a GC of its own.)
async function jsHeap() {
  const task = () => new Promise((resolve) => setTimeout(resolve, 0));
  let used = Infinity;
  for (let round = 0; round < 10; round++) {
    globalThis.gc();
    await task();
    const now = performance.memory.usedJSHeapSize;
    if (now >= used) break;
    used = now;
  }
  return JSON.stringify({ js_heap_bytes: used });
}

async function memoryPhase(plan) {
  const { pyodide, kb } = await kbClient(plan, serverPort(plan));
  log("memory: connected");
  window.benchJsHeap = jsHeap;
  window.benchWasmHeap = () => pyodide._module.HEAP8.length;
  const memory = JSON.parse(await kb.memory(plan.mem_warmup, plan.mem_requests, plan.mem_notifications, plan.mem_steps));
  await report({ memory });
}

(async () => {
  const plan = await (await fetch("/bench/plan")).json();
  try {
    if (phase === "cold") await coldPhase(plan);
    else if (phase === "memory") await memoryPhase(plan);
    else await mainPhase(plan);
  } catch (error) {
    log(String(error && error.stack || error));
    await report({ error: String(error && error.message || error) });
  }
})();
