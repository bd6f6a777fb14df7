"""The factory register: one factory, one code."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

REGISTER = """\
factories:
  - {code: F01, name: "Demo Een", sector: powertrain, municipality: Sint-Truiden}
  - {code: F02, name: "Demo Twee", sector: chassis, municipality: Gingelom}
  - {code: f01, name: "Demo Een bis", sector: chassis, municipality: Landen}
"""


@pytest.mark.parametrize("command", ["validate", "run"])
def test_a_code_written_twice_in_another_case_refuses_the_register(
    settings, make_file, tmp_path, command
):
    register = tmp_path / "factories.yaml"
    register.write_text(REGISTER)
    args = {
        "validate": ["validate", str(make_file("quality")), "-d", "quality", "-f", "F02"],
        "run": ["run"],
    }[command]
    process = subprocess.run(
        [sys.executable, "-m", "kpi.cli", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "KPI_FACTORY_REGISTER": str(register)},
    )  # fmt: skip
    assert process.returncode == 2
    assert (
        f"{register} noemt fabriekscode F01 twee keer: regel 2 ('F01') en regel 4 ('f01')"
        in process.stderr
    )
    assert f"{register} names factory code F01 twice: line 2 ('F01') and line 4 ('f01')" in (
        process.stderr
    )
    assert "Traceback" not in process.stderr
