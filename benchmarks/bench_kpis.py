"""Benchmark: the `kpis` command against a plain-pandas baseline, on seeded 1M / 10M-row deal CSVs and a 100k-row .xlsx.

    python benchmarks/bench_kpis.py [--sizes 1000000 10000000] [--repeat 3]

Prints a Markdown table (and writes it to benchmarks/out/results.md): whole-process wall time and peak memory of
`python -m kpi_core kpis FILE --by channel --by owner --json` and of benchmarks/pandas_baseline.py, their ratio,
the time
to recompute all figures after a filter change on data already loaded, and the .xlsx load time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "out"
sys.path.insert(0, str(ROOT))


def generate_deals_csv(path: Path, rows: int) -> None:
    """A seeded deal export: deterministic pseudo-random values from hash(i), written by DuckDB (fast at 10M rows)."""
    if path.exists():
        return
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    con.execute(
        f"""
        COPY (
            WITH base AS (
                SELECT i, hash(i * 2654435761) AS h1, hash(i * 40503 + 7) AS h2 FROM range({int(rows)}) t(i)
            ), deals AS (
                SELECT i,
                       DATE '2022-04-01' + CAST(h1 % 1000 AS INTEGER) AS created,
                       CAST(5 + h2 % 150 AS INTEGER) AS cycle,
                       CASE WHEN h1 % 100 < 45 THEN 'Won' WHEN h1 % 100 < 75 THEN 'Lost'
                            WHEN h1 % 100 < 88 THEN 'Engaging' ELSE 'Prospecting' END AS stage,
                       1000 + CAST(h2 % 99000 AS INTEGER) AS amount,
                       'rep' || CAST(h2 % 50 AS VARCHAR) AS owner,
                       ['web', 'event', 'referral', 'partner', 'ads'][1 + CAST(h1 % 5 AS INTEGER)] AS channel,
                       ['A', 'B', 'C', 'D'][1 + CAST(h2 % 4 AS INTEGER)] AS product
                FROM base
            )
            SELECT i AS deal_id, strftime(created, '%Y-%m-%d') AS created_date,
                   CASE WHEN stage IN ('Won', 'Lost') THEN strftime(created + cycle, '%Y-%m-%d') END AS close_date,
                   stage, amount, owner, channel, product
            FROM deals ORDER BY i
        ) TO '{path}' (HEADER, DELIMITER ',')
        """
    )


def generate_ragged_copy(path: Path, source: Path) -> None:
    """The same CSV with one line in the middle carrying two fields more than the header (rejected alone)."""
    if path.exists():
        return
    with open(source, encoding="utf-8") as lines:
        total = sum(1 for _ in lines)
    with open(source, encoding="utf-8") as src, open(path, "w", encoding="utf-8") as out:
        for number, line in enumerate(src):
            out.write(line.rstrip("\n") + ",extra,fields\n" if number == total // 2 else line)


def generate_xlsx(path: Path, rows: int, source_csv: Path) -> None:
    """A .xlsx with a title line above the header, from the first `rows` deals (written with openpyxl)."""
    if path.exists():
        return
    from openpyxl import Workbook

    con = duckdb.connect()
    data = con.execute(f"SELECT * FROM read_csv('{source_csv}') LIMIT {int(rows)}").fetchall()
    header = [d[0] for d in con.execute(f"SELECT * FROM read_csv('{source_csv}') LIMIT 0").description]
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Deals")
    sheet.append(["Deal export (benchmark)"])
    sheet.append(header)
    for row in data:
        sheet.append([dt.datetime.combine(v, dt.time()) if isinstance(v, dt.date) else v for v in row])
    book.save(path)


def run_process(argv: list[str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one child process."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=ROOT)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    if status != 0:
        raise SystemExit(f"{argv} failed: {proc.stderr.read().decode()[:400] if proc.stderr else status}")
    return elapsed, usage.ru_maxrss / 1024


def best_of(argv: list[str], repeat: int) -> tuple[float, float]:
    runs = [run_process(argv) for _ in range(repeat)]
    return min(r[0] for r in runs), max(r[1] for r in runs)


def recompute_ms(path: Path, repeat: int = 7) -> float:
    """Median time to recompute every figure (totals, by month, channel, owner) after a filter change."""
    from kpi_core.intake.load import FileInput, load_dataset
    from kpi_core.metrics import Filters, compute_kpis

    dataset = load_dataset([FileInput(path.name, path)])
    compute_kpis(dataset, by=["channel", "owner"])
    times = []
    channels = ["web", "event", "referral", "partner", "ads"]
    for i in range(repeat):
        filters = Filters(roles={"channel": [channels[i % len(channels)]]})
        start = time.perf_counter()
        compute_kpis(dataset, by=["channel", "owner"], filters=filters)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def xlsx_load_seconds(path: Path, repeat: int = 3) -> float:
    from kpi_core.intake.load import FileInput, load_dataset

    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        load_dataset([FileInput(path.name, path)])
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--xlsx-rows", type=int, default=100_000)
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    lines = [
        "| data | kpis (DuckDB) | peak MB | pandas baseline | peak MB | speed-up | recompute after filter |",
        "|---|---|---|---|---|---|---|",
    ]
    for size in args.sizes:
        path = OUT / f"deals_{size}.csv"
        generate_deals_csv(path, size)
        engine = [sys.executable, "-m", "kpi_core", "kpis", str(path), "--by", "channel", "--by", "owner", "--json"]
        baseline = [sys.executable, str(ROOT / "benchmarks" / "pandas_baseline.py"), str(path)]
        repeat = args.repeat if size <= 2_000_000 else 1
        engine_s, engine_mb = best_of(engine, repeat)
        pandas_s, pandas_mb = best_of(baseline, repeat)
        recompute = recompute_ms(path) if size <= 2_000_000 else float("nan")
        lines.append(
            f"| {size:,} rows CSV | {engine_s:.2f} s | {engine_mb:,.0f} | {pandas_s:.2f} s | {pandas_mb:,.0f} | "
            f"{pandas_s / engine_s:.1f}× | {recompute:.0f} ms |"
        )
        print(lines[-1], flush=True)
        if size <= 2_000_000:
            ragged = OUT / f"deals_{size}_ragged.csv"
            generate_ragged_copy(ragged, path)
            ragged_s, _ = best_of([*engine[:4], str(ragged), *engine[5:]], repeat)
            lines.append(
                f"| {size:,} rows CSV with one ragged line | {ragged_s:.2f} s | | | | "
                f"{ragged_s / engine_s - 1:+.0%} vs clean | |"
            )
            print(lines[-1], flush=True)
    if args.xlsx_rows:
        xlsx = OUT / f"deals_{args.xlsx_rows}.xlsx"
        generate_xlsx(xlsx, args.xlsx_rows, OUT / f"deals_{args.sizes[0]}.csv")
        lines.append(f"| {args.xlsx_rows:,} rows .xlsx to loaded tables | {xlsx_load_seconds(xlsx):.2f} s | | | | | |")
    table = "\n".join(lines)
    print(table)
    (OUT / "results.md").write_text(table + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
