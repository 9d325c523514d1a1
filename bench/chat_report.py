"""How the chat benchmark prints what it measured: foodbot beside the bare bot, and the ratios
the goals of issue 11 are about."""

from __future__ import annotations

from typing import Any

from bench.report import print_rows

BARE = "bare PTB bot"
FLOOR = "bare PTB bot + foodbot's libraries"
BUDGET = 30.0  # Telegram's messages a second per bot


def _ratio(a: float | None, b: float | None) -> float | None:
    return round(a / b, 2) if a is not None and b else None


def ratios(results: dict[str, dict[str, Any]]) -> dict[str, dict[str, float | None]]:
    """Each foodbot target against the bare bot of the same variant."""
    found: dict[str, dict[str, float | None]] = {}
    for variant, by_target in results.items():
        bare = by_target.get(BARE)
        if bare is None:
            continue
        for name, r in by_target.items():
            if name != BARE and "failed" not in r and "failed" not in bare:
                found[f"{variant}: {name}"] = {
                    "cpu_per_update": _ratio(r["cpu_ms_per_update"], bare["cpu_ms_per_update"]),
                    "updates_per_s": _ratio(r["updates_per_s"], bare["updates_per_s"]),
                    "idle_rss": _ratio(r["idle_rss_mb"], bare["idle_rss_mb"]),
                    "p99": _ratio(r["p99_ms"], bare["p99_ms"]),
                }
    return found


def above_floor(results: dict[str, dict[str, Any]]) -> dict[str, float | None]:
    """Each foodbot target's idle RSS against the bare bot with foodbot's libraries loaded:
    the memory foodbot's own code and state add to what its stack takes anyway."""
    by_target = results.get("off", {})
    floor = by_target.get(FLOOR)
    if floor is None or "failed" in floor:
        return {}
    return {f"off: {name}": _ratio(r["idle_rss_mb"], floor["idle_rss_mb"])
            for name, r in by_target.items()
            if name not in (BARE, FLOOR) and "failed" not in r}


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:g} ms"


def _cpu(r: dict[str, Any]) -> str:
    lb = r.get("balancer_cpu_ms_per_update")
    return f"{r['cpu_ms_per_update']} CPU ms/upd" + (
        "" if lb is None else f" (HAProxy's {lb} included)")


def _rss(r: dict[str, Any]) -> str:
    each = r.get("peak_rss_each_mb") or []
    if len(each) < 2:
        return f"RSS idle {r['idle_rss_mb']} MB, peak {r['peak_rss_mb']} MB"
    return (f"RSS idle {r['idle_rss_mb']} MB ({' + '.join(map(str, r['idle_rss_each_mb']))}), "
            f"peak {r['peak_rss_mb']} MB ({' + '.join(map(str, each))})")


def _line(variant: str, r: dict[str, Any]) -> str:
    if "failed" in r:
        return f"failed: {r['failed']}"
    late = f", {r['unanswered']} unanswered" if r["unanswered"] else ""
    if variant == "count":
        return f"{r['queries_per_update']} queries per update ({r['answered']} updates)"
    if variant == "kill":
        return (f"{r['killed']} killed halfway: {r['updates']} steps, {r['unanswered']} "
                f"unanswered, p50 {_ms(r['p50_ms'])} p99 {_ms(r['p99_ms'])}; "
                f"{r['taken_over']} updates taken over from it, {r['not_done_at_end']} "
                "not done at the end")
    head = (f"{r['updates_per_s']} upd/s, {_cpu(r)}, "
            f"p50 {_ms(r['p50_ms'])} p99 {_ms(r['p99_ms'])}{late}")
    if variant == "off":
        return f"{head}; {_rss(r)}; {r['bot_calls_per_update']} visible calls/upd"
    if variant == "on":
        return (f"{head}; {r['http_429']} 429s; {r['orders_placed']} placed, "
                f"{r['deliveries']} delivered")
    return (f"calm users p50 {_ms(r['p50_ms'])} p99 {_ms(r['p99_ms'])}{late}; flood "
            f"{r['flood_sent']} sent, {r['flood_answered']} answers; {r['http_429']} 429s")


def print_table(result: dict[str, Any]) -> None:
    databases = {"polling": f"{result['database']} (polling)",
                 "cluster": f"PostgreSQL (cluster: HAProxy, {result['cluster_instances']} "
                            "webhook instances"
                            f"{', one Redis' if result.get('cluster_redis') else ''})"}
    rows = [("foodbot's database", "; ".join(databases[t] for t in result["targets"])),
            ("users", f"{result['customers']} customers, {result['partners']} partners "
             f"({result['calm_customers']} calm customers beside the flooder); "
             f"{result['seconds']:g} s a run")]
    for variant, by_target in result["results"].items():
        for name, r in by_target.items():
            rows.append((f"{variant}: {name}", _line(variant, r)))
    for name, q in result["ratios"].items():
        rows.append((f"{name} / bare", ", ".join(
            f"{k.replace('_', ' ')} x{v}" for k, v in q.items() if v is not None)))
    for name, ratio in result["rss_above_libraries"].items():
        rows.append((f"{name} / libraries", f"idle rss x{ratio}"))
    on = result["results"].get("on", {})
    for name, r in on.items():
        if name != BARE and "failed" not in r:
            rows.append((f"limits on: {name}", f"{r['updates_per_s']} answered actions/s "
                         f"= {r['updates_per_s'] / BUDGET:.0%} of Telegram's {BUDGET:g}/s, "
                         f"{r['http_429']} 429s"))
    m = result["machine"]
    rows.append(("machine", f"{m['cores']} cores, Python {m['python']}, SQLite {m['sqlite']}; "
                 f"3e6-square sum in {m['cpu_check_s']} s; load average before "
                 + " ".join(f"{x:g}" for x in result["load_average"])))
    print_rows(rows)
