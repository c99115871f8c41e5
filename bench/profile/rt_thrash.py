# ruff: noqa
import asyncio, json, time, sys, cProfile, pstats, io
from kuzzle_browser import Kuzzle, WebSocket
from kuzzle_browser.transport.mock import MockTransport

N = 3000
NOW = {"controller": "server", "action": "now"}
transport = MockTransport()
kuzzle = Kuzzle(WebSocket("k.test", transport=transport))
await kuzzle.connect()
sock = transport.socket
sent = []
sock.send = sent.append
listener = sock._listener if hasattr(sock, "_listener") else sock.listener
TEMPLATE = ('{"requestId":"%s","status":200,"error":null,"controller":"server","action":"now",'
            '"volatile":null,"room":"%s","result":{"now":1764132000000}}')
loop = asyncio.get_running_loop()
done = loop.create_future()

async def seq(n):
    for _ in range(n):
        await kuzzle.query(NOW)

import js
thrash = js.Function.new('a', 'let s = 0; for (let i = 0; i < a.length; i += 16) { s += a[i]; a[i] = s; } return s;')
buf = js.Float64Array.new(1 << 20)
total_thrash = [0.0]
def drive(n, prof=None, th=False):
    if prof: prof.enable()
    t = time.perf_counter()
    for _ in range(n):
        if th:
            t1 = time.perf_counter(); thrash(buf); total_thrash[0] += time.perf_counter() - t1
        text = sent.pop()
        i = text.index('"requestId": "') + 14 if '"requestId": "' in text else text.index('"requestId":"') + 13
        rid = text[i:text.index('"', i)]
        listener.socket_message(TEMPLATE % (rid, rid))
    el = time.perf_counter() - t
    if prof: prof.disable()
    done.set_result(el - total_thrash[0]); total_thrash[0] = 0.0

out = {}
for label, prof, th in [(f"{k}{i}", None, k == "cold") for i in range(6) for k in ("warm", "cold")]:
    done = loop.create_future()
    task = asyncio.ensure_future(seq(N + 1))
    await asyncio.sleep(0)  # first send
    loop.call_soon(drive, N, prof, th)
    el = await done
    sent.clear()
    task.cancel()
    try: await task
    except asyncio.CancelledError: pass
    out[label] = round(el / N * 1e6, 2)
    if prof:
        s = io.StringIO(); pstats.Stats(prof, stream=s).sort_stats("tottime").print_stats(25); out["prof"] = s.getvalue()
# driver's own cost
t = time.perf_counter()
text = '{"controller":"server","action":"now","requestId":"abcdef0123456789abcdef0123456789-1","volatile":{}}'
for _ in range(N):
    i = text.index('"requestId": "') + 14 if '"requestId": "' in text else text.index('"requestId":"') + 13
    rid = text[i:text.index('"', i)]
    s = TEMPLATE % (rid, rid)
out["driver"] = round((time.perf_counter() - t) / N * 1e6, 2)

mins = {k: min(v for kk, v in out.items() if kk.startswith(k)) for k in ('warm', 'cold')}
json.dumps(mins)
