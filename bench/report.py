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


def summarize(results: dict[str, Any]) -> dict[str, Any]:
    """Medians and ranges of every measurement, the ratios and the target verdicts."""
    reports = results["reports"]
    main = next(r for r in reports if r.get("phase") == "main")
    colds = [r for r in reports if r.get("phase") == "cold"]
    summary: dict[str, Any] = {"throughput": {}, "cold": {}, "memory": {}, "targets": []}
    for name, by_client in main["results"].items():
        for client, runs in by_client.items():
            entry = summary["throughput"].setdefault(name, {}).setdefault(client, {})
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
    summary["memory"] = memory_summary(main["memory"])
    summary["sdk_memory"] = main.get("sdk_memory")
    summary["isolated"] = main.get("isolated")
    summary["targets"] = targets(summary, results)
    return summary


def _heap_base(key: str, before: dict[str, Any]) -> float:
    # tracemalloc only counts what was allocated since tracing started (a few kB), not
    # the heap: Python's heap in Pyodide lives in the wasm memory, so relate its growth
    # to that; every other metric to its own starting value.
    return float(before["wasm_memory_bytes"] if key == "py_traced_bytes" else before[key])


def memory_summary(memory: dict[str, Any]) -> dict[str, Any]:
    before, after_r, after_n = memory["before"], memory["after_requests"], memory["after_notifications"]
    rows = {}
    for key in before:
        if before[key] is None:
            continue
        per_req = (after_r[key] - before[key]) / memory["requests"] * 10_000
        per_notif = (after_n[key] - after_r[key]) / memory["notifications"] * 10_000
        rows[key] = {
            "before": before[key],
            "after_requests": after_r[key],
            "after_notifications": after_n[key],
            "growth_per_10k_requests": per_req,
            "growth_per_10k_notifications": per_notif,
            "growth_pct_per_100k_requests": 100
            * (after_r[key] - before[key])
            / _heap_base(key, before)
            * 100_000
            / memory["requests"]
            if _heap_base(key, before)
            else 0.0,
        }
    return {
        "rows": rows,
        "rates": memory["rates"],
        "requests": memory["requests"],
        "notifications": memory["notifications"],
    }


def _median(summary: dict[str, Any], name: str, client: str, key: str = "rate") -> float:
    return float(summary["throughput"][name][client][key]["median"])


def targets(summary: dict[str, Any], results: dict[str, Any]) -> list[dict[str, Any]]:
    t = summary["throughput"]
    pipe = _median(summary, "pipe100", "kb") / _median(summary, "pipe100", "sdk")
    notif_cb = _median(summary, "notif", "kb_callback") / _median(summary, "notif", "sdk")
    notif_it = _median(summary, "notif", "kb_async_for") / _median(summary, "notif", "sdk")
    overhead = _median(summary, "seq", "kb", "p50") - _median(summary, "seq", "raw", "p50")
    cold = summary["cold"]["import + connect (after Pyodide ready and the wheel)"]["median"]
    wheel = results["wheel"]["bytes"]
    rows = summary["memory"]["rows"]
    proxies = rows["live_proxies"]
    proxy_growth = max(proxies["after_requests"], proxies["after_notifications"]) - proxies["before"]
    heap = rows["py_traced_bytes"]["growth_pct_per_100k_requests"]
    del t
    return [
        {"target": "pipelined, 100 in flight ≥ 0.7× JS SDK", "value": f"{pipe:.2f}×", "met": pipe >= 0.7},
        {
            "target": "notifications, callback ≥ 0.7× JS SDK",
            "value": f"{notif_cb:.2f}×",
            "met": notif_cb >= 0.7,
        },
        {
            "target": "notifications, async for ≥ 0.7× JS SDK",
            "value": f"{notif_it:.2f}×",
            "met": notif_it >= 0.7,
        },
        {
            "target": "sequential p50 overhead over raw JS ≤ 0.1 ms",
            "value": f"{overhead:+.3f} ms",
            "met": overhead <= 0.1,
        },
        {
            "target": "import + connect ≤ 250 ms after Pyodide ready",
            "value": f"{cold:.0f} ms",
            "met": cold <= 250,
        },
        {"target": "wheel ≤ 60 kB", "value": f"{wheel:,} B", "met": wheel <= 60_000},
        {"target": "zero growth in live proxies", "value": f"{proxy_growth:+d}", "met": proxy_growth == 0},
        {
            "target": "Python heap growth < 1 % per 100,000 requests",
            "value": f"{heap:+.2f} %",
            "met": heap < 1.0,
        },
    ]


def markdown(results: dict[str, Any], summary: dict[str, Any]) -> str:
    t = summary["throughput"]
    plan = results["plan"]
    reps = plan["reps"]
    out = [f"## kuzzle_browser vs official kuzzle-sdk vs raw browser WebSocket ({results['started']})", ""]
    out.append(
        f"One headless Chromium (no automation attached), one server process (the Python dev server), "
        f"{reps} interleaved repetitions; median (min–max). {results['machine']['chromium']}, "
        f"{results['machine']['cpus']} CPUs. Cross-origin isolated page: {summary['isolated']}."
    )
    out += [
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
            ratios = [
                f"{k / by['sdk'][key]['median']:.2f}" if "sdk" in by else "",
                f"{k / by['raw'][key]['median']:.2f}" if "raw" in by else "",
            ]
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
    out += [
        "",
        "Cold start, ms (one page load each, median (min–max) over "
        f"{plan['cold_reps']}); wheel {results['wheel']['bytes']:,} B, "
        f"kuzzle.js {results['sdk_bundle_bytes']:,} B:",
        "",
        "| step | ms |",
        "| --- | ---: |",
    ]
    for key, s in summary["cold"].items():
        out.append(f"| {key} | {fmt(s, 1)} |")
    mem = summary["memory"]
    out += [
        "",
        f"Memory, kuzzle_browser: after warm-up, after {mem['requests']:,} requests (100 in flight), "
        f"after {mem['notifications']:,} notifications (callback); gc.collect() and the JS gc() first:",
        "",
        "| metric | before | after requests | after notifications | growth / 10k requests | "
        "growth / 10k notifications | % per 100k requests |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for key, r in mem["rows"].items():
        out.append(
            f"| {key} | {r['before']:,} | {r['after_requests']:,} | {r['after_notifications']:,} | "
            f"{r['growth_per_10k_requests']:+,.1f} | {r['growth_per_10k_notifications']:+,.1f} | "
            f"{r['growth_pct_per_100k_requests']:+.2f} % |"
        )
    out += ["", "| target | value | met |", "| --- | ---: | :---: |"]
    for target in summary["targets"]:
        out.append(f"| {target['target']} | {target['value']} | {'yes' if target['met'] else '**no**'} |")
    return "\n".join(out) + "\n"


def chart(summary: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    t = summary["throughput"]
    labels, vs_sdk, vs_raw = [], [], []
    for label, name, kb in [
        ("seq", "seq", "kb"),
        ("pipe 1", "pipe1", "kb"),
        ("pipe 10", "pipe10", "kb"),
        ("pipe 100", "pipe100", "kb"),
        ("pipe 1000", "pipe1000", "kb"),
        ("notif cb", "notif", "kb_callback"),
        ("notif async for", "notif", "kb_async_for"),
    ]:
        k = t[name][kb]["rate"]["median"]
        labels.append(label)
        vs_sdk.append(k / t[name]["sdk"]["rate"]["median"])
        vs_raw.append(k / t[name]["raw"]["rate"]["median"])
    fig, ax = plt.subplots(figsize=(9, 4.5))
    x = range(len(labels))
    ax.bar([i - 0.2 for i in x], vs_sdk, 0.4, label="kuzzle_browser / official JS SDK")
    ax.bar([i + 0.2 for i in x], vs_raw, 0.4, label="kuzzle_browser / raw JS WebSocket")
    ax.axhline(0.7, color="red", linestyle="--", linewidth=1, label="target 0.7× JS SDK")
    ax.axhline(1.0, color="grey", linewidth=0.8)
    ax.set_xticks(list(x), labels)
    ax.set_ylabel("throughput ratio (median)")
    ax.set_title("kuzzle_browser (Pyodide) throughput relative to JS, same Chromium run")
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
        chart(summary, out / "bench.png")
    except ImportError:
        print("(matplotlib missing: no chart; pip install -r bench/requirements.txt)", file=sys.stderr)
    print(table)
    print(f"written: {out / 'bench.json'}, {out / 'bench.md'}, {out / 'bench.png'}")


if __name__ == "__main__":
    saved = json.loads(Path(sys.argv[1]).read_text())
    saved.pop("summary", None)
    write_report(saved, Path(sys.argv[1]).parent)
