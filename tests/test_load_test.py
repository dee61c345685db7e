"""scripts/load_test.py, briefly: 3 signed-in sessions through nginx to 1 server for 10 seconds while the CLI loads
and rolls back, every page run finished and none failed. The full run (50 sessions, 2 minutes, 1 and 2 servers) is
in deploy/README.md."""

import subprocess
import sys

from support import ROOT


def test_a_short_load_test_runs_pages_without_errors(tmp_path):
    out = tmp_path / "load.md"
    done = subprocess.run([sys.executable, "-m", "scripts.load_test", "--servers", "1", "--sessions", "3", "--seconds",
                           "10", "--out", str(out)], cwd=ROOT, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr
    header, _, row = out.read_text(encoding="utf-8").splitlines()[2:5]
    figures = dict(zip(header.split("|")[1:-1], row.split("|")[1:-1], strict=True))
    figures = {name.strip(): value.strip() for name, value in figures.items()}
    assert figures["服务器"] == "1" and figures["会话"] == "3"
    assert int(figures["完成的页面运行"]) > 0
    assert figures["错误"] == "0", out.read_text(encoding="utf-8")
    assert int(figures["载入+撤销"]) >= 1  # the CLI wrote while the pages ran
    assert float(figures["p95 (s)"]) >= float(figures["p50 (s)"]) > 0
