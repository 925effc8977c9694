"""What the benchmark scripts share, without side effects on import (the tests import
it): where the division codes are, a throw-away database, and RESULTS.md."""

import os
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
DIVISIONS = Path(os.environ.get("DIVISIONS_DIR", ROOT.parent / "shared" / "data" / "divisions"))


def reset_database(url):
    import psycopg2

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    admin = psycopg2.connect(
        host=parsed.hostname or "127.0.0.1",
        port=parsed.port or 5432,
        user=parsed.username or "postgres",
        password=parsed.password,
        dbname="postgres",
    )
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()


def write_section(text):
    """Put a benchmark's section (text starting with its "## " heading) into RESULTS.md,
    replacing the same section of an earlier run and keeping the others."""
    results = ROOT / "bench" / "RESULTS.md"
    existing = results.read_text() if results.exists() else "# Benchmarks\n"
    heading = text.splitlines()[0]
    if heading in existing:
        start = existing.index(heading)
        end = existing.find("\n## ", start + 1)
        existing = existing[:start] + (existing[end + 1 :] if end != -1 else "")
    results.write_text(existing.rstrip() + "\n\n" + text)


# Issue 19's five targets are measured by different benchmarks of one `make bench`; each
# records its figures here and compare.py, the last, puts them in one table.
TARGETS = ROOT / "var" / "bench" / "targets.json"


def record_target(key, figures):
    """Keep `figures` (a dict) as the latest of target `key`, with when it was measured."""
    import json
    from datetime import UTC, datetime

    recorded = read_targets()
    recorded[key] = {**figures, "at": datetime.now(UTC).isoformat(timespec="seconds")}
    TARGETS.parent.mkdir(parents=True, exist_ok=True)
    TARGETS.write_text(json.dumps(recorded, ensure_ascii=False, indent=1))


def read_targets():
    import json

    return json.loads(TARGETS.read_text()) if TARGETS.exists() else {}
