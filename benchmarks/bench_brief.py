"""Benchmark: `bayes brief` by stage, for any model (default: both shipped ones). Prints figures; `--json`
prints one object. Not a test.

Stages, each measured in this one run:
- `cli cold` / `cli warm`: the whole command (`bayes brief MODEL --out TMP/run<i>`) in a fresh process,
  twice, each into a new folder; the second run is the warm figure the target speaks of (at most 6 s for the flagship on 2 cores);
- `kernel start`: a python3 Jupyter kernel started and ready (what the briefing notebook pays first);
- `import`: `import bayes.outputs.brief` in a fresh interpreter (paid again inside the kernel);
- `compute`: every number and sentence of the brief (`build_brief` with its charts' drawing left out);
- per chart: `draw` (laying the chart out), and each export: `files` (PNG 1920 and SVG),
  `html` (the page's desktop and phone images), `slide` (the deck's picture);
- `html`, `deck`, `json`: the rest of each file;
- `outputs`: every chart's files and images as `bayes brief` makes them (in parallel where it can).
The ratio printed last is the warm command against the compute stage alone: what the outputs cost on top
of the numbers.

    python benchmarks/bench_brief.py [MODEL ...] [--json]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
warnings.simplefilter("ignore")

BIN = Path(sys.executable).parent


def timed(fn):
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def cli_runs(model: str, runs: int = 2) -> list[float]:
    """Wall seconds of `bayes brief` in a fresh process, `runs` times, each into a new folder."""
    times = []
    with tempfile.TemporaryDirectory() as out:
        for i in range(runs):
            target = str(Path(out) / f"run{i}")
            t, proc = timed(lambda target=target: subprocess.run([str(BIN / "bayes"), "brief", model, "--out", target],
                                                                 capture_output=True, text=True, check=False))
            if proc.returncode not in (0, 1):
                raise SystemExit(f"bayes brief {model} failed:\n{proc.stderr}")
            times.append(t)
    return times


def kernel_start() -> float:
    from bayes.outputs.brief import _local_kernel_manager

    folder = tempfile.mkdtemp(prefix="bench-kernel-")
    km = _local_kernel_manager(folder)(kernel_name="python3")
    t0 = time.perf_counter()
    km.start_kernel()
    client = km.client()
    client.start_channels()
    client.wait_for_ready(timeout=60)
    took = time.perf_counter() - t0
    client.stop_channels()
    km.shutdown_kernel(now=True)
    return took


def import_time() -> float:
    t, _ = timed(lambda: subprocess.run([sys.executable, "-c", "import bayes.outputs.brief"], check=True))
    return t


def stages(model_name: str) -> dict:
    import bayes
    from bayes.outputs import brief as briefing
    from bayes.outputs import brief_charts
    from bayes.outputs.brief import brief_html, brief_record, build_brief
    from bayes.outputs.deck import brief_pptx, slide_image

    model = bayes.load(model_name)
    real_charts = briefing.briefing_charts
    briefing.briefing_charts = lambda *a, **k: brief_charts.BriefingCharts()  # the numbers alone
    try:
        compute, _ = timed(lambda: build_brief(model, draws=2000, seed=2020))
    finally:
        briefing.briefing_charts = real_charts
    brief = build_brief(model, draws=2000, seed=2020)
    out = {"compute": compute, "charts": {}}
    with tempfile.TemporaryDirectory() as folder:
        for chart in brief.charts.charts:
            row = {}
            row["draw"], _ = timed(chart.render)
            row["files"], _ = timed(lambda chart=chart: brief_charts.chart_files(chart, Path(folder)))
            row["html"], _ = timed(lambda chart=chart: brief_charts.chart_images(chart))
            row["slide"], _ = timed(lambda chart=chart: slide_image(chart))
            out["charts"][chart.name] = row
        out["html"] = timed(lambda: brief_html(brief))[0]  # the page's images are made above, once
        out["deck"] = timed(lambda: brief_pptx(brief, Path(folder) / "brief.pptx"))[0]
        fresh = build_brief(model, draws=2000, seed=2020)
        out["outputs"] = timed(lambda: brief_charts.chart_outputs(fresh.charts.charts, Path(folder) / "parallel"))[0]
        out["json"], _ = timed(lambda: brief_record(brief))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("models", nargs="*", default=["caucasus_2020", "river_ceasefire"])
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    report = {"kernel start": kernel_start(), "import": import_time(), "models": {}}
    for name in args.models:
        cold, warm = cli_runs(name)
        report["models"][name] = {"cli cold": cold, "cli warm": warm, **stages(name)}
    if args.json:
        print(json.dumps(report, indent=1))
        return
    print(f"kernel start {report['kernel start']:6.2f} s   import bayes.outputs.brief {report['import']:6.2f} s")
    for name, r in report["models"].items():
        print(f"\n{name}: bayes brief cold {r['cli cold']:.2f} s, warm {r['cli warm']:.2f} s (target 6 s: "
              f"{r['cli warm'] / 6:.2f}x)")
        print(f"  compute {r['compute']:.2f} s   html {r['html']:.2f} s   deck {r['deck']:.2f} s   json {r['json']:.2f} s")
        print(f"  {'chart':34s} {'draw':>6s} {'files':>6s} {'html':>6s} {'slide':>6s}")
        for chart, row in r["charts"].items():
            print(f"  {chart:34s} " + " ".join(f"{row[k]:6.2f}" for k in ("draw", "files", "html", "slide")))
        total = sum(sum(row.values()) for row in r["charts"].values())
        print(f"  charts one by one {total:.2f} s; as the command makes them {r['outputs']:.2f} s; "
              f"warm command / compute: {r['cli warm'] / r['compute']:.1f}x")


if __name__ == "__main__":
    main()
