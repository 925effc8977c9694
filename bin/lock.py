"""Re-lock exact versions from the ranges in pyproject.toml (run by `make lock`).

Installs the runtime dependencies into a throw-away venv and freezes them into
requirements.txt, then the dev tools on top into requirements-dev.txt.
"""

import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def freeze(pip):
    out = subprocess.run([pip, "freeze", "--exclude", "pip"], check=True, capture_output=True)
    return out.stdout.decode().splitlines()


def main():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    with tempfile.TemporaryDirectory() as venv:
        subprocess.run([sys.executable, "-m", "venv", venv], check=True)
        pip = f"{venv}/bin/pip"
        subprocess.run([pip, "install", "-q", "--upgrade", "pip"], check=True)
        subprocess.run([pip, "install", "-q", *project["dependencies"]], check=True)
        runtime = freeze(pip)
        subprocess.run([pip, "install", "-q", *project["optional-dependencies"]["dev"]], check=True)
        dev = [line for line in freeze(pip) if line not in runtime]
    (ROOT / "requirements.txt").write_text(
        "# Exact versions installed by `make` (runtime). Regenerate with `make lock`.\n"
        + "\n".join(runtime)
        + "\n"
    )
    (ROOT / "requirements-dev.txt").write_text(
        "# Exact versions of the test and lint tools, on top of requirements.txt. "
        "Regenerate with `make lock`.\n-r requirements.txt\n" + "\n".join(dev) + "\n"
    )


if __name__ == "__main__":
    main()
