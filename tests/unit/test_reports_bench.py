"""`xrayreview bench reports` measures what it says: each export timed, in the same run."""

import re

from xrayreview.reports import bench


def test_the_reports_bench_times_every_export_against_the_built_in_font(dejavu):
    report = bench.run(quick=True)
    rows = {line.split(" | ")[0].lstrip("| "): line for line in report.splitlines() if line.startswith("| ")}
    assert "PDF, built-in font" in rows and "CSV (reading and writing the rows)" in rows
    shaped = next(line for name, line in rows.items() if "Arabic" in name)
    plain = next(line for name, line in rows.items() if "not shaped" in name)
    for line in (shaped, plain):
        time_ms, size_kb, ratio = re.search(r"\| (\d+) ms \| (\d+) KB \| ([\d.]+)× \|", line).groups()
        assert int(time_ms) > 0 and int(size_kb) > 0 and float(ratio) > 0
