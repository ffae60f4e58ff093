"""The scale benchmark's memory figures are each process's own: a stage runs in a child
process, and on Linux a child's ``ru_maxrss`` starts from its parent's peak."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc")
def test_a_stage_reports_its_own_peak_not_its_parents() -> None:
    held = bytearray(400 * 1024 * 1024)  # 400 MB, every page touched
    for i in range(0, len(held), 4096):
        held[i] = 1
    child = subprocess.run(
        [sys.executable, "-c", "from benchmarks.scale import peak_rss_mb; print(peak_rss_mb())"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert float(child.stdout) < 300, child.stdout
    del held
