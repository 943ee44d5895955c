"""Runs the gradio_splat frontend unit tests (vitest) so that one pytest run covers them."""

import os
import shutil
import subprocess
from pathlib import Path

FRONTEND = Path(__file__).resolve().parents[1] / "custom_components" / "gradio_splat" / "frontend"


def test_vitest():
    assert shutil.which("npx"), "node and npm are needed for the frontend tests"
    assert (FRONTEND / "node_modules").is_dir(), (
        f"frontend packages are missing: run `npm ci --prefix {FRONTEND}`"
    )
    run = subprocess.run(
        ["npx", "vitest", "run", "--reporter=dot"],
        cwd=FRONTEND,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "NO_COLOR": "1"},
    )
    assert run.returncode == 0, f"vitest failed in {FRONTEND}:\n{run.stdout}\n{run.stderr}"
