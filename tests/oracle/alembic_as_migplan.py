#!/usr/bin/env python3
"""Self-test stand-in for migplan: runs the real alembic, with migplan's conventions.

    ORACLE_ALEMBIC=/path/to/venv/bin/alembic \
        python3 tests/oracle/compare.py --migplan tests/oracle/alembic_as_migplan.py

proves that compare.py and the goldens agree with Alembic itself.  It passes
all arguments to ``$ORACLE_ALEMBIC`` (default: ``alembic`` on PATH) and adapts
the two documented differences between the CLIs:

* ``Path:`` lines are printed relative to the working directory (Alembic
  prints absolute, symlink-resolved paths);
* a ``FAILED: ...`` block goes to stderr instead of stdout.

``WRAPPER_HASHSEED=<n>|random`` runs alembic with another PYTHONHASHSEED
than the goldens (0), to check that compare.py's normalisation covers
everything that depends on it.
"""
import os
import subprocess
import sys
from pathlib import Path


def main() -> int:
    alembic = os.environ.get("ORACLE_ALEMBIC", "alembic")
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1", PYTHONIOENCODING="utf-8")
    if "WRAPPER_HASHSEED" in os.environ:
        env["PYTHONHASHSEED"] = os.environ["WRAPPER_HASHSEED"]
    r = subprocess.run([alembic] + sys.argv[1:], env=env, stdin=subprocess.DEVNULL,
                       capture_output=True)
    out = r.stdout.decode("utf-8", errors="surrogateescape")
    cwd_prefixes = sorted({str(Path.cwd().resolve()), os.path.abspath(os.getcwd())},
                          key=len, reverse=True)
    for p in cwd_prefixes:
        out = out.replace("Path: " + p + os.sep, "Path: ")
    lines = out.split("\n")
    failed = ""
    for i, line in enumerate(lines):
        if line.startswith("FAILED:"):
            failed = "\n".join(lines[i:])
            out = "\n".join(lines[:i]) + ("\n" if i else "")
            break
    sys.stdout.buffer.write(out.encode("utf-8", errors="surrogateescape"))
    sys.stdout.flush()
    sys.stderr.buffer.write(r.stderr)
    if failed:
        sys.stderr.buffer.write(failed.encode("utf-8", errors="surrogateescape"))
    sys.stderr.flush()
    return r.returncode


if __name__ == "__main__":
    sys.exit(main())
