"""Whole-process timings of dangan commands against named baselines, runs interleaved.

Each command is started as a new process, as a user or a script starts it, so interpreter
start and imports are included.  Every round runs each command once, in a rotating order;
the table shows medians of wall time, CPU time (user+system, steadier on a shared box) and
each process's own peak memory (``os.wait4``'s ``ru_maxrss``).

    python bench/cli.py --home HOME [--before OLD_CHECKOUT --before-home OLD_HOME] \
        [--fts5 FTS.db] [--query 施工方案] [--project CODE] [--rounds 15]

HOME should hold an index of the size to measure (bench/search.py --workdir leaves one:
copy ``WORK/dangan`` to ``HOME/index``).  ``--before`` runs the same dangan commands from
another checkout (an earlier commit) on ``--before-home``; ``--fts5`` adds the baseline
``sqlite3 FTS.db "SELECT … MATCH …"`` on bench/search.py's FTS5 database.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent


def run_once(cmd: list[str], cwd: Path) -> tuple[float, float, float]:
    """(wall s, CPU s, peak MB) of one process; its output is discarded."""
    env = {**os.environ, "PYTHONPATH": str(cwd)}
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    if proc.returncode not in (0, 3):  # check exits 3 for an incomplete archive
        raise SystemExit(f"{' '.join(cmd)} failed (exit {proc.returncode}): {err[-400:]}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def commands(args) -> list[tuple[str, list[str], Path]]:
    """(label, argv, working folder) of every command measured."""
    py = sys.executable
    out = [("python -c pass", [py, "-c", "pass"], HERE)]
    trees = [("dangan", HERE, args.home)]
    if args.before:
        trees.append(("before", args.before, args.before_home or args.home))
    for label, tree, home in trees:
        base = [py, "-m", "dangan.cli", "--home", str(home)]
        out += [
            (f"{label} --help", base + ["--help"], tree),
            (f"{label} check {args.project}", base + ["check", args.project], tree),
            (f"{label} search {args.query}", base + ["search", args.query], tree),
        ]
    if args.fts5:
        sql = f"SELECT rowid FROM docs WHERE docs MATCH '{args.query}' ORDER BY bm25(docs) LIMIT 20;"
        out.append((f"sqlite3 FTS5 {args.query}", ["sqlite3", str(args.fts5), sql], HERE))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--home", type=Path, required=True)
    ap.add_argument("--before", type=Path)
    ap.add_argument("--before-home", type=Path)
    ap.add_argument("--fts5", type=Path)
    ap.add_argument("--query", default="施工方案")
    ap.add_argument("--project", default="BJ-2024-017")
    ap.add_argument("--rounds", type=int, default=15)
    args = ap.parse_args()
    cmds = commands(args)
    load = os.getloadavg()[0]
    print(
        f"machine: {os.cpu_count()} CPU(s) {platform.machine()}, Python {platform.python_version()}, "
        f"load {load:.1f}, free cores ≈ {max(0.0, (os.cpu_count() or 1) - load):.1f}; {args.rounds} interleaved rounds"
    )
    for _, cmd, cwd in cmds:  # warm the page cache once, as a user's second run would be
        run_once(cmd, cwd)
    runs: dict[str, list[tuple[float, float, float]]] = {label: [] for label, _, _ in cmds}
    for i in range(args.rounds):
        shift = i % len(cmds)
        for label, cmd, cwd in cmds[shift:] + cmds[:shift]:
            runs[label].append(run_once(cmd, cwd))
    print(f"\n{'command':<40} {'wall s':>7} {'CPU s':>7} {'peak MB':>8}")
    print("-" * 65)
    for label, rs in runs.items():
        wall, cpu, peak = (statistics.median(r[k] for r in rs) for k in range(3))
        print(f"{label:<40} {wall:>7.3f} {cpu:>7.3f} {peak:>8.0f}")


if __name__ == "__main__":
    main()
