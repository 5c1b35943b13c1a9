#!/usr/bin/env python3
"""Compare migplan with the Alembic goldens (differential test).

usage:
    python compare.py --migplan PATH_TO_BINARY [--goldens DIR] [--fixtures tests/fixtures]
                      [--only FIXTURE[/CASE]] [--quiet]

For every valid fixture and case of tests/oracle/cases.py, runs
``migplan <config options> <args>`` with cwd = the fixture directory and
compares it with the golden captured from real Alembic by capture.py:

* stdout must be identical, after the normalisation below;
* exit codes must be in the same class (0 / non-zero);
* when Alembic's stdout ends with a ``FAILED: <message>`` block (Alembic
  prints it on stdout, migplan on stderr), that block is removed from the
  expected stdout and must appear on migplan's stderr: the line starting
  with ``FAILED:`` (plus the continuation lines, if the message has several)
  must match.  Goldens that failed without a FAILED line (Python traceback,
  rc 1) only check stdout and the exit-code class.

Normalisation (FORMATS.md section 5; applied to both sides), only for what
varies with PYTHONHASHSEED in Alembic:

1. the order of the comma-separated labels in the parenthesised branch-label
   list that follows a revision id (``rev (b, a) (head)``, history lines,
   ``-> child (b, a)`` lines);
2. the order of the items of ``Branches into:`` and ``Branch names:`` lines;
3. the order of consecutive ``   -> child`` lines under a branch point in
   ``branches`` output.

Lines of the docstring block of verbose entries (after ``Path:``) are never
touched.

SQL cases (``upgrade/downgrade/stamp --sql``, names ending in ``_sql``) use
normalize.normalise_sql instead: exact comparison after removing trailing
whitespace per line, with only the constraint lines of
``CREATE TABLE _alembic_tmp_*`` and the parent ids of a merge / un-merge
version-table step put in canonical order (FORMATS.md section 5).  For a
failing SQL case the SQL printed before the failure (Alembic streams it) is
compared like any other stdout, and the ``FAILED:`` message like above.  ``--goldens`` may point at the fixture tree (goldens in
``<fixture>/alembic/``, the default) or at a ``capture.py --out`` directory
(``<fixture>/<case>.stdout``).

Cases listed in the table of DIVERGENCES.md (migplan shows opaque Python as
a comment block by design) only need the same exit-code class; they print
``KNOWN`` (``--show-known`` adds the diff), or a ``NOTE`` when they match
Alembic after all.

Prints ``PASS``/``FAIL`` per case (with a unified diff on failure) and a
final line ``N passed, M failed[, K skipped]`` (K = known divergences); exits 1 if
anything failed.
"""
import argparse
import difflib
import os
import re
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import cases as case_table  # noqa: E402
from normalize import normalise, normalise_sql  # noqa: E402

DEFAULT_FIXTURES = HERE.parent / "fixtures"
DIVERGENCES = HERE / "DIVERGENCES.md"
_DIVERGENCE_ROW = re.compile(r"^\| `([A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+)` \|")


RENDERS_MARK = "renders where Alembic fails"


def known_divergences(path: Path = DIVERGENCES, renders: bool = False) -> set:
    """Cases listed in the table of DIVERGENCES.md (first column, in backticks); with
    renders=True only the rows marked "renders where Alembic fails"."""
    if not path.exists():
        return set()
    return {m.group(1) for line in path.read_text(encoding="utf-8").splitlines()
            if (m := _DIVERGENCE_ROW.match(line)) and (not renders or RENDERS_MARK in line)}

def split_failed(stdout: str):
    """Split Alembic stdout into (regular output, FAILED block or None)."""
    lines = stdout.split("\n")
    for i, line in enumerate(lines):
        if line.startswith("FAILED:"):
            return "\n".join(lines[:i]) + ("\n" if i else ""), "\n".join(lines[i:]).rstrip("\n")
    return stdout, None


def find_failed(stderr: str, nlines: int):
    lines = stderr.split("\n")
    for i, line in enumerate(lines):
        if line.startswith("FAILED:"):
            return "\n".join(lines[i:i + nlines]).rstrip("\n")
    return None


def golden_paths(goldens: Path, fixture: str, case: str):
    for d in (goldens / fixture / "alembic", goldens / fixture):
        if (d / f"{case}.stdout").exists():
            return d / f"{case}.stdout", d / f"{case}.rc"
    return None, None


def diff(expected: str, actual: str, what: str) -> str:
    return "".join(difflib.unified_diff(
        expected.splitlines(keepends=True), actual.splitlines(keepends=True),
        fromfile=f"alembic {what}", tofile=f"migplan {what}"))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--migplan", required=True, type=Path, help="migplan executable")
    ap.add_argument("--goldens", type=Path, default=None,
                    help="golden root (default: the fixture tree)")
    ap.add_argument("--fixtures", type=Path, default=DEFAULT_FIXTURES,
                    help="fixture root (default: %(default)s)")
    ap.add_argument("--only", action="append", default=[],
                    help="restrict to FIXTURE or FIXTURE/CASE (repeatable)")
    ap.add_argument("--quiet", action="store_true", help="print only failures and the summary")
    ap.add_argument("--timeout", type=float, default=60.0)
    ap.add_argument("--show-known", action="store_true",
                    help="print the diff of the known divergences (DIVERGENCES.md) too")
    args = ap.parse_args(argv)
    goldens = args.goldens or args.fixtures
    migplan = args.migplan.resolve()

    env = dict(os.environ, PYTHONHASHSEED="0")
    env.pop("ALEMBIC_CONFIG", None)
    passed = failed = known_count = 0
    known = known_divergences()
    renders = known_divergences(renders=True)

    for fixture in case_table.FIXTURES:
        fixture_dir = args.fixtures / fixture
        for name, cmd in case_table.cases(fixture):
            label = f"{fixture}/{name}"
            if args.only and fixture not in args.only and label not in args.only:
                continue
            problems = []
            stdout_path, rc_path = golden_paths(goldens, fixture, name)
            if stdout_path is None or not rc_path.exists():
                problems.append(f"no golden for {label} under {goldens}")
            else:
                golden_out = stdout_path.read_bytes().decode("utf-8")
                golden_rc = int(rc_path.read_text().strip())
                try:
                    r = subprocess.run([str(migplan)] + cmd, cwd=fixture_dir, env=env,
                                       stdin=subprocess.DEVNULL, capture_output=True,
                                       timeout=args.timeout)
                except subprocess.TimeoutExpired:
                    problems.append(f"timed out after {args.timeout}s")
                    r = None
                except OSError as e:
                    problems.append(f"cannot run {migplan}: {e}")
                    r = None
                if r is not None:
                    out = r.stdout.decode("utf-8", errors="replace").replace("\r\n", "\n")
                    err = r.stderr.decode("utf-8", errors="replace").replace("\r\n", "\n")
                    expected_out, expected_failed = split_failed(golden_out)
                    if (golden_rc == 0) != (r.returncode == 0):
                        problems.append(f"exit code {r.returncode}, alembic {golden_rc}")
                    norm = normalise_sql if case_table.is_sql_case(name) else normalise
                    e_norm, a_norm = norm(expected_out), norm(out)
                    if e_norm != a_norm:
                        problems.append("stdout differs:\n" + diff(e_norm, a_norm, "stdout"))
                    if expected_failed is not None:
                        nlines = expected_failed.count("\n") + 1
                        got = find_failed(err, nlines)
                        if got is None:
                            problems.append("no line starting with 'FAILED:' on migplan stderr; "
                                            "alembic printed:\n" + expected_failed)
                            if err.strip():
                                problems.append("migplan stderr was:\n" + err.rstrip())
                        elif got != expected_failed:
                            problems.append("FAILED message differs (alembic stdout vs migplan stderr):\n"
                                            + diff(expected_failed + "\n", got + "\n", "FAILED"))
            if label in renders and stdout_path is not None and rc_path.exists() and r is not None:
                # Alembic stops where migplan renders a marked hole: what Alembic printed
                # before it failed comes first, then the rest of the plan.
                if golden_rc == 0 or r.returncode != 0:
                    problems = [f"exit code {r.returncode}, alembic {golden_rc} (listed as {RENDERS_MARK!r})"]
                elif "-- migplan: opaque" not in out or not normalise_sql(out).startswith(normalise_sql(expected_out).rstrip("\n")):
                    problems = ["migplan's plan does not continue Alembic's output with a marked hole"]
                else:
                    known_count += 1
                    print(f"KNOWN {label}  (DIVERGENCES.md: {RENDERS_MARK})")
                    continue
            elif label in known and stdout_path is not None and rc_path.exists() and r is not None:
                # a documented divergence: only the exit-code class must agree
                if (golden_rc == 0) != (r.returncode == 0):
                    problems = [f"exit code {r.returncode}, alembic {golden_rc} (known divergence)"]
                elif problems:
                    known_count += 1
                    print(f"KNOWN {label}  (DIVERGENCES.md)")
                    if args.show_known:
                        for p in problems:
                            for pl in p.rstrip("\n").split("\n"):
                                print(f"    {pl}")
                    continue
                else:
                    print(f"NOTE {label} is listed in DIVERGENCES.md but matches Alembic")
            if problems:
                failed += 1
                print(f"FAIL {label}  [{' '.join(cmd)}]")
                for p in problems:
                    for pl in p.rstrip("\n").split("\n"):
                        print(f"    {pl}")
            else:
                passed += 1
                if not args.quiet:
                    print(f"PASS {label}")

    if known_count:
        print(f"{known_count} known divergences (tests/oracle/DIVERGENCES.md) compared on exit status only")
    # The closing line in the plain 'N passed, N failed[, N skipped]' form CI reads.
    print(f"{passed} passed, {failed} failed" + (f", {known_count} skipped" if known_count else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
