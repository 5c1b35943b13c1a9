#!/usr/bin/env python3
"""Corpus oracle: does migplan render each real revision exactly as Alembic does?

usage:
    python tests/corpus/alembic_identity.py --migplan BIN --projects PROJECTS_JSON --out OUT_JSON
                                            [--only NAME] [--details DIR] [--jobs N]

PROJECTS_JSON is what `corpus --fetch-only` writes.  For every revision of every Alembic
project (listed by `migplan history --format json`), a scratch project is built in which that
revision is the only one (down_revision, depends_on and branch_labels set to None), and the
real Alembic renders `upgrade head --sql`.  Where Alembic succeeds, `migplan -c
scratch/alembic.ini upgrade head --sql` must print the same (tests/oracle/normalize.py's
normalise_sql, plus `canonical` below).  Imports Alembic cannot satisfy (the project's own code,
libraries missing from the venv) get empty stand-in modules, so a revision that really needs
them fails in Alembic and is only counted (alembic_failed).  Alembic's output is cached per
revision text, dialect and versions under $MIGPLAN_CORPUS_CACHE/alembic-out.

OUT_JSON: {project: {"identical": [n_identical, n_rendered], "alembic_failed": n,
"differs": [{"file": ..., "first_diff": ...}]}}, plus "error" when migplan cannot list the
revisions.  Exit 0 whatever the figures; non-zero only when the script itself cannot run.
"""
import argparse
import ast
import difflib
import hashlib
import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VENV = ROOT / "target" / "alembic-venv"
PINS = ["alembic==1.20.1", "sqlalchemy==2.1.9", "psycopg2-binary==2.9.13"]  # as scripts/test
sys.dont_write_bytecode = True  # no __pycache__ in tests/oracle
sys.path.insert(0, str(ROOT / "tests" / "oracle"))
from normalize import normalise_sql  # noqa: E402

# Offline mode never connects, so no driver is imported: the fixture inis' URLs work as they are.
URLS = {"postgresql": "postgresql://", "mysql": "mysql+pymysql://", "sqlite": "sqlite:///ignored.db"}
INI = "[alembic]\nscript_location = %(here)s\nsqlalchemy.url = {url}\n"
# No logging setup: Alembic's INFO lines would only go to stderr, which is not compared.
ENV_PY = '''"""Offline-only env.py of an alembic_identity.py scratch project."""
import importlib.machinery, os, sys, types
from alembic import context

VERSIONS = os.path.realpath(os.path.join(os.path.dirname(__file__), "versions"))


class StandIn(types.ModuleType):
    """An empty module: any use of its contents fails, so the revision is excluded."""
    def __getattr__(self, name):
        raise AttributeError(f"stand-in module {self.__name__!r} has no attribute {name!r}")


class StandInFinder:
    """Last on sys.meta_path, and only for imports a revision makes itself: the optional
    imports of installed libraries must keep failing the way they expect."""
    def find_spec(self, name, path, target=None):
        if name.partition(".")[0] in ("alembic", "sqlalchemy"):
            return None
        frame = sys._getframe(1)
        while frame and frame.f_globals.get("__name__", "").startswith("importlib"):
            frame = frame.f_back
        if frame is None or not os.path.realpath(frame.f_code.co_filename).startswith(VERSIONS + os.sep):
            return None
        return importlib.machinery.ModuleSpec(name, self, is_package=True)  # `import a.b` too

    def create_module(self, spec):
        return StandIn(spec.name)

    def exec_module(self, module):
        pass


finder = StandInFinder()
sys.meta_path.append(finder)
try:
    context.configure(url=context.config.get_main_option("sqlalchemy.url"), target_metadata=None,
                      literal_binds=True, dialect_opts={"paramstyle": "named"})
    with context.begin_transaction():
        context.run_migrations()
finally:
    sys.meta_path.remove(finder)
'''
DETACHED = {"down_revision", "depends_on", "branch_labels"}
TIMEOUT = 60
# op.create_table emits CREATE INDEX for the table's indexes in Python set order (SQLAlchemy's
# Table.indexes): it changes between runs, like the two spots normalize.py canonicalises.
_CREATE_TABLE_RE = re.compile(r"^CREATE TABLE (\S+) \(\n")
_CREATE_INDEX_RE = re.compile(r"^CREATE (?:UNIQUE )?INDEX \S+ ON (\S+) \(")


def canonical(sql: str) -> str:
    """normalise_sql, then the run of CREATE INDEX statements on a just-created table sorted."""
    stmts = normalise_sql(sql).split("\n\n")  # offline output separates statements by a blank line
    i = 0
    while i < len(stmts):
        m = _CREATE_TABLE_RE.match(stmts[i])
        j = i + 1
        while m and j < len(stmts) and (ix := _CREATE_INDEX_RE.match(stmts[j])) and ix[1] == m[1]:
            j += 1
        stmts[i + 1:j] = sorted(stmts[i + 1:j])
        i = j
    return "\n\n".join(stmts)


def detach(text: str) -> str:
    """The revision with the values of its top-level down_revision / depends_on / branch_labels
    (plain or annotated, any value) replaced by None; every other byte kept."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):  # Alembic will fail on it as it is
        return text
    spans = []
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else \
            [node.target] if isinstance(node, ast.AnnAssign) and node.value is not None else []
        if any(isinstance(t, ast.Name) and t.id in DETACHED for t in targets):
            v = node.value
            spans.append((v.lineno, v.col_offset, v.end_lineno, v.end_col_offset))
    # ast columns are UTF-8 byte offsets, in lines numbered the way bytes.splitlines counts them.
    data = text.encode("utf-8", "surrogateescape")
    starts = [0]
    for line in data.splitlines(keepends=True):
        starts.append(starts[-1] + len(line))
    for l1, c1, l2, c2 in sorted(spans, reverse=True):
        data = data[:starts[l1 - 1] + c1] + b"None" + data[starts[l2 - 1] + c2:]
    return data.decode("utf-8", "surrogateescape")


def write_scratch(where: Path, dialect: str, name: str, text: str) -> Path:
    (where / "versions").mkdir(parents=True)
    (where / "alembic.ini").write_text(INI.format(url=URLS[dialect]))
    (where / "env.py").write_text(ENV_PY)
    (where / "versions" / name).write_text(text, encoding="utf-8", errors="surrogateescape")
    return where / "alembic.ini"


def alembic_in_process(ini: Path) -> dict:
    """`alembic -c INI upgrade head --sql` in this process: exit code, stdout, stderr."""
    import alembic.config
    out, err, rc = io.StringIO(), io.StringIO(), 0
    try:
        with redirect_stdout(out), redirect_stderr(err):
            alembic.config.main(argv=["-c", str(ini), "upgrade", "head", "--sql"], prog="alembic")
    except SystemExit as e:  # a CommandError: Alembic printed FAILED and exits -1
        rc = e.code if isinstance(e.code, int) else 1
    except BaseException:
        rc = 1
        err.write(traceback.format_exc())
    return {"rc": rc & 0xFF, "stdout": out.getvalue(), "stderr": err.getvalue()}


def alembic_forked(ini: Path) -> dict:
    """Alembic in a fork of this warmed-up worker: the imports are already paid for, and nothing
    a revision loads, registers or monkeypatches survives into the next revision."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        signal.alarm(TIMEOUT)
        with os.fdopen(w, "w", encoding="utf-8") as f:
            json.dump(alembic_in_process(ini), f)
        os._exit(0)
    os.close(w)
    with os.fdopen(r, encoding="utf-8") as f:
        data = f.read()
    _, status = os.waitpid(pid, 0)
    return json.loads(data) if data else {"rc": 1, "stdout": "", "stderr": f"alembic died ({status})"}


def cache_key(text: str, dialect: str) -> str:
    import alembic
    import sqlalchemy
    h = hashlib.sha256()
    for part in (text, dialect, alembic.__version__, sqlalchemy.__version__, ENV_PY, INI):
        h.update(part.encode("utf-8", "surrogateescape") + b"\0")
    return h.hexdigest()


def check_revision(task) -> dict:
    """One revision: Alembic (or its cached output), then migplan on the same scratch project."""
    project, dialect, path, opts = task
    name = os.path.basename(path)
    text = detach(Path(path).read_text(encoding="utf-8", errors="surrogateescape"))
    res = {"project": project, "file": name}
    cached = Path(opts["cache"]) / (cache_key(text, dialect) + ".json")
    with tempfile.TemporaryDirectory(prefix="aid-") as tmp:
        ini = write_scratch(Path(tmp), dialect, name, text)
        if cached.exists():
            ref = json.loads(cached.read_text(encoding="utf-8"))
        else:
            ref = alembic_forked(ini)
            part = cached.with_suffix(f".{os.getpid()}.part")  # another worker may write it too
            part.write_text(json.dumps(ref), encoding="utf-8")
            os.replace(part, cached)
        if ref["rc"] != 0:
            return dict(res, status="alembic_failed")
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "ALEMBIC_CONFIG")}
        try:
            mp = subprocess.run([opts["migplan"], "-c", str(ini), "upgrade", "head", "--sql"], cwd=tmp,
                                env=env, stdin=subprocess.DEVNULL, capture_output=True, timeout=TIMEOUT)
            got, rc, err = (mp.stdout.decode("utf-8", "replace"), mp.returncode,
                            mp.stderr.decode("utf-8", "replace"))
        except subprocess.TimeoutExpired:
            got, rc, err = "", -1, f"timed out after {TIMEOUT}s"
        want_c, got_c = canonical(ref["stdout"]), canonical(got)
        if rc == 0 and want_c == got_c:
            return dict(res, status="identical")
        diff = "".join(difflib.unified_diff(want_c.splitlines(True), got_c.splitlines(True),
                                            "alembic", "migplan", n=1))
        head = [f"migplan exit {rc}: {(err.strip().splitlines() or [''])[0]}"] if rc != 0 else []
        if opts["details"]:
            d = Path(opts["details"]) / project / name
            shutil.rmtree(d, ignore_errors=True)
            shutil.copytree(tmp, d / "scratch")  # to reproduce: migplan -c scratch/alembic.ini ...
            for file, content in (("alembic.sql", ref["stdout"]), ("migplan.sql", got),
                                  ("migplan.stderr", err), ("diff", "".join(h + "\n" for h in head) + diff)):
                (d / file).write_text(content, encoding="utf-8", errors="surrogateescape")
        return dict(res, status="differs", first_diff="\n".join(head + diff.splitlines()[2:12]))


def list_revisions(migplan: str, p: dict):
    """The project's revision files, as migplan finds them with the project's own invocation."""
    inv = ["-c", p["config"]] if p["config"] else ["-d", p["dir"]] + ["--recursive"] * bool(p["recursive"])
    r = subprocess.run([migplan, *inv, "--dialect", p["dialect"], "history", "--format", "json"],
                       cwd=p["cwd"], capture_output=True, text=True, timeout=TIMEOUT)
    try:
        history = json.loads(r.stdout)["history"]
    except (ValueError, KeyError, TypeError):
        first = (r.stderr.strip().splitlines() or ["no output"])[0]
        raise RuntimeError(f"migplan history failed (exit {r.returncode}): {first}")
    return [os.path.join(p["cwd"], h["path"]) for h in history if h.get("path")]


def warm_up(dialect: str):
    """Pool initializer: one Alembic run loads the lazily imported parts of Alembic and
    SQLAlchemy once for all forks.  Only this dialect's: a revision that reaches, say,
    `sa.dialects.mysql` without importing it works only where the real CLI had loaded it."""
    rev = ("from alembic import op\nimport sqlalchemy as sa\nrevision = 'a1'\ndown_revision = None\n"
           "def upgrade():\n    op.create_table('t', sa.Column('id', sa.Integer, primary_key=True),"
           " sa.Column('x', sa.String(5), server_default='a'))\n    op.create_index('ix', 't', ['x'])\n")
    with tempfile.TemporaryDirectory(prefix="aid-warm-") as tmp:
        alembic_in_process(write_scratch(Path(tmp), dialect, "a1.py", rev))


def reexec_in_venv(argv):
    """Alembic runs in-process, so this script must run in the pinned venv, and under
    PYTHONHASHSEED=0 (which only takes effect when the interpreter starts)."""
    if Path(sys.prefix).resolve() == VENV.resolve() and os.environ.get("PYTHONHASHSEED") == "0":
        return
    if not (VENV / "bin" / "alembic").exists():
        print(f"alembic_identity: creating {VENV}", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        subprocess.run([str(VENV / "bin" / "pip"), "install", "--quiet", "--disable-pip-version-check",
                        *PINS], check=True)
    py = str(VENV / "bin" / "python")
    env = dict(os.environ, PYTHONHASHSEED="0", PYTHONDONTWRITEBYTECODE="1", PYTHONIOENCODING="utf-8")
    os.execve(py, [py, str(Path(__file__).resolve()), *argv], env)


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--migplan", required=True, type=Path)
    ap.add_argument("--projects", required=True, type=Path, help="projects.json of corpus --fetch-only")
    ap.add_argument("--out", required=True, type=Path)
    ap.add_argument("--only", help="one project")
    ap.add_argument("--details", type=Path, help="write each differing pair under DIR/<project>/<file>/")
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args(argv)
    if not args.migplan.is_file() or not os.access(args.migplan, os.X_OK):
        ap.error(f"no migplan executable at {args.migplan}")
    try:
        projects = json.loads(args.projects.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        ap.error(f"cannot read {args.projects}: {e}")
    try:
        reexec_in_venv(argv)
    except (OSError, subprocess.CalledProcessError) as e:
        print(f"alembic_identity: no Alembic venv at {VENV}: {e}", file=sys.stderr)
        return 2

    import multiprocessing
    started = time.monotonic()
    cache = Path(os.environ.get("MIGPLAN_CORPUS_CACHE") or Path.home() / ".cache/migplan-corpus")
    cache = cache / "alembic-out"
    cache.mkdir(parents=True, exist_ok=True)
    if args.details:
        shutil.rmtree(args.details / args.only if args.only else args.details, ignore_errors=True)
    opts = {"migplan": str(args.migplan.resolve()), "cache": str(cache),
            "details": str(args.details.resolve()) if args.details else None}
    results, tasks = {}, []
    for name, p in sorted(projects.items()):
        if not p.get("alembic") or (args.only and name != args.only):
            continue
        results[name] = {"identical": [0, 0], "alembic_failed": 0, "differs": []}
        try:
            tasks += [(name, p["dialect"], f, opts) for f in list_revisions(opts["migplan"], p)]
        except (RuntimeError, OSError, subprocess.TimeoutExpired) as e:
            results[name]["error"] = str(e)
    if args.only and not results:
        ap.error(f"no Alembic project named {args.only!r} in {args.projects}")

    # One pool per dialect, its workers warmed up for that dialect only (see warm_up); the
    # workers are single-threaded, so they can safely fork once per revision.
    for dialect in sorted({t[1] for t in tasks}):
        group = [t for t in tasks if t[1] == dialect]
        with multiprocessing.get_context("fork").Pool(max(1, args.jobs), warm_up, (dialect,)) as pool:
            for r in pool.imap_unordered(check_revision, group, chunksize=4):
                row = results[r["project"]]
                if r["status"] == "alembic_failed":
                    row["alembic_failed"] += 1
                    continue
                row["identical"][0] += r["status"] == "identical"
                row["identical"][1] += 1
                if r["status"] == "differs":
                    row["differs"].append({"file": r["file"], "first_diff": r["first_diff"]})

    total = [0, 0, 0]
    for name, row in results.items():
        row["differs"].sort(key=lambda d: d["file"])
        (same, rendered), failed = row["identical"], row["alembic_failed"]
        total = [total[0] + same, total[1] + rendered, total[2] + failed]
        note = f"  ({row['error']})" if "error" in row else ""
        print(f"{name:26} {same:4}/{rendered:<4} identical, {failed:4} alembic_failed{note}", file=sys.stderr)
    print(f"{'total':26} {total[0]:4}/{total[1]:<4} identical, {total[2]:4} alembic_failed"
          f"  ({time.monotonic() - started:.1f} s)", file=sys.stderr)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
