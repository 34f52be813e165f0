"""Benchmark: where the time of one Pivots page goes on a 1,000,000-row upload.

    python benchmarks/bench_pivots.py [--rows 1000000] [--runs 3] [--root PATH]

Prints two Markdown tables:
1. The engine calls the page makes, on a loaded dataset in a warm process (median of `--runs`, each on a freshly
   loaded copy of the data, so nothing is remembered from the run before): the pacing forecasts
   (kpi_core.pacing.forecast_goals), the report (kpi_core.pivots.pivots_for_goals with the page's neutral what-if
   setting), a what-if report on the same forecasts, the page's lever history, and the parts of one forecast's
   open pipeline (kpi_core.pipeline.expected_wins_within).
2. The Pivots script in streamlit.testing's AppTest: an upload session opens Home (the data loads), Funnel, then
   Pivots; the Pivots run is timed (all its caches empty for that file: each run uploads its own file with its own
   row count), then a rerun with every cache filled. A first, untimed session warms the process (imports,
   Japanese holiday tables).

`--root` measures another checkout of the app (for a before / after comparison: `git archive HEAD | tar -x -C DIR`).
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import os
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"


def median_ms(values: list[float]) -> str:
    return f"{statistics.median(values) * 1000:,.0f} ms"


def engine_table(root: Path, files: list[Path], as_of: dt.date) -> list[str]:
    from kpi_core.goals import load_goals, template_text
    from kpi_core.intake.load import FileInput, load_dataset
    from kpi_core.pacing import forecast_goals
    from kpi_core.pipeline import expected_wins_within, open_records_at, win_timing
    from kpi_core.pivots import funnel_model, lever_history, parse_setting, pivots_for_goals

    goals = load_goals(template_text("sales", "ja"))
    neutral, what_if = [parse_setting("avg_unit_price=+0%")], [parse_setting("opportunities=+10%")]
    times: dict[str, list[float]] = {}
    past = as_of - dt.timedelta(days=30)

    def timed(name: str, call):
        start = time.perf_counter()
        result = call()
        times.setdefault(name, []).append(time.perf_counter() - start)
        return result

    warm = load_dataset([FileInput(files[0].name, files[0])])
    forecast_goals(goals, warm, as_of=as_of)  # imports, holiday tables
    for path in files:
        dataset = load_dataset([FileInput(path.name, path)])
        forecasts = timed(
            "forecast_goals (pacing, 4 forecasts)", lambda d=dataset: forecast_goals(goals, d, as_of=as_of)
        )
        report = timed(
            "pivots_for_goals (report, forecasts given)",
            lambda d=dataset, f=forecasts: pivots_for_goals(
                goals, d, as_of, settings=neutral, target_mode="catch_up", forecasts=f
            ),
        )
        timed(
            "pivots_for_goals again (a what-if setting)",
            lambda d=dataset, f=forecasts: pivots_for_goals(
                goals, d, as_of, settings=what_if, target_mode="catch_up", forecasts=f
            ),
        )
        cut = [m for m in (funnel_model(dataset.present_levels, start=lv) for lv in dataset.present_levels) if m]
        timed(
            "lever_history (the page's evidence)",
            lambda d=dataset, r=report, c=cut: lever_history(d, [*r.models, *c], as_of),
        )
        timed("expected_wins_within (one past day)", lambda d=dataset: expected_wins_within(d, as_of=past, days=20))
        timed("… win_timing", lambda d=dataset: win_timing(d, past))
        timed("… open_records_at", lambda d=dataset: open_records_at(d, past))
    lines = [f"Engine ({root}), median of {len(files)}, each on a freshly loaded file:", "", "| call | median | runs |"]
    lines.append("|---|---|---|")
    for name, values in times.items():
        runs = ", ".join(f"{v:.2f}" for v in values)
        lines.append(f"| {name} | {median_ms(values)} | {runs} s |")
    return lines


def app_table(root: Path, files: list[Path], warm_file: Path) -> list[str]:
    from streamlit.navigation.page import StreamlitPage
    from streamlit.testing.v1 import AppTest

    from ui.data import Upload

    pivots_time: list[float] = []
    original = StreamlitPage.run

    def run(self):  # the page script itself, without AppTest's polling
        start = time.perf_counter()
        try:
            return original(self)
        finally:
            if "Pivots" in str(self._page):
                pivots_time.append(time.perf_counter() - start)

    StreamlitPage.run = run
    rows: dict[str, list[float]] = {}

    def session(path: Path, record: bool) -> None:
        at = AppTest.from_file(str(root / "home.py"), default_timeout=600)
        at.session_state["uploads"] = [Upload.from_bytes(path.name, path.read_bytes())]
        at.query_params["src"] = "upload"
        for name, page in (("Home (loads the upload)", None), ("Funnel", "pages/2_Funnel.py")):
            if page:
                at.switch_page(page)
            start = time.perf_counter()
            at.run()
            if record:
                rows.setdefault(name, []).append(time.perf_counter() - start)
        at.switch_page("pages/6_Pivots.py")
        pivots_time.clear()
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        if record:
            rows.setdefault("Pivots, first visit (script run)", []).append(pivots_time[-1])
        pivots_time.clear()
        at.run()
        if record:
            rows.setdefault("Pivots, rerun with caches filled", []).append(pivots_time[-1])

    session(warm_file, record=False)
    for path in files:
        session(path, record=True)
    lines = [f"App ({root}, AppTest), median of {len(files)}, warm process:", "", "| step | median | runs |"]
    lines.append("|---|---|---|")
    for name, values in rows.items():
        lines.append(f"| {name} | {median_ms(values)} | {', '.join(f'{v:.2f}' for v in values)} s |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--root", type=Path, default=HERE.parent, help="the app checkout to measure")
    parser.add_argument("--skip-app", action="store_true", help="engine table only")
    args = parser.parse_args()
    root = args.root.resolve()
    sys.path.insert(0, str(HERE))
    from bench_kpis import generate_deals_csv  # (puts this checkout on sys.path: `root` goes before it)

    sys.path.insert(0, str(root))
    os.chdir(root)
    logging.disable(logging.WARNING)  # AppTest's "no runtime" warnings

    OUT.mkdir(exist_ok=True)
    # Each run its own file (rows + i rows: different bytes, so no cache of the app or the engine is shared).
    files = [OUT / f"deals_{args.rows + i}.csv" for i in range(args.runs + 1)]
    for path, rows in zip(files, range(args.rows, args.rows + args.runs + 1), strict=True):
        generate_deals_csv(path, rows)
    as_of = dt.date(2025, 5, 3)  # the generated files' last date: the page's default as-of for them
    lines = engine_table(root, files[1:], as_of)
    if not args.skip_app:
        lines += ["", *app_table(root, files[1:], files[0])]
    print("\n".join(lines))


if __name__ == "__main__":
    main()
