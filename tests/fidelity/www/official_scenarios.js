// The fidelity scenarios (tests/fidelity/scenarios.json) with the official kuzzle-sdk 7.17.1
// browser bundle (global KuzzleSDK), in the same headless Chromium as kuzzle_browser.
// Same steps and checks as inpage/fidelity_kb.py. Each scenario returns a detail string or
// throws; run() turns that into {ok, detail, seconds}. The host loads a fresh page for every
// scenario, so sockets and timers left behind (JS SDK bugs) die with the page.

const K = globalThis.KuzzleSDK;
let cfg = null; // {host, port, scale, constants}
const clients = [];

// ---------------------------------------------------------------------------- helpers

const ms = (seconds) => seconds * cfg.scale * 1000;
const delay = (millis) => new Promise((resolve) => setTimeout(resolve, millis));

class Check extends Error {}

function assert(condition, message) {
  if (!condition) throw new Check(message);
}

function within(promise, seconds, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Check(`timed out after ${ms(seconds) / 1000} s: ${what}`)), ms(seconds));
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function nextEvent(emitter, name) {
  return new Promise((resolve) => emitter.once(name, (...payload) => resolve(payload)));
}

// Poll only where no event exists (server-side state, absence of a notification).
async function pollFor(predicate, seconds, what) {
  const deadline = Date.now() + ms(seconds);
  for (;;) {
    const value = await predicate();
    if (value) return value;
    if (Date.now() >= deadline) throw new Check(`still false after ${ms(seconds) / 1000} s: ${what}`);
    await delay(50);
  }
}

async function control(path, body = null, method = "POST") {
  const init = { method, cache: "no-store" };
  if (body !== null) {
    init.body = JSON.stringify(body);
    init.headers = { "Content-Type": "application/json" };
  }
  const response = await fetch(`http://${cfg.host}:${cfg.port}/_devserver/${path}`, init);
  const text = await response.text();
  assert(response.ok, `control ${method} ${path} -> ${response.status}: ${text}`);
  return text.trim() ? JSON.parse(text) : null;
}

async function wsFrames() {
  const recorded = await control("requests?limit=1000", null, "GET");
  return recorded.filter((r) => r.transport === "websocket").map((r) => r.frame);
}

async function publishOverHttp(index, collection, message) {
  const response = await fetch(`http://${cfg.host}:${cfg.port}/${index}/${collection}/_publish`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(message),
  });
  assert(response.ok, `HTTP publish -> ${response.status}`);
}

function wsProtocol(options = {}) {
  return new K.WebSocket(cfg.host, { port: cfg.port, reconnectionDelay: 200, ...options });
}

function client(protocol = wsProtocol(), options = {}) {
  const kuzzle = new K.Kuzzle(protocol, options);
  clients.push(kuzzle);
  return kuzzle;
}

async function connected(protocol, options) {
  const kuzzle = client(protocol, options);
  await within(kuzzle.connect(), 10, "connect");
  return kuzzle;
}

const credentials = () => ({ username: cfg.constants.user, password: cfg.constants.password });

async function expectError(promise, id, status, code) {
  let error = null;
  try {
    await within(promise, 10, `error ${id}`);
  } catch (e) {
    error = e;
  }
  assert(error !== null, `resolved instead of failing with ${id}`);
  assert(error.id === id, `error id ${error.id} (${error.message}), expected ${id}`);
  assert(error.status === status, `${id}: status ${error.status}, expected ${status}`);
  assert(code === undefined || error.code === code, `${id}: code ${error.code}, expected ${code}`);
  return `${id} ${error.status}`;
}

async function collectionReady(kuzzle) {
  const { index, collection, mappings } = cfg.constants;
  await kuzzle.index.create(index);
  await kuzzle.collection.create(index, collection, { mappings });
  return { index, collection };
}

const tag = (n) => `${n.action}/${n.scope}/${n.result && n.result._id != null ? n.result._id : "-"}`;

// The dev server's "greeting" app controller (POST /_devserver/test-controller registers it).
class Greeting extends K.BaseController {
  constructor(kuzzle) {
    super(kuzzle, "greeting");
  }

  async sayHello(name, body) {
    return (await this.query({ action: "sayHello", name, body })).result;
  }

  async echo(args) {
    return (await this.query({ action: "echo", ...args })).result;
  }

  fail() {
    return this.query({ action: "fail" });
  }
}

class Nameless extends K.BaseController {
  constructor(kuzzle) {
    super(kuzzle);
  }
}

async function greetingChecks(kuzzle) {
  const hello = await within(kuzzle.greeting.sayHello("ann b", { mood: "fine" }), 10, "sayHello");
  assert(
    hello.greeting === "Hello, ann b!" && hello.body && hello.body.mood === "fine",
    `sayHello: ${JSON.stringify(hello)}`,
  );
  const echoed = await within(kuzzle.greeting.echo({ page: "2" }), 10, "echo");
  assert(echoed.args.page === "2", `echo args: ${JSON.stringify(echoed.args)}`);
  const failed = await expectError(kuzzle.greeting.fail(), "api.assert.invalid_argument", 400);
  await within(kuzzle.auth.login("local", credentials()), 10, "login");
  const mine = await within(kuzzle.greeting.sayHello("x"), 10, "sayHello after login");
  assert(mine.kuid === cfg.constants.user, `sayHello saw user ${mine.kuid}`);
  return `sayHello (placeholder + body), echo (query args), ${failed}, user ${mine.kuid}`;
}

async function withGreeting(protocol) {
  await control("test-controller");
  const kuzzle = client(protocol);
  kuzzle.useController(Greeting, "greeting");
  await within(kuzzle.connect(), 10, "connect");
  return kuzzle;
}

// ------------------------------------------------------------------- security helpers

const FORBIDDEN = ["security.rights.forbidden", 403, 117637122];

const unique = (prefix) => `${prefix}-${crypto.randomUUID().replaceAll("-", "").slice(0, 8)}`;

function readerRole(create = false) {
  return {
    controllers: {
      auth: { actions: { "*": true } },
      document: { actions: { get: true, search: true, create } },
      realtime: { actions: { subscribe: true, unsubscribe: true } },
    },
  };
}

async function asAdmin() {
  const admin = await connected();
  await within(admin.auth.login("local", credentials()), 10, "admin login");
  return admin;
}

async function restrictedWorld() {
  const admin = await asAdmin();
  const { collection } = cfg.constants;
  const world = {
    admin,
    index: unique("fid-sec"),
    other: unique("fid-sec"),
    role: unique("role"),
    profile: unique("profile"),
    user: unique("user"),
    username: unique("name"),
  };
  for (const name of [world.index, world.other]) {
    await admin.index.create(name);
    await admin.collection.create(name, collection);
  }
  await admin.document.create(world.index, collection, { n: 1 }, "d1", { refresh: "wait_for" });
  await admin.security.createRole(world.role, readerRole());
  const restrictedTo = [{ index: world.index, collections: [collection] }];
  await admin.security.createProfile(world.profile, { policies: [{ roleId: world.role, restrictedTo }] });
  await admin.security.createUser(world.user, {
    content: { profileIds: [world.profile] },
    credentials: { local: { username: world.username, password: "restricted-pw" } },
  });
  const restricted = await connected();
  const login = { username: world.username, password: "restricted-pw" };
  await within(restricted.auth.login("local", login), 10, "restricted login");
  world.restricted = restricted;
  return world;
}

// -------------------------------------------------------------------------- scenarios

const scenarios = {
  async connect() {
    const kuzzle = await connected();
    assert(kuzzle.connected, "not connected after connect()");
    const now = await within(kuzzle.server.now(), 10, "server:now");
    assert(Number.isInteger(now), `server:now gave ${now}`);
    return "connected; server:now answered";
  },

  async ping() {
    const known = new Set((await control("sockets", null, "GET")).map((s) => s.id));
    let drops = 0;
    const kuzzle = await connected(wsProtocol({ pingInterval: 300 }));
    kuzzle.on("disconnected", () => drops++);
    const ours = await pollFor(
      async () => {
        const mine = (await control("sockets", null, "GET")).filter((s) => !known.has(s.id) && s.open);
        return mine.length === 1 && mine[0].pings >= 3 ? mine[0] : null;
      },
      10,
      "3 pings counted by the server on our socket",
    );
    // unanswered pings would have dropped the link within 2 intervals
    assert(drops === 0 && kuzzle.connected, "the link dropped while pinging");
    await within(kuzzle.server.now(), 10, "server:now after pings");
    return `${ours.pings} pings counted, link alive`;
  },

  async ws_auth() {
    const kuzzle = await connected();
    const jwt = await within(kuzzle.auth.login("local", credentials()), 10, "login");
    assert(typeof jwt === "string" && kuzzle.jwt === jwt, "login did not return/store the jwt");
    const check = await within(kuzzle.auth.checkToken(jwt), 10, "checkToken");
    assert(check.valid === true && check.kuid === cfg.constants.user, `checkToken: ${JSON.stringify(check)}`);
    const me = await within(kuzzle.auth.getCurrentUser(), 10, "getCurrentUser");
    assert(me._id === cfg.constants.user, `getCurrentUser: ${me._id}`);
    await within(kuzzle.auth.logout(), 10, "logout");
    assert(!kuzzle.jwt, "jwt kept after logout");
    const after = await within(kuzzle.auth.checkToken(jwt), 10, "checkToken after logout");
    assert(after.valid === false, "token still valid after logout");
    return "login, checkToken valid, getCurrentUser, logout, token invalid";
  },

  async http_auth() {
    const kuzzle = await connected(new K.Http(cfg.host, { port: cfg.port }));
    const jwt = await within(kuzzle.auth.login("local", credentials()), 10, "login");
    assert(typeof jwt === "string", "no jwt from login");
    const check = await within(kuzzle.auth.checkToken(jwt), 10, "checkToken");
    assert(check.valid === true && check.kuid === cfg.constants.user, `checkToken: ${JSON.stringify(check)}`);
    const me = await within(kuzzle.auth.getCurrentUser(), 10, "getCurrentUser");
    assert(me._id === cfg.constants.user, `getCurrentUser: ${me._id}`);
    await within(kuzzle.auth.logout(), 10, "logout");
    const after = await within(kuzzle.auth.checkToken(jwt), 10, "checkToken after logout");
    assert(after.valid === false, "token still valid after logout");
    return "login, checkToken valid, getCurrentUser (Bearer), logout, token invalid";
  },

  async http_cookie_auth() {
    const kuzzle = await connected(new K.Http(cfg.host, { port: cfg.port }), { cookieAuth: true });
    const result = await within(kuzzle.auth.login("local", credentials()), 10, "cookie login");
    assert(result === undefined && !kuzzle.jwt, "login handed a jwt to JS");
    assert(!document.cookie.includes("authToken"), "authToken visible in document.cookie");
    await control("requests", null, "DELETE");
    const me = await within(kuzzle.auth.getCurrentUser(), 10, "getCurrentUser with the cookie");
    assert(me._id === cfg.constants.user, `getCurrentUser: ${me._id} (cookie not sent?)`);
    const http = (await control("requests?limit=100", null, "GET")).filter((r) => r.transport === "http");
    const call = http.find((r) => r.path.endsWith("/_me") && r.method !== "OPTIONS");
    assert(call, `getCurrentUser not seen by the server: ${JSON.stringify(http.map((r) => r.path))}`);
    const names = Object.keys(call.headers).map((h) => h.toLowerCase());
    assert(!names.includes("authorization"), "the request carried an Authorization header");
    assert(names.includes("cookie"), "the request carried no cookie");
    return "login resolved without jwt; request with the HttpOnly cookie only";
  },

  async ws_cookie_login() {
    const kuzzle = await connected(wsProtocol(), { cookieAuth: true });
    try {
      await within(kuzzle.auth.login("local", credentials()), 10, "cookie login over WebSocket");
    } catch (error) {
      throw new Check(`login rejected: ${error.message}`);
    }
    const me = await within(kuzzle.auth.getCurrentUser(), 10, "getCurrentUser over the renewed socket");
    assert(me._id === cfg.constants.user, `getCurrentUser: ${me._id}`);
    assert(!document.cookie.includes("authToken"), "authToken visible in document.cookie");
    return "login resolved; the renewed socket is authenticated by the cookie";
  },

  async document_crud() {
    const kuzzle = await connected();
    const { index, collection } = await collectionReady(kuzzle);
    const doc = kuzzle.document;
    const created = await doc.create(index, collection, { n: 1, name: "a" }, "d1", { refresh: "wait_for" });
    assert(created._id === "d1" && created._source.n === 1, `create: ${JSON.stringify(created)}`);
    const got = await doc.get(index, collection, "d1");
    assert(got._source.name === "a" && got._version === 1, `get: ${JSON.stringify(got)}`);
    assert((await doc.exists(index, collection, "d1")) === true, "exists: false");
    await doc.update(index, collection, "d1", { n: 2 });
    const updated = await doc.get(index, collection, "d1");
    assert(updated._source.n === 2 && updated._source.name === "a", `update: ${JSON.stringify(updated)}`);
    assert(updated._version === 2, `version after update: ${updated._version}`);
    assert((await doc.delete(index, collection, "d1")) === "d1", "delete did not return the id");
    const missing = await expectError(doc.get(index, collection, "d1"), "services.storage.not_found", 404, 16842763);
    return `create, get, exists, update (merged, _version 2), delete, then ${missing}`;
  },

  async search_from_size() {
    const kuzzle = await connected();
    const { index, collection } = await collectionReady(kuzzle);
    const documents = [0, 1, 2, 3, 4, 5, 6].map((n) => ({ _id: `d${n}`, body: { n } }));
    await kuzzle.document.mCreate(index, collection, documents, { refresh: "wait_for" });
    await control("requests", null, "DELETE");
    let page = await kuzzle.document.search(index, collection, { query: { range: { n: { gte: 0 } } } }, { size: 3 });
    assert(page.total === 7, `total ${page.total}`);
    const sizes = [];
    const ids = new Set();
    while (page) {
      sizes.push(page.hits.length);
      page.hits.forEach((hit) => ids.add(hit._id));
      page = await within(page.next(), 10, "next()");
    }
    assert(ids.size === 7, `${ids.size} distinct hits`);
    assert(JSON.stringify(sizes) === "[3,3,1]", `page sizes ${sizes}`);
    const froms = (await wsFrames()).filter((f) => f.action === "search").map((f) => f.from ?? 0);
    assert(JSON.stringify(froms) === "[0,3,6]", `from on the wire: ${froms}`);
    return "7 hits in pages of 3,3,1; from 0,3,6 on the wire";
  },

  async search_after() {
    const kuzzle = await connected();
    const { index, collection } = await collectionReady(kuzzle);
    const values = [5, 3, 6, 0, 4, 1, 2];
    const documents = values.map((n, i) => ({ _id: `d${i}`, body: { n } }));
    await kuzzle.document.mCreate(index, collection, documents, { refresh: "wait_for" });
    await control("requests", null, "DELETE");
    const body = { query: { match_all: {} }, sort: [{ n: "asc" }, { _id: "asc" }] };
    let page = await kuzzle.document.search(index, collection, body, { size: 3 });
    const seen = [];
    while (page) {
      page.hits.forEach((hit) => seen.push(hit._source.n));
      page = await within(page.next(), 10, "next()");
    }
    assert(JSON.stringify(seen) === "[0,1,2,3,4,5,6]", `order ${seen}`);
    const afters = (await wsFrames())
      .filter((f) => f.action === "search")
      .map((f) => JSON.stringify(f.body.search_after ?? null));
    assert(afters[0] === "null" && afters[1] === '[2,"d6"]', `search_after on the wire: ${afters}`);
    return `7 hits in sort order; search_after on the wire: ${afters.slice(1).join(" ")}`;
  },

  async collection_index() {
    const kuzzle = await connected();
    const { index, collection } = cfg.constants;
    await kuzzle.index.create(index);
    assert((await kuzzle.index.exists(index)) === true, "index.exists false");
    assert((await kuzzle.index.list()).includes(index), "index.list misses it");
    await kuzzle.collection.create(index, collection, { mappings: { properties: { name: { type: "keyword" } } } });
    assert((await kuzzle.collection.exists(index, collection)) === true, "collection.exists false");
    const list = await kuzzle.collection.list(index);
    const names = list.collections.map((c) => `${c.name}:${c.type}`);
    assert(JSON.stringify(names) === `["${collection}:stored"]`, `collection.list ${names}`);
    let mapping = await kuzzle.collection.getMapping(index, collection);
    assert(mapping.properties.name.type === "keyword", `getMapping ${JSON.stringify(mapping)}`);
    await kuzzle.collection.updateMapping(index, collection, { properties: { n: { type: "integer" } } });
    mapping = await kuzzle.collection.getMapping(index, collection);
    assert(mapping.properties.n && mapping.properties.name, `after updateMapping ${JSON.stringify(mapping)}`);
    await kuzzle.document.create(index, collection, { name: "x" }, null, { refresh: "wait_for" });
    await kuzzle.collection.truncate(index, collection);
    assert((await kuzzle.document.count(index, collection)) === 0, "count after truncate");
    await kuzzle.collection.delete(index, collection);
    assert((await kuzzle.collection.exists(index, collection)) === false, "collection still exists");
    await kuzzle.index.delete(index);
    assert((await kuzzle.index.exists(index)) === false, "index still exists");
    return "index create/exists/list/delete; collection create/exists/list/mappings/truncate/delete";
  },

  async realtime_scope() {
    const kuzzle = await connected();
    const { index, collection } = await collectionReady(kuzzle);
    const seen = { in: [], out: [], red: [] };
    const filters = { range: { n: { gte: 10 } } };
    await kuzzle.realtime.subscribe(index, collection, filters, (n) => seen.in.push(tag(n)), { scope: "in" });
    await kuzzle.realtime.subscribe(index, collection, filters, (n) => seen.out.push(tag(n)), { scope: "out" });
    await kuzzle.realtime.subscribe(index, collection, { equals: { color: "red" } }, (n) => seen.red.push(tag(n)));
    const doc = kuzzle.document;
    await doc.create(index, collection, { n: 5 }, "d1");
    await doc.create(index, collection, { n: 20 }, "d2");
    await doc.update(index, collection, "d2", { n: 1 });
    await kuzzle.realtime.publish(index, collection, { color: "red" });
    await doc.create(index, collection, { n: 50 }, "d3");
    await doc.delete(index, collection, "d3");
    // d3's deletion is the last notification sent: once it is here, every earlier one is too
    await pollFor(() => seen.out.length >= 2 && seen.in.length >= 2 && seen.red.length >= 1, 10, "notifications");
    const got = JSON.stringify(seen);
    const want = JSON.stringify({
      in: ["create/in/d2", "create/in/d3"],
      out: ["update/out/d2", "delete/out/d3"],
      red: ["publish/in/-"],
    });
    assert(got === want, `notifications ${got}, expected ${want}`);
    return "scope in: create d2, d3; scope out: update d2, delete d3; publish: 1";
  },

  async unsubscribe() {
    const kuzzle = await connected();
    const { index, collection } = await collectionReady(kuzzle);
    const seen = { x: 0, all: 0 };
    const roomX = await kuzzle.realtime.subscribe(index, collection, { equals: { kind: "x" } }, () => seen.x++);
    await kuzzle.realtime.subscribe(index, collection, {}, () => seen.all++);
    await kuzzle.realtime.publish(index, collection, { kind: "x" });
    await pollFor(() => seen.x === 1 && seen.all === 1, 10, "first notifications");
    await kuzzle.realtime.unsubscribe(roomX);
    await kuzzle.realtime.publish(index, collection, { kind: "x" });
    await pollFor(() => seen.all === 2, 10, "notification on the remaining room");
    assert(seen.x === 1, `unsubscribed room got ${seen.x - 1} more notification(s)`);
    return "notified before; nothing after unsubscribe (other room still notified)";
  },

  async server_now_info() {
    const kuzzle = await connected();
    const now = await kuzzle.server.now();
    assert(Math.abs(now - Date.now()) < 60000, `server:now ${now} vs ${Date.now()}`);
    const info = await kuzzle.server.info();
    assert(info.serverInfo && info.serverInfo.kuzzle, `server:info ${JSON.stringify(info).slice(0, 200)}`);
    return `now within 60 s of the page clock; info.serverInfo.kuzzle.version ${info.serverInfo.kuzzle.version}`;
  },

  async error_unknown_controller() {
    const kuzzle = await connected();
    const q = kuzzle.query({ controller: "nosuchcontroller", action: "x" });
    return expectError(q, "api.process.controller_not_found", 404, 33685508);
  },

  async error_unknown_action() {
    const kuzzle = await connected();
    return expectError(kuzzle.query({ controller: "server", action: "nosuchaction" }), "api.process.action_not_found", 404, 33685509);
  },

  async error_bad_arguments() {
    const kuzzle = await connected();
    const { index, collection } = await collectionReady(kuzzle);
    const missing = await expectError(
      kuzzle.query({ controller: "document", action: "get", index, collection }),
      "api.assert.missing_argument",
      400,
      33619971,
    );
    const wrongType = await expectError(
      kuzzle.query({ controller: "document", action: "create", index, collection, body: {}, silent: "yes" }),
      "api.assert.invalid_type",
      400,
      33619969,
    );
    return `${missing}; ${wrongType}`;
  },

  async error_invalid_token() {
    const kuzzle = await connected();
    kuzzle.jwt = cfg.constants.forged_jwt;
    return expectError(kuzzle.auth.getCurrentUser(), "security.token.invalid", 401, 117506049);
  },

  async error_oversized_frame() {
    const kuzzle = await connected();
    const reconnected = nextEvent(kuzzle, "reconnected");
    const big = "x".repeat(cfg.constants.oversized_bytes);
    let failure = null;
    try {
      await within(kuzzle.document.create(cfg.constants.index, cfg.constants.collection, { big }), 20, "oversized");
    } catch (error) {
      failure = error;
    }
    assert(failure && !(failure instanceof Check), `the oversized request ${failure ? failure.message : "resolved"}`);
    await within(reconnected, 20, "reconnected after the server closed the socket");
    await within(kuzzle.server.now(), 10, "server:now after recovery");
    return `sent; server closed the socket; request failed (${failure.message}); reconnected`;
  },

  async cookie_renewal_resubscribe() {
    const { index, collection } = cfg.constants;
    const kuzzle = await connected(wsProtocol(), { cookieAuth: true });
    let notified = 0;
    await kuzzle.realtime.subscribe(index, collection, {}, () => notified++);
    await kuzzle.realtime.publish(index, collection, { before: true });
    await pollFor(() => notified === 1, 10, "notification before the renewal");
    const renewed = nextEvent(kuzzle.protocol, "websocketRenewalDone");
    try {
      await within(kuzzle.auth.login("local", credentials()), 10, "cookie login");
    } catch (error) {
      // JS SDK bug of ws_cookie_login (docs/protocol.md §6.1): not what this scenario checks
    }
    await within(renewed, 10, "websocketRenewalDone");
    const deadline = Date.now() + ms(5);
    while (notified === 1 && Date.now() < deadline) {
      await publishOverHttp(index, collection, { after: true });
      await delay(200);
    }
    assert(notified > 1, "subscription not restored: no notification within 5 s after the cookie renewal");
    return "notified again after the renewal";
  },

  async disconnect_pending_reconnect() {
    const known = new Set((await control("sockets", null, "GET")).map((s) => s.id));
    const kuzzle = await connected(wsProtocol({ reconnectionDelay: cfg.constants.reconnection_delay_ms }));
    const lost = nextEvent(kuzzle, "networkError");
    await control("drop", { mode: "abort" });
    await within(lost, 10, "networkError after the drop");
    const ours = (await control("sockets", null, "GET")).filter((s) => !known.has(s.id));
    ours.forEach((s) => known.add(s.id));
    kuzzle.disconnect();
    // measuring an absence: wait well past the reconnection delay
    await delay(Math.max(ms(1.5), 3 * cfg.constants.reconnection_delay_ms));
    const opened = (await control("sockets", null, "GET")).filter((s) => !known.has(s.id));
    assert(opened.length === 0, `${opened.length} socket(s) opened after disconnect()`);
    return "no socket opened after disconnect()";
  },

  async bulk_methods() {
    const kuzzle = await connected();
    const { index, collection } = await collectionReady(kuzzle);
    const bulk = kuzzle.bulk;
    const lines = [{ index: { _id: "a" } }, { n: 1, tag: "x" }, { create: { _id: "a" } }, { n: 2 }];
    const imported = await bulk.import(index, collection, lines);
    const ok = JSON.stringify(imported.successes) === JSON.stringify([{ index: { _id: "a", status: 201 } }]);
    assert(ok, `import: ${JSON.stringify(imported)}`);
    assert(imported.errors[0].create.status === 409, `import errors: ${JSON.stringify(imported.errors)}`);
    const written = await bulk.write(index, collection, { n: 3, tag: "x" }, "w");
    assert(written._id === "w" && written._version === 1 && written._source.n === 3, `write: ${JSON.stringify(written)}`);
    const many = await bulk.mWrite(index, collection, [{ _id: "m", body: { tag: "y" } }]);
    assert(many.successes[0]._id === "m" && many.errors.length === 0, `mWrite: ${JSON.stringify(many)}`);
    const updated = await bulk.updateByQuery(index, collection, { term: { tag: "x" } }, { seen: true });
    assert(updated === 2, `updateByQuery: ${updated}`);
    const deleted = await bulk.deleteByQuery(index, collection, { query: { term: { tag: "x" } } });
    assert(deleted === 2, `deleteByQuery: ${deleted}`);
    return "import (201 + 409), write, mWrite, updateByQuery 2, deleteByQuery 2";
  },

  async ms_commands() {
    const kuzzle = await connected();
    const ms = kuzzle.ms;
    assert((await ms.set("k", "v", { ex: 60 })) === undefined, "set did not map to undefined");
    assert((await ms.get("k")) === "v", "get");
    await ms.hset("h", "f", "1");
    assert(JSON.stringify(await ms.hgetall("h")) === JSON.stringify({ f: "1" }), "hgetall");
    assert((await ms.sismember("nope", "x")) === false, "sismember: not a boolean");
    await ms.zadd("z", [{ score: 1, member: "a" }, { score: 2.5, member: "b" }]);
    const zrange = await ms.zrange("z", 0, -1);
    const expected = [{ member: "a", score: 1 }, { member: "b", score: 2.5 }];
    assert(JSON.stringify(zrange) === JSON.stringify(expected), `zrange: ${JSON.stringify(zrange)}`);
    assert((await ms.zscore("z", "b")) === 2.5, "zscore: not a number");
    const scan = await ms.scan(0, { match: "*" });
    assert(scan.cursor === "0" && JSON.stringify(scan.values.sort()) === '["h","k","z"]', `scan: ${JSON.stringify(scan)}`);
    assert((await ms.time()).every((part) => Number.isInteger(part)), "time: not integers");
    assert(JSON.stringify(await ms.srandmember("nope")) === "[null]", "srandmember: not a list");
    assert((await ms.del(["k", "h"])) === 2, "del");
    const missing = await expectError(ms.zadd("z", []), "api.assert.empty_argument", 400, 33619972);
    return `set, get, hgetall, sismember, zadd, zrange, zscore, scan, time, srandmember, del, ${missing}`;
  },

  async specifications() {
    const kuzzle = await connected();
    await kuzzle.auth.login("local", credentials());
    const { index, collection } = await collectionReady(kuzzle);
    const spec = { strict: true, fields: { age: { type: "integer", mandatory: true }, name: { type: "string", defaultValue: "anon" } } };
    const checked = await kuzzle.collection.validateSpecifications(index, collection, { fields: { x: { type: "nope" } } });
    assert(checked.valid === false && checked.details.length === 1, `validateSpecifications ${JSON.stringify(checked)}`);
    const stored = await kuzzle.collection.updateSpecifications(index, collection, spec);
    assert(JSON.stringify(stored) === JSON.stringify(spec), `updateSpecifications ${JSON.stringify(stored)}`);
    const got = await kuzzle.collection.getSpecifications(index, collection);
    assert(JSON.stringify(got.validation) === JSON.stringify(spec), `getSpecifications ${JSON.stringify(got)}`);
    const refused = await expectError(kuzzle.document.create(index, collection, { name: "x" }), "validation.check.failed_field", 400, 84082690);
    const created = await kuzzle.document.create(index, collection, { age: 1 });
    assert(created._source.name === "anon", `defaultValue not applied: ${JSON.stringify(created._source)}`);
    const strict = await kuzzle.document.validate(index, collection, { age: 1, other: 1 });
    assert(strict.valid === false, `validate with an extra field: ${JSON.stringify(strict)}`);
    await kuzzle.collection.deleteSpecifications(index, collection);
    const gone = await expectError(kuzzle.collection.getSpecifications(index, collection), "validation.assert.not_found", 404);
    return `${refused}; default applied; strict validate false; ${gone}`;
  },

  async specifications_search() {
    const kuzzle = await connected();
    await kuzzle.auth.login("local", credentials());
    const { index } = await collectionReady(kuzzle);
    const spec = { fields: { n: { type: "integer" } } };
    for (const name of ["a", "b", "c"]) await kuzzle.collection.updateSpecifications(index, name, spec);
    const query = { query: { term: { index } }, sort: ["_id"] };
    let page = await kuzzle.collection.searchSpecifications(query, { size: 2, scroll: "10s" });
    assert(page.total === 3, `total ${page.total}`);
    const ids = [];
    while (page) {
      ids.push(...page.hits.map((h) => h._id));
      page = await page.next();
    }
    assert(JSON.stringify(ids) === JSON.stringify(["a", "b", "c"].map((n) => `${index}#${n}`)), `pages ${ids}`);
    return `3 specifications in 2 pages (${ids.length} hits)`;
  },

  async custom_controller_ws() {
    return greetingChecks(await withGreeting(wsProtocol()));
  },

  async custom_controller_http() {
    return greetingChecks(await withGreeting(new K.Http(cfg.host, { port: cfg.port })));
  },

  async custom_controller_accessor() {
    const kuzzle = client(wsProtocol());
    kuzzle.useController(Greeting, "greeting");
    const refusals = [];
    for (const [Controller, accessor] of [
      [Greeting, "greeting"],
      [Greeting, "document"],
      [Nameless, "nameless"],
    ]) {
      try {
        kuzzle.useController(Controller, accessor);
        refusals.push(`${accessor} accepted`);
      } catch (error) {
        refusals.push(error.message);
      }
    }
    assert(refusals[0].includes("already a controller with the accessor 'greeting'"), refusals[0]);
    assert(refusals[1].includes("already a controller with the accessor 'document'"), refusals[1]);
    assert(refusals[2] === "Controllers must have a name.", refusals[2]);
    assert(kuzzle.greeting instanceof Greeting, "the first controller was replaced");
    return "taken accessors (greeting, document) and a nameless controller refused";
  },

  async batch_writes() {
    const kuzzle = await connected();
    const { index, collection } = await collectionReady(kuzzle);
    await control("requests", null, "DELETE");
    const batch = new K.BatchController(kuzzle, { interval: 50 });
    const docs = await within(
      Promise.all([0, 1, 2].map((n) => batch.create(index, collection, { n }, `d${n}`))),
      10,
      "batched creates",
    );
    await batch.dispose();
    assert(docs.map((d) => d._id).join() === "d0,d1,d2", `created ${docs.map((d) => d._id).join()}`);
    const sent = (await wsFrames()).filter((f) => f && f.action === "mCreate");
    assert(sent.length === 1 && sent[0].body.documents.length === 3, `${sent.length} mCreate request(s)`);
    return "3 creates in one interval: 1 mCreate of 3 documents, each call its document";
  },

  async batch_partial_failure() {
    const kuzzle = await connected();
    const { index, collection } = await collectionReady(kuzzle);
    const existing = [{ _id: "a", body: { n: 1 } }, { _id: "c", body: { n: 3 } }];
    await kuzzle.document.mCreate(index, collection, existing, { refresh: "wait_for" });
    const batch = new K.BatchController(kuzzle, { interval: 50 });
    const settled = await within(
      Promise.allSettled(["a", "b", "c"].map((id) => batch.replace(index, collection, id, { n: 0 }))),
      10,
      "batched replaces",
    );
    await batch.dispose();
    const shown = settled.map((s) => (s.status === "fulfilled" ? String(s.value && s.value._id) : "error"));
    assert(shown.join() === "a,error,c", `replace a, b (missing), c settled as ${shown.join()}`);
    return "replace a, b (missing), c settled as a, error, c";
  },

  // --------------------------------------------------------------- security scenarios
  // Same world as fidelity_kb.py's restricted_world(): two indexes, a document in the first,
  // a role/profile/user allowed to read it (restrictedTo), logged in.

  async security_objects() {
    const admin = await asAdmin();
    const roleId = unique("role");
    const profileId = unique("profile");
    const userIds = [unique("user"), unique("user"), unique("user")].sort();
    const role = await within(admin.security.createRole(roleId, readerRole()), 10, "createRole");
    assert(role._id === roleId && role.controllers.document.actions.get === true, "role");
    const profile = await admin.security.createProfile(profileId, { policies: [{ roleId }] });
    const serialized = JSON.stringify(profile.serialize());
    const expected = JSON.stringify({ _id: profileId, policies: [{ roleId }], rateLimit: 0 });
    assert(serialized === expected, `profile.serialize() ${serialized}`);
    const roles = await within(profile.getRoles(), 10, "profile.getRoles()");
    assert(roles.length === 1 && roles[0]._id === roleId, `getRoles ${roles.map((r) => r._id)}`);
    for (const [n, userId] of userIds.entries()) {
      await admin.security.createUser(userId, { content: { profileIds: [profileId], n } });
    }
    const user = await admin.security.getUser(userIds[0]);
    assert(
      JSON.stringify(user.profileIds) === JSON.stringify([profileId]) && user.content.n === 0,
      `getUser ${JSON.stringify(user.serialize())}`,
    );
    const profiles = await within(user.getProfiles(), 10, "user.getProfiles()");
    assert(profiles.length === 1 && profiles[0]._id === profileId, "getProfiles");
    const users = await admin.security.mGetUsers(userIds);
    assert(JSON.stringify(users.map((u) => u._id).sort()) === JSON.stringify(userIds), "mGetUsers");
    let page = await admin.security.searchUsers({ query: { terms: { profileIds: [profileId] } } }, { size: 2 });
    const sizes = [];
    const found = [];
    while (page) {
      sizes.push(page.hits.length);
      page.hits.forEach((u) => found.push(u._id));
      page = await within(page.next(), 10, "next()");
    }
    assert(
      JSON.stringify(sizes) === "[2,1]" && JSON.stringify(found.sort()) === JSON.stringify(userIds),
      `searchUsers pages ${sizes}`,
    );
    const deleted = await admin.security.mDeleteUsers(userIds);
    assert(JSON.stringify([...deleted].sort()) === JSON.stringify(userIds), `mDeleteUsers ${deleted}`);
    await admin.security.deleteProfile(profileId);
    await admin.security.deleteRole(roleId);
    return "Role, Profile, User objects; getRoles/getProfiles; searchUsers pages 2,1";
  },

  async security_restricted_allowed() {
    const world = await restrictedWorld();
    const { restricted, index } = world;
    const { collection } = cfg.constants;
    const document = await within(restricted.document.get(index, collection, "d1"), 10, "get");
    assert(document._source.n === 1, `get ${JSON.stringify(document)}`);
    const found = await within(restricted.document.search(index, collection, { query: { match_all: {} } }), 10, "search");
    assert(found.total === 1, `search total ${found.total}`);
    const rights = await within(restricted.auth.getMyRights(), 10, "getMyRights");
    const allowed = rights.filter((r) => r.action === "search" && r.value === "allowed");
    assert(allowed.length > 0, `rights ${JSON.stringify(rights)}`);
    return "document get and search allowed on its index";
  },

  async security_forbidden_action() {
    const world = await restrictedWorld();
    const { restricted, index, other } = world;
    const { collection } = cfg.constants;
    const create = await expectError(restricted.document.create(index, collection, { n: 2 }), ...FORBIDDEN);
    const elsewhere = await expectError(restricted.document.search(other, collection, {}), ...FORBIDDEN);
    const adminOnly = await expectError(restricted.security.getUser(world.user), ...FORBIDDEN);
    return `create: ${create}; other index: ${elsewhere}; security: ${adminOnly}`;
  },

  async security_forbidden_subscribe() {
    const world = await restrictedWorld();
    const { restricted, index, other } = world;
    const { collection } = cfg.constants;
    const roomId = await within(restricted.realtime.subscribe(index, collection, {}, () => {}), 10, "subscribe");
    assert(roomId, "no room id");
    const refused = await expectError(restricted.realtime.subscribe(other, collection, {}, () => {}), ...FORBIDDEN);
    return `subscribe on its index; other index: ${refused}`;
  },

  async security_role_change() {
    const world = await restrictedWorld();
    const { admin, restricted, index } = world;
    const { collection } = cfg.constants;
    await expectError(restricted.document.create(index, collection, { n: 2 }), ...FORBIDDEN);
    await within(admin.security.updateRole(world.role, readerRole(true)), 10, "updateRole");
    const created = await within(restricted.document.create(index, collection, { n: 2 }), 10, "create after");
    assert(created._source.n === 2, `create ${JSON.stringify(created)}`);
    return "create forbidden, updateRole, the next create succeeds";
  },

  async security_deleted_user() {
    const world = await restrictedWorld();
    const { admin, restricted, index } = world;
    const { collection } = cfg.constants;
    await within(admin.security.deleteUser(world.user), 10, "deleteUser");
    const token = await expectError(restricted.document.get(index, collection, "d1"), "security.token.invalid", 401);
    let refused = null;
    try {
      await within(
        restricted.auth.login("local", { username: world.username, password: "restricted-pw" }),
        10,
        "login after deletion",
      );
    } catch (error) {
      refused = error;
    }
    assert(refused !== null, "the deleted user could log in again");
    assert(refused.status === 401, `login after deletion: ${refused.id} ${refused.status}`);
    return `next request: ${token}; login refused 401`;
  },
};

// ------------------------------------------------------------------------------ runner

export const scenarioIds = Object.keys(scenarios);

export async function run(id, config) {
  cfg = config;
  const started = performance.now();
  const done = (ok, detail) => ({ ok, detail, seconds: (performance.now() - started) / 1000 });
  const scenario = scenarios[id];
  if (!scenario) return done(false, `no JS implementation of scenario ${id}`);
  try {
    return done(true, String(await scenario()));
  } catch (error) {
    const id_ = error && error.id ? ` [${error.id}]` : "";
    return done(false, `${error && error.message ? error.message : String(error)}${id_}`);
  } finally {
    for (const kuzzle of clients.splice(0)) {
      try {
        kuzzle.disconnect();
      } catch (error) {
        // already closed
      }
    }
  }
}
