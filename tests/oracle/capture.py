#!/usr/bin/env python3
"""Capture the real Alembic CLI's output on the fixture projects (goldens).

usage:
    python capture.py --out DIR [--fixtures tests/fixtures]
    python capture.py --update-goldens [--fixtures tests/fixtures]
    python capture.py --check DIR [--fixtures tests/fixtures]

Run it with the interpreter of a venv that has alembic installed: the
``alembic`` executable next to ``sys.executable`` is used, e.g.

    /path/to/venv/bin/python tests/oracle/capture.py --update-goldens

For every valid fixture (tests/oracle/cases.py) and every case, runs
``alembic <config options> <args>`` with cwd = the fixture directory,
PYTHONHASHSEED=0, stdin = /dev/null, and stores

* ``--out DIR``:        DIR/<fixture>/<case>.{cmd,stdout,stderr,rc}
* ``--update-goldens``: <fixtures>/<fixture>/alembic/<case>.{cmd,stdout,rc}
  (stale files in those alembic/ folders are removed; stderr is not kept
  because it holds machine-specific paths of the venv)

``--check DIR`` compares a capture made with ``--out DIR`` against the
committed goldens (cmd, stdout, rc of every case; missing and stale golden
files) without running alembic, and exits 1 on any difference.  Combined
with ``--out DIR`` it captures first.

Normalisation:

* the absolute path of the fixture directory (plus the path separator) is
  removed from stdout/stderr, so ``Path: /abs/fixture/versions/x.py`` becomes
  ``Path: versions/x.py``; in the kept stderr the venv's site-packages path
  becomes ``<site-packages>``;
* stdout is put in the canonical order of normalize.py: the parts of the
  output that follow Python set order (several branch labels of one
  revision, ``Branches into:`` / ``Branch names:`` items, the ``-> child``
  lines of ``branches``) are sorted.  Label order changes from run to run
  even with PYTHONHASHSEED=0, so without this the goldens would not be
  reproducible.  SQL cases (names ending in ``_sql``) are never label-sorted;
  only their two nondeterministic spots (constraint lines of
  ``CREATE TABLE _alembic_tmp_*``, the parent ids of a merge / un-merge
  version-table step) are put in canonical order (normalize.canonical_sql),
  everything else, trailing spaces included, is Alembic's bytes.
  ``--raw`` keeps Alembic's order.
"""
import argparse
import os
import shlex
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import cases as case_table  # noqa: E402
from normalize import normalise as canonical_order  # noqa: E402
from normalize import canonical_sql  # noqa: E402

DEFAULT_FIXTURES = HERE.parent / "fixtures"


def alembic_executable() -> Path:
    exe = Path(sys.executable).parent / ("alembic.exe" if os.name == "nt" else "alembic")
    if not exe.exists():
        sys.exit(f"capture.py: no alembic executable next to {sys.executable} "
                 "(run this script with the python of a venv that has alembic)")
    return exe


def run_env() -> dict:
    env = dict(os.environ)
    env["PYTHONHASHSEED"] = "0"            # label / branch order (FORMATS.md §5)
    env["PYTHONDONTWRITEBYTECODE"] = "1"   # no __pycache__ inside the fixtures
    env["PYTHONIOENCODING"] = "utf-8"      # non-ASCII docstrings, whatever the locale
    for var in ("ALEMBIC_CONFIG", "PYTHONWARNINGS", "PYTHONSTARTUP"):
        env.pop(var, None)                 # ALEMBIC_CONFIG would replace alembic.ini
    return env


def path_prefixes(fixture_dir: Path):
    """Spellings of the fixture directory that may appear in alembic output."""
    seen = []
    for p in (str(fixture_dir.resolve()), os.path.abspath(fixture_dir)):
        if p not in seen:
            seen.append(p)
    seen.sort(key=len, reverse=True)
    return seen


def normalise(data: bytes, fixture_dir: Path, site_packages=None) -> bytes:
    text = data.decode("utf-8", errors="surrogateescape")
    for p in path_prefixes(fixture_dir):
        text = text.replace(p + os.sep, "")
        text = text.replace(p, ".")
    if site_packages:
        text = text.replace(site_packages, "<site-packages>")
    return text.encode("utf-8", errors="surrogateescape")


def capture_case(exe: Path, fixture_dir: Path, argv, env):
    r = subprocess.run([str(exe)] + argv, cwd=fixture_dir, env=env,
                       stdin=subprocess.DEVNULL, capture_output=True, timeout=300)
    return r.stdout, r.stderr, r.returncode


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, help="write DIR/<fixture>/<case>.{cmd,stdout,stderr,rc}")
    ap.add_argument("--update-goldens", action="store_true",
                    help="write <fixtures>/<fixture>/alembic/<case>.{cmd,stdout,rc}")
    ap.add_argument("--fixtures", type=Path, default=DEFAULT_FIXTURES,
                    help="fixture root (default: %(default)s)")
    ap.add_argument("--only", action="append", default=[],
                    help="restrict to FIXTURE or FIXTURE/CASE (repeatable)")
    ap.add_argument("--raw", action="store_true",
                    help="keep Alembic's (set-ordered) label/branch order in stdout")
    ap.add_argument("--check", type=Path, metavar="DIR",
                    help="compare the capture in DIR (made with --out DIR) with the committed goldens")
    args = ap.parse_args(argv)
    if not args.out and not args.update_goldens and not args.check:
        ap.error("give --out DIR, --update-goldens and/or --check DIR")
    if args.check and args.update_goldens:
        ap.error("--check compares with the committed goldens; do not combine with --update-goldens")

    rc = 0
    if args.out or args.update_goldens:
        rc = capture(args)
    if args.check:
        rc = max(rc, check(args.check, args.fixtures, args.only))
    return rc


def check(fresh: Path, fixtures: Path, only) -> int:
    """Compare fresh captures (capture.py --out layout) with the committed goldens."""
    import difflib
    bad = 0
    total = 0
    for fixture in case_table.FIXTURES:
        golden_dir = fixtures / fixture / "alembic"
        expected = set()
        for name, _cmd in case_table.cases(fixture):
            if only and fixture not in only and f"{fixture}/{name}" not in only:
                continue
            total += 1
            for ext in (".cmd", ".stdout", ".rc"):
                expected.add(name + ext)
                g, f = golden_dir / (name + ext), fresh / fixture / (name + ext)
                if not g.exists():
                    print(f"!! {fixture}/{name}{ext}: no committed golden (run --update-goldens)")
                    bad += 1
                elif not f.exists():
                    print(f"!! {fixture}/{name}{ext}: not in the fresh capture {fresh}")
                    bad += 1
                elif g.read_bytes() != f.read_bytes():
                    bad += 1
                    print(f"!! {fixture}/{name}{ext}: committed golden differs from today's alembic")
                    a = g.read_bytes().decode("utf-8", "replace").splitlines(keepends=True)
                    b = f.read_bytes().decode("utf-8", "replace").splitlines(keepends=True)
                    for line in difflib.unified_diff(a, b, "committed", "fresh"):
                        print("    " + line.rstrip("\n"))
        if not only and golden_dir.is_dir():
            for g in sorted(golden_dir.iterdir()):
                if g.name not in expected:
                    print(f"!! {g.relative_to(fixtures)}: stale golden, no such case in cases.py")
                    bad += 1
    print(f"checked {total} cases: {'OK' if not bad else f'{bad} difference(s)'}")
    return 1 if bad else 0


def capture(args) -> int:
    exe = alembic_executable()
    env = run_env()
    site_packages = sysconfig.get_paths()["purelib"]
    version = subprocess.run([str(exe), "--version"], capture_output=True, text=True,
                             env=env, stdin=subprocess.DEVNULL).stdout.strip()
    print(f"# {version} ({exe}), python {sys.version.split()[0]}")

    problems = 0
    for fixture in case_table.FIXTURES:
        fixture_dir = args.fixtures / fixture
        if not fixture_dir.is_dir():
            print(f"!! missing fixture directory {fixture_dir}")
            problems += 1
            continue
        golden_dir = fixture_dir / "alembic"
        written = set()
        for name, cmd in case_table.cases(fixture):
            if args.only and fixture not in args.only and f"{fixture}/{name}" not in args.only:
                continue
            out, err, rc = capture_case(exe, fixture_dir, cmd, env)
            out = normalise(out, fixture_dir)
            if not args.raw:
                canonical = canonical_sql if case_table.is_sql_case(name) else canonical_order
                out = canonical(out.decode("utf-8")).encode("utf-8")
            err = normalise(err, fixture_dir, site_packages)
            cmdline = "alembic " + " ".join(shlex.quote(a) for a in cmd) + "\n"
            expect_fail = name.startswith("err_")
            flag = ""
            if expect_fail != (rc != 0):
                flag = "  !! unexpected exit code"
                problems += 1
            elif rc == 0 and any(line and not line.startswith(b"INFO ")
                                 for line in err.splitlines()):
                flag = "  (stderr not empty)"   # more than Alembic's INFO log lines
            print(f"{rc:>4}  {fixture}/{name}{flag}")

            targets = []
            if args.out:
                d = args.out / fixture
                d.mkdir(parents=True, exist_ok=True)
                (d / f"{name}.stderr").write_bytes(err)
                targets.append(d)
            if args.update_goldens:
                golden_dir.mkdir(exist_ok=True)
                targets.append(golden_dir)
                written.update(f"{name}{ext}" for ext in (".cmd", ".stdout", ".rc"))
            for d in targets:
                (d / f"{name}.cmd").write_text(cmdline, encoding="utf-8", newline="\n")
                (d / f"{name}.stdout").write_bytes(out)
                (d / f"{name}.rc").write_text(f"{rc}\n", encoding="utf-8", newline="\n")

        if args.update_goldens and not args.only and golden_dir.is_dir():
            for f in sorted(golden_dir.iterdir()):
                if f.name not in written:
                    print(f"      removing stale golden {f.relative_to(args.fixtures)}")
                    if f.is_dir():
                        shutil.rmtree(f)
                    else:
                        f.unlink()

    if problems:
        print(f"{problems} problem(s)")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
