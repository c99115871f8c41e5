# ruff: noqa: RUF001  (the table uses typographic signs)
"""Turn one bench run (``bench/run.py``) into a markdown table, a JSON file and a PNG chart.

usage: .venv/bin/python bench/report.py bench/results/bench.json   (re-renders a saved run)
"""

from __future__ import annotations

import json
import statistics
import sys
from pathlib import Path
from typing import Any

Stats = dict[str, float]


def stats(values: list[float]) -> Stats:
    return {"median": statistics.median(values), "min": min(values), "max": max(values), "n": len(values)}


def fmt(s: Stats | None, digits: int = 0, scale: float = 1.0) -> str:
    if s is None:
        return ""
    f = f"{{:,.{digits}f}}"
    return f"{f.format(s['median'] * scale)} ({f.format(s['min'] * scale)}–{f.format(s['max'] * scale)})"


SERVERS = {
    "dev": "the Python dev server",
    "responder": "the minimal responder (bench/responder.mjs, Node + ws)",
}
ROWS = [  # label, suite, kuzzle_browser's client
    ("sequential", "seq", "kb"),
    ("pipelined, 1 in flight", "pipe1", "kb"),
    ("pipelined, 10 in flight", "pipe10", "kb"),
    ("pipelined, 100 in flight", "pipe100", "kb"),
    ("pipelined, 1,000 in flight", "pipe1000", "kb"),
    ("notifications, callback", "notif", "kb_callback"),
    ("notifications, async for", "notif", "kb_async_for"),
]


def summarize(results: dict[str, Any]) -> dict[str, Any]:
    """Medians and ranges of every measurement (per server), the ratios and the target verdicts."""
    reports = results["reports"]
    colds = [r for r in reports if r.get("phase") == "cold"]
    summary: dict[str, Any] = {"throughput": {}, "cold": {}, "memory": None, "targets": []}
    for main in (r for r in reports if r.get("phase") == "main"):
        table = summary["throughput"].setdefault(main["server"], {})
        summary["isolated"] = main.get("isolated")
        for name, by_client in main["results"].items():
            for client, runs in by_client.items():
                entry = table.setdefault(name, {}).setdefault(client, {})
                for key in runs[0]:
                    entry[key] = stats([run[key] for run in runs])
    cold_steps: dict[str, list[float]] = {}
    for cold in colds:
        kb, sdk = cold["kb"], cold["sdk"]
        values = {
            "page: navigation → first script": cold["page"]["script_start"],
            "Pyodide ready (import pyodide.mjs + loadPyodide)": kb["pyodide_ready"],
            "micropip loaded": kb["micropip_loaded"],
            "wheel installed (micropip.install)": kb["wheel_installed"],
            "import kuzzle_browser": kb["imported"],
            "Kuzzle(WebSocket(...)) + connect()": kb["connected"],
            "import + connect (after Pyodide ready and the wheel)": kb["imported"] + kb["connected"],
            "wheel + import + connect (after Pyodide ready)": kb["micropip_loaded"]
            + kb["wheel_installed"]
            + kb["imported"]
            + kb["connected"],
            "JS SDK: kuzzle.js fetch + eval": sdk["bundle_loaded"],
            "JS SDK: new Kuzzle + connect()": sdk["connected"],
        }
        for key, value in values.items():
            cold_steps.setdefault(key, []).append(value)
    summary["cold"] = {key: stats(values) for key, values in cold_steps.items()}
    memory = next((r["memory"] for r in reports if r.get("phase") == "memory"), None)
    if memory is not None:
        summary["memory"] = memory_summary(memory)
    summary["targets"] = targets(summary, results)
    return summary


def memory_summary(memory: dict[str, Any]) -> dict[str, Any]:
    """Per metric: after the warm-up, after the requests, after the notifications, and the spread.

    The spread (max - min over each half of the series, every point after a forced GC)
    is what "flat" means here; growth is last minus first.
    """
    series = memory["series"]
    steps = (len(series) - 1) // 2
    requests, notifications = series[: steps + 1], series[steps:]
    rows = {}
    for key, first in series[0].items():
        if key in ("requests", "notifications") or first is None:
            continue
        by_req = [point[key] for point in requests]
        by_notif = [point[key] for point in notifications]
        rows[key] = {
            "warm": first,
            "after_requests": by_req[-1],
            "after_notifications": by_notif[-1],
            "spread_requests": max(by_req) - min(by_req),
            "spread_notifications": max(by_notif) - min(by_notif),
            "growth": by_notif[-1] - first,
        }
    return {**memory, "rows": rows}


def _median(table: dict[str, Any], name: str, client: str, key: str = "rate") -> float:
    return float(table[name][client][key]["median"])


def ratios(table: dict[str, Any]) -> dict[str, float]:
    """kuzzle_browser / JS SDK, per row of ROWS."""
    return {label: _median(table, name, kb) / _median(table, name, "sdk") for label, name, kb in ROWS}


def targets(summary: dict[str, Any], results: dict[str, Any]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for server, table in summary["throughput"].items():
        worst_label, worst = min(ratios(table).items(), key=lambda item: item[1])
        out.append(
            {
                "target": f"every ratio ≥ 1.0× the JS SDK ({server})",
                "value": f"lowest {worst:.2f}× ({worst_label})",
                "met": worst >= 1.0,
            }
        )
        overhead = _median(table, "seq", "kb", "p50") - _median(table, "seq", "raw", "p50")
        out.append(
            {
                "target": f"sequential p50 overhead over raw JS ≤ 0.1 ms ({server})",
                "value": f"{overhead:+.3f} ms",
                "met": overhead <= 0.1,
            }
        )
    if summary["cold"]:
        cold = summary["cold"]["import + connect (after Pyodide ready and the wheel)"]["median"]
        out.append({"target": "import + connect ≤ 100 ms", "value": f"{cold:.0f} ms", "met": cold <= 100})
    wheel, bundle = results["wheel"]["bytes"], results["sdk_bundle_bytes"]
    out.append(
        {"target": f"wheel < JS bundle ({bundle:,} B)", "value": f"{wheel:,} B", "met": wheel < bundle}
    )
    memory = summary["memory"]
    if memory is not None:
        rows = memory["rows"]
        proxies = rows["live_proxies"]["growth"]
        out.append({"target": "zero growth in live proxies", "value": f"{proxies:+d}", "met": proxies == 0})
        traced = rows["py_traced_bytes"]["growth"]
        out.append(
            {
                "target": "Python heap (tracemalloc) flat: growth < 100 kB",
                "value": f"{traced:+,} B",
                "met": traced < 100_000,
            }
        )
        heap = rows["js_heap_bytes"]
        spread = max(heap["spread_requests"], heap["spread_notifications"]) / heap["warm"]
        out.append(
            {
                "target": "JS heap flat: every post-GC reading within 5 % of each other",
                "value": f"{100 * spread:.1f} %",
                "met": spread < 0.05,
            }
        )
    return out


def throughput_table(results: dict[str, Any], server: str, t: dict[str, Any]) -> list[str]:
    plan = results["plan"]
    out = [
        f"### Against {SERVERS.get(server, server)}",
        "",
        "| measurement | raw JS WebSocket | official kuzzle-sdk 7.17.1 | kuzzle_browser "
        "| kb / SDK | kb / raw |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]

    def row(label: str, name: str, key: str, kb: str = "kb", digits: int = 0, ratio: bool = True) -> None:
        by = t[name]
        cells = [fmt(by[c][key], digits) if c in by else "" for c in ("raw", "sdk", kb)]
        ratios = ["", ""]
        if ratio:
            k = by[kb][key]["median"]
            ratios = [f"{k / by[c][key]['median']:.2f}" if c in by else "" for c in ("sdk", "raw")]
        out.append(f"| {label} | {' | '.join(cells)} | {' | '.join(ratios)} |")

    row(f"sequential `server:now`, rt/s ({plan['seq_n']:,} one at a time)", "seq", "rate")
    row("sequential, p50 latency, ms", "seq", "p50", digits=3, ratio=False)
    row("sequential, p99 latency, ms", "seq", "p99", digits=3, ratio=False)
    for w in plan["windows"]:
        row(f"pipelined, {w:,} in flight, req/s", f"pipe{w}", "rate")
    row(f"notifications ({plan['notif_n']:,} blast), callback, /s", "notif", "rate", kb="kb_callback")
    row("notifications, `async for` subscriber, /s", "notif", "rate", kb="kb_async_for")
    echo = t["echo"]
    out.append(
        "| raw limit: raw JS vs the echo endpoint, sequential rt/s "
        f"| {fmt(echo['raw_seq']['rate'])} | | | | |"
    )
    out.append(
        f"| raw limit: sequential p50 / p99, ms | {fmt(echo['raw_seq']['p50'], 3)} / "
        f"{fmt(echo['raw_seq']['p99'], 3)} | | | | |"
    )
    out.append(
        f"| raw limit: raw JS vs the echo endpoint, 100 in flight, msg/s | {fmt(echo['raw_pipe100']['rate'])}"
        " | | | | |"
    )
    variant = plan.get("variant")
    if variant:
        out += [
            "",
            f"Same run, kuzzle_browser / JS SDK: the shipped transport vs `{variant}` (bench/README.md):",
            "",
            f"| row | shipped | {variant} |",
            "| --- | ---: | ---: |",
        ]
        for label, name, kb in ROWS:
            other = f"kb_{variant}" + kb[2:]
            sdk = _median(t, name, "sdk")
            shipped, compared = _median(t, name, kb) / sdk, _median(t, name, other) / sdk
            out.append(f"| {label} | {shipped:.2f} | {compared:.2f} |")
    return [*out, ""]


def memory_table(memory: dict[str, Any]) -> list[str]:
    out = [
        f"Memory, kuzzle_browser against the responder: after a warm-up, then {memory['requests']:,} "
        f"requests (100 in flight; {memory['seconds']['requests']:.0f} s), then {memory['notifications']:,} "
        f"notifications (callback; {memory['seconds']['notifications']:.0f} s), a reading after every tenth, "
        "each after gc.collect() and the JS gc() until the heap stops falling (tracemalloc on: "
        "slower than the tables above). Spread = max − min over the readings of that half:",
        "",
        "| metric | after warm-up | after requests | after notifications | spread, requests | "
        "spread, notifications |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for key, r in memory["rows"].items():
        out.append(
            f"| {key} | {r['warm']:,} | {r['after_requests']:,} | {r['after_notifications']:,} | "
            f"{r['spread_requests']:,} | {r['spread_notifications']:,} |"
        )
    return [*out, ""]


def markdown(results: dict[str, Any], summary: dict[str, Any]) -> str:
    plan = results["plan"]
    out = [f"## kuzzle_browser vs official kuzzle-sdk vs raw browser WebSocket ({results['started']})", ""]
    if summary["throughput"]:
        out += [
            f"One headless Chromium (no automation attached), {plan['reps']} interleaved repetitions; "
            f"median (min–max). {results['machine']['chromium']}, {results['machine']['cpus']} CPUs. "
            f"Cross-origin isolated page: {summary.get('isolated')}. ws {results.get('ws_package')}.",
            "",
        ]
    for server, table in summary["throughput"].items():
        out += throughput_table(results, server, table)
    if summary["cold"]:
        out += [
            "Cold start, ms (one page load each, median (min–max) over "
            f"{plan['cold_reps']}); wheel {results['wheel']['bytes']:,} B, "
            f"kuzzle.js {results['sdk_bundle_bytes']:,} B:",
            "",
            "| step | ms |",
            "| --- | ---: |",
        ]
        out += [f"| {key} | {fmt(s, 1)} |" for key, s in summary["cold"].items()]
        out.append("")
    if summary["memory"] is not None:
        out += memory_table(summary["memory"])
    out += ["| target | value | met |", "| --- | ---: | :---: |"]
    for target in summary["targets"]:
        out.append(f"| {target['target']} | {target['value']} | {'yes' if target['met'] else '**no**'} |")
    return "\n".join(out) + "\n"


def chart(summary: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(9, 4.5))
    servers = list(summary["throughput"].items())
    width = 0.8 / max(1, len(servers))
    for i, (server, table) in enumerate(servers):
        values = list(ratios(table).values())
        x = [j + (i - (len(servers) - 1) / 2) * width for j in range(len(ROWS))]
        ax.bar(x, values, width, label=f"kuzzle_browser / JS SDK, {server}")
    ax.axhline(1.0, color="red", linestyle="--", linewidth=1, label="target 1.0× JS SDK")
    ax.set_xticks(list(range(len(ROWS))), [label.replace(", ", "\n") for label, _, _ in ROWS], fontsize=8)
    ax.set_ylabel("throughput ratio (median)")
    ax.set_title("kuzzle_browser (Pyodide) throughput relative to the official JS SDK, same Chromium run")
    ax.legend(loc="upper right", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write_report(results: dict[str, Any], out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    summary = summarize(results)
    table = markdown(results, summary)
    (out / "bench.json").write_text(json.dumps({**results, "summary": summary}, indent=1) + "\n")
    (out / "bench.md").write_text(table)
    try:
        if summary["throughput"]:
            chart(summary, out / "bench.png")
    except ImportError:
        print("(matplotlib missing: no chart; pip install -r bench/requirements.txt)", file=sys.stderr)
    print(table)
    print(f"written: {out / 'bench.json'}, {out / 'bench.md'}, {out / 'bench.png'}")


if __name__ == "__main__":
    saved = json.loads(Path(sys.argv[1]).read_text())
    saved.pop("summary", None)
    write_report(saved, Path(sys.argv[1]).parent)
