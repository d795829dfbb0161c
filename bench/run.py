"""Run the benchmarks, each case in a fresh child process, and print the results as markdown tables.

    .venv/bin/python bench/run.py            # everything, best of 3 (about 8 minutes on 2 cores)
    .venv/bin/python bench/run.py --quick    # N = 10 and 120 only, once each, no Prefect flow (~10 s)
    .venv/bin/python bench/run.py --only compile,send --repeat 5

Results go to bench/results/<date-time>.json and bench/results/latest.json (git-ignored). Cases are run in
rounds (every case once, then every case again, ...) so a burst of other work on the machine spreads over
all of them; for each case the fastest round is reported (wall clock), with its CPU time and the largest
peak RSS seen. See bench/README.md for what each case measures.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

BENCH = Path(__file__).resolve().parent
RESULTS = BENCH / "results"
CASES = BENCH / "cases.py"
SIZES = (10, 120, 500, 1000)
QUICK_SIZES = (10, 120)


def machine() -> dict:
    info = {
        "date": datetime.now().strftime("%Y-%m-%d %H:%M"),
        "nproc": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }
    try:
        meminfo = Path("/proc/meminfo").read_text()
        info["ram_gb"] = round(int(meminfo.split("MemTotal:")[1].split()[0]) / 2**20, 1)
        cpuinfo = Path("/proc/cpuinfo").read_text()
        info["cpu"] = next(line.split(":", 1)[1].strip() for line in cpuinfo.splitlines() if line.startswith("model name"))
    except (OSError, StopIteration, IndexError):
        pass
    try:
        from importlib.metadata import version

        info["versions"] = {p: version(p) for p in ("docxtpl", "docxcompose", "python-docx", "lxml", "prefect", "aiosmtpd")}
    except Exception as exc:  # noqa: BLE001 - informational only
        info["versions"] = f"unknown ({exc})"
    return info


def load() -> float:
    return os.getloadavg()[0]


def run_case(case: str, n: int = 0, env: dict | None = None, timeout: int = 900) -> dict:
    command = [sys.executable, str(CASES), case, str(n)]
    started = time.perf_counter()
    done = subprocess.run(
        command, capture_output=True, text=True, env={**os.environ, **(env or {})}, timeout=timeout, check=False
    )
    process_seconds = time.perf_counter() - started
    line = next((l for l in done.stdout.splitlines() if l.startswith("BENCH-RESULT ")), None)
    if done.returncode != 0 or line is None:
        sys.stderr.write(done.stdout[-3000:] + done.stderr[-3000:])
        raise SystemExit(f"case {case} {n} failed (exit {done.returncode})")
    result = json.loads(line.removeprefix("BENCH-RESULT "))
    result["process_seconds"] = round(process_seconds, 3)
    result["load"] = round(load(), 2)
    return result


def plan(quick: bool, only: set[str] | None) -> list[tuple[str, str, int, dict]]:
    """(group, case, n, env) in the order of one round."""
    sizes = QUICK_SIZES if quick else SIZES
    items = []
    for n in sizes:
        items += [("compile", "compile", n, {}), ("compile", "bare", n, {}), ("compile", "compile-docxcompose", n, {})]
    for n in sizes:
        items += [("realistic", "compile-realistic", n, {}), ("realistic", "bare-realistic", n, {})]
    items += [("realistic", "process-compile", 120, {}), ("realistic", "process-bare", 120, {})]
    # Issue 21's independent run: six paragraphs and a table in every draft, whole processes.
    items += [("tabled", "process-compile-tabled", 120, {}), ("tabled", "process-bare-tabled", 120, {})]
    items += [("cli", "cli-compile", 0, {}), ("send", "send", 300, {})]
    if not quick:
        items += [
            ("flow", "prefect-startup", 0, {}),
            ("flow", "plain-steps", 10, {}),
            ("flow", "flow", 10, {}),
            ("flow", "flow-poll1", 10, {}),
        ]
    return [item for item in items if only is None or item[0] in only or item[1] in only]


def best(runs: list[dict]) -> dict:
    chosen = dict(min(runs, key=lambda r: r["seconds"]))
    chosen["runs"] = len(runs)
    chosen["all_seconds"] = [r["seconds"] for r in runs]
    chosen["peak_rss_mb"] = max(r.get("peak_rss_mb", 0) for r in runs)
    return chosen


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="N = 10 and 120, one round, no Prefect flow")
    parser.add_argument("--repeat", type=int, help="rounds (default 3; 1 with --quick)")
    parser.add_argument("--only", help="comma-separated groups or cases: compile, cli, send, flow, bare, ...")
    args = parser.parse_args(argv)
    rounds = args.repeat or (1 if args.quick else 3)
    only = set(args.only.split(",")) if args.only else None
    items = plan(args.quick, only)

    info = machine()
    info["load_before"] = round(load(), 2)
    print(f"machine: {info}", file=sys.stderr)
    print("preparing drafts ...", file=sys.stderr)
    subprocess.run([sys.executable, str(CASES), "prepare", "1000"], check=True)
    if any(group == "flow" for group, *_ in items):
        print("initialising the bench PREFECT_HOME (first start creates the database; not measured) ...", file=sys.stderr)
        run_case("prefect-startup")

    collected: dict[tuple[str, int], list[dict]] = {}
    for round_number in range(1, rounds + 1):
        for group, case, n, env in items:
            result = run_case(case, n, env)
            collected.setdefault((case, n), []).append(result)
            print(f"round {round_number}/{rounds} {case:20s} n={n:<5d} {result['seconds']:8.3f} s  "
                  f"rss {result.get('peak_rss_mb', 0):6.1f} MB  load {result['load']}", file=sys.stderr)
    info["load_after"] = round(load(), 2)
    results = {f"{case}:{n}": best(runs) for (case, n), runs in collected.items()}

    RESULTS.mkdir(parents=True, exist_ok=True)
    payload = {"machine": info, "rounds": rounds, "quick": args.quick, "results": results}
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    for target in (RESULTS / f"{stamp}.json", RESULTS / "latest.json"):
        target.write_text(json.dumps(payload, ensure_ascii=False, indent=2), encoding="utf-8")
    print(report(payload))


# -- markdown ------------------------------------------------------------------------------------------------
def report(payload: dict) -> str:
    info, results = payload["machine"], payload["results"]
    get = lambda case, n=0: results.get(f"{case}:{n}")
    machine_line = (
        f"Machine: {info.get('nproc')} cores ({info.get('cpu', '?')}), {info.get('ram_gb', '?')} GB RAM, "
        f"Python {info.get('python')}, {info.get('date')}; load average {info.get('load_before')} before, "
        f"{info.get('load_after')} after; best of {payload['rounds']} round(s)."
    )
    out = [machine_line, ""]
    sizes = sorted({int(key.split(":")[1]) for key in results if key.startswith("compile:")})
    if sizes:
        out += [
            (
                "| drafts | compile (s) | CPU (s) | ms/draft | peak RSS (MB) | bare docxcompose (s) | peak RSS (MB) | "
                "compile ÷ bare | compile with docxcompose's Composer (s) |"
            ),
            "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for n in sizes:
            c, b, d = get("compile", n), get("bare", n), get("compile-docxcompose", n)
            ratio = f"{c['seconds'] / b['seconds']:.2f}" if c and b else "–"
            out.append(
                f"| {n} | {_s(c)} | {_cpu(c)} | {c['seconds'] / n * 1000:.1f} | {_rss(c)} | {_s(b)} | {_rss(b)} | "
                f"{ratio} | {_s(d)} |"
            )
        out.append("")
    rsizes = sorted({int(key.split(":")[1]) for key in results if key.startswith("compile-realistic:")})
    if rsizes:
        out += [
            "Realistic drafts (python-docx's default template as it is: 349 KB styles.xml, theme, numbering...):",
            "",
            "| drafts | compile (s) | CPU (s) | ms/draft | peak RSS (MB) | bare docxcompose (s) | peak RSS (MB) | compile ÷ bare |",
            "|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for n in rsizes:
            c, b = get("compile-realistic", n), get("bare-realistic", n)
            ratio = f"{c['seconds'] / b['seconds']:.2f}" if c and b else "–"
            out.append(f"| {n} | {_s(c)} | {_cpu(c)} | {c['seconds'] / n * 1000:.1f} | {_rss(c)} | {_s(b)} | {_rss(b)} | {ratio} |")
        out.append("")
    for suffix, label in (("", "120 realistic drafts"), ("-tabled", "120 drafts with a table each")):
        pc, pb = get(f"process-compile{suffix}", 120), get(f"process-bare{suffix}", 120)
        if pc and pb:
            cpu = f"{pc['cpu'] / pb['cpu']:.2f}" if "cpu" in pc and "cpu" in pb else "–"
            out += [
                f"| whole process, {label} | wall (s) | CPU (s) | peak RSS (MB) |", "|---|---:|---:|---:|",
                f"| `bulletin compile` | {pc['seconds']:.2f} | {_cpu(pc)} | {pc['peak_rss_mb']:.0f} |",
                f"| bare docxcompose concatenation (`python -c`) | {pb['seconds']:.2f} | {_cpu(pb)} | "
                f"{pb['peak_rss_mb']:.0f} |",
                f"| ratio | {pc['seconds'] / pb['seconds']:.2f} | {cpu} | |",
                "",
            ]
    cli, send = get("cli-compile"), get("send", 300)
    if cli or send:
        out += ["| case | wall (s) | details |", "|---|---:|---|"]
        if cli:
            out.append(
                f"| `bulletin compile`, {cli['n']}-draft example (whole process) | {cli['seconds']:.2f} | "
                f"peak RSS {cli['peak_rss_mb']} MB; imports {cli['import_total_s']} s; Prefect modules imported: "
                f"{cli['prefect_modules']} |"
            )
        if send:
            out.append(
                f"| `send_bulletin` to 300 recipients, aiosmtpd on 127.0.0.1 | {send['seconds']:.2f} | "
                f"{send['connections']} SMTP connection(s), {send['messages']} messages, {send['delivered']} delivered; "
                f"attachment {send['attachment_kb']} KB |"
            )
        out.append("")
    startup, plain, flow, fast = get("prefect-startup"), get("plain-steps", 10), get("flow", 10), get("flow-poll1", 10)
    if flow or startup:
        out += ["| Prefect, embedded mode | wall (s) | details |", "|---|---:|---|"]
        if startup:
            out.append(
                f"| fixed start-up: `import prefect` + first (empty) flow run | {startup['seconds']:.2f} | "
                f"import {startup['import_s']} s, temporary server + first run {startup['first_flow_s']} s; "
                f"a second empty run in the same process {startup['next_flow_s']} s |"
            )
        if plain:
            out.append(f"| the same work without Prefect (compile 10, review mail, approve, send to 10) | "
                       f"{plain['seconds']:.2f} | |")
        for row, label in ((flow, "as shipped"), (fast, "PAUSE_POLL_SECONDS set to 1")):
            if row:
                out.append(
                    f"| whole flow, 10 drafts, approved at once ({label}: pause poll {row['poll_interval_s']:g} s) | "
                    f"{row['seconds']:.2f} | import {row['import_s']} s; start → waiting for approval "
                    f"{row['until_waiting_s']} s; approve + resume {row['approve_resume_s']} s; resume → end "
                    f"{row['after_resume_s']} s; {row['connections']} SMTP connections |"
                )
        out.append("")
    out.append(targets(results))
    return "\n".join(out)


def targets(results: dict) -> str:
    get = lambda key: results.get(key)
    lines = ["Targets:"]
    c120, b120 = get("compile:120"), get("bare:120")
    if c120 and b120:
        ratio = c120["seconds"] / b120["seconds"]
        lines.append(f"- compile 120 ≤ 1.0 × bare docxcompose: {ratio:.2f} × ({_ok(ratio <= 1.0)})")
    c1000, c500 = get("compile:1000"), get("compile:500")
    if c1000:
        lines.append(f"- compile 1000 < 25 s: {c1000['seconds']:.2f} s ({_ok(c1000['seconds'] < 25)})")
        lines.append(f"- peak RSS at 1000 < 500 MB: {c1000['peak_rss_mb']} MB ({_ok(c1000['peak_rss_mb'] < 500)})")
        if c120 and c500:
            early = (c500["seconds"] - c120["seconds"]) / 380 * 1000
            late = (c1000["seconds"] - c500["seconds"]) / 500 * 1000
            lines.append(f"- linear: {early:.1f} ms per extra draft from 120 to 500, {late:.1f} ms from 500 to 1000 "
                         f"({_ok(late <= 1.25 * early)})")
    for suffix, label in (("", "realistic drafts"), ("-tabled", "drafts with a table each (issue 21)")):
        pc, pb = get(f"process-compile{suffix}:120"), get(f"process-bare{suffix}:120")
        if pc and pb:
            ratio = pc["seconds"] / pb["seconds"]
            cpu = f", CPU {pc['cpu'] / pb['cpu']:.2f} ×" if "cpu" in pc and "cpu" in pb else ""
            lines.append(f"- 120 {label}, whole processes: compile ≤ 0.4 × bare docxcompose: {ratio:.2f} × wall"
                         f"{cpu} ({_ok(ratio <= 0.4)}); peak RSS {pc['peak_rss_mb']:.0f} MB < 300 MB "
                         f"({_ok(pc['peak_rss_mb'] < 300)})")
    r120, r500, r1000 = get("compile-realistic:120"), get("compile-realistic:500"), get("compile-realistic:1000")
    if r120 and r500 and r1000:
        early = (r500["seconds"] - r120["seconds"]) / 380 * 1000
        late = (r1000["seconds"] - r500["seconds"]) / 500 * 1000
        lines.append(f"- realistic, linear: {early:.1f} ms per extra draft from 120 to 500, {late:.1f} ms from 500 to "
                     f"1000 ({_ok(late <= 1.25 * early)})")
    send = get("send:300")
    if send:
        ok = send["seconds"] < 5 and send["connections"] <= 5
        lines.append(f"- 300 recipients < 5 s over a handful of connections: {send['seconds']:.2f} s, "
                     f"{send['connections']} connection(s) ({_ok(ok)})")
    cli = get("cli-compile:0")
    if cli:
        ok = cli["seconds"] < 2 and cli["prefect_modules"] == 0
        lines.append(f"- `bulletin compile` example < 2 s, no Prefect import: {cli['seconds']:.2f} s, "
                     f"{cli['prefect_modules']} Prefect modules ({_ok(ok)})")
    return "\n".join(lines)


def _ok(flag: bool) -> str:
    return "holds" if flag else "MISSED"


def _s(row: dict | None) -> str:
    return f"{row['seconds']:.2f}" if row else "–"


def _cpu(row: dict | None) -> str:
    return f"{row['cpu']:.2f}" if row and "cpu" in row else "–"


def _rss(row: dict | None) -> str:
    return f"{row['peak_rss_mb']:.0f}" if row else "–"


if __name__ == "__main__":
    main()
