#!/usr/bin/env bash
# End-to-end test of action.yml as a GitHub runner runs it, without GitHub: the wheel is
# published on a local pypiserver (127.0.0.1, a free port), and the action's `run:` steps
# (tests/action/run_action.py) install it with pip from there into a fresh venv and check a
# temp git repository whose PR branch adds one Alembic revision with an error finding.
# Then README's pre-commit hook with the wheel (`repo: local`, language python), on the same
# repository through the same index.
#   tests/action/run.sh [WHEEL]     (default: the one scripts/package left in target/package/)
# Checks the job summary, the annotations on stdout and the exit status, on a pull request and
# on a push (no base); prints the time from a fresh runner to the summary.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
target_dir=$(cargo metadata --no-deps --format-version 1 |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
version=$(cargo metadata --no-deps --format-version 1 |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["packages"][0]["version"])')
wheel=${1:-$(ls "$target_dir"/package/migplan-"$version"-*.whl)}

# The index server and the action runner's YAML reader, pinned (scripts/package makes the venv).
venv="$target_dir/package-venv"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check pypiserver==2.4.2 pyyaml==6.0.3 pre-commit==4.7.0

tmp=$(mktemp -d)
server=
cleanup() {
  # Our own server, by its pid; its SIGTERM status is not the test's.
  [ -n "$server" ] && kill "$server" 2>/dev/null && { wait "$server" 2>/dev/null || true; }
  rm -rf "$tmp"
}
trap cleanup EXIT

mkdir "$tmp/index"
cp "$wheel" "$tmp/index/"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
# With pypiserver's fallback to the public index for what it does not hold: pre-commit's
# placeholder package needs setuptools. migplan itself is always the local wheel.
"$venv/bin/pypi-server" run -i 127.0.0.1 -p "$port" "$tmp/index" >"$tmp/server.log" 2>&1 &
server=$!
index="http://127.0.0.1:$port/simple/"
for _ in $(seq 100); do
  curl -fsS "$index" >/dev/null 2>&1 && break
  sleep 0.2
done
curl -fsS "${index}migplan/" | grep -q "$(basename "$wheel")" ||
  { cat "$tmp/server.log" >&2; echo "error: pypiserver does not serve $(basename "$wheel")" >&2; exit 1; }

# The repository under review: the bundled example on main; the PR adds a NOT NULL column
# without a default to a table that has rows (adding-not-null-column, an error).
repo="$tmp/repo"
mkdir -p "$repo"
cp -r examples/shop/alembic.ini examples/shop/env.py examples/shop/script.py.mako examples/shop/versions "$repo/"
new=versions/f00dcafe0001_orders_gift_note.py
git() { command git -C "$repo" -c user.name=t -c user.email=t@example.com -c core.autocrlf=false "$@"; }
git init -q -b main
git add -A && git commit -qm base
git update-ref refs/remotes/origin/main main
git checkout -q -b pr
cat >"$repo/$new" <<'PY'
"""orders gift note

Revision ID: f00dcafe0001
Revises: b57a0e9d2c16
"""
from alembic import op
import sqlalchemy as sa

revision = "f00dcafe0001"
down_revision = "b57a0e9d2c16"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("orders", sa.Column("gift_note", sa.String(200), nullable=False))


def downgrade():
    op.drop_column("orders", "gift_note")
PY
git add -A && git commit -qm "orders gift note"

fail=0
# run NAME EXPECTED_STATUS BASE_REF [input=value...]: the action on a fresh runner.
run() {
  local name=$1 want=$2 base_ref=$3
  shift 3
  local rt="$tmp/runner-$name"
  mkdir -p "$rt/temp"
  : >"$rt/summary.md"
  local start end status=0
  start=$EPOCHREALTIME
  # A runner's environment: no venv of ours on PATH, pip pointed at the local index.
  env -u VIRTUAL_ENV -u PIP_FIND_LINKS \
    GITHUB_ACTIONS=true CI=true GITHUB_WORKSPACE="$repo" GITHUB_ACTION_PATH="$root" \
    GITHUB_STEP_SUMMARY="$rt/summary.md" RUNNER_TEMP="$rt/temp" GITHUB_BASE_REF="$base_ref" \
    PIP_INDEX_URL="$index" PIP_DISABLE_PIP_VERSION_CHECK=1 \
    "$venv/bin/python" tests/action/run_action.py action.yml "$repo" "$@" >"$rt/stdout" 2>"$rt/stderr" ||
    status=$?
  end=$EPOCHREALTIME
  awk -v n="$name" -v s="$status" -v a="$start" -v b="$end" \
    'BEGIN { printf "action test (%s): exit %s, %.1f s from a fresh venv to the job summary and annotations\n", n, s, b - a }'
  if [ "$status" != "$want" ]; then
    echo "error: the action exited $status on $name, expected $want" >&2
    sed 's/^/  | /' "$rt/stdout" "$rt/stderr" >&2
    fail=1
  fi
}
expect() { # expect NAME FILE PATTERN WHAT
  if ! grep -qE -- "$3" "$tmp/runner-$1/$2"; then
    echo "error: $1: $2 lacks $4 (/$3/)" >&2
    sed 's/^/  | /' "$tmp/runner-$1/$2" >&2
    fail=1
  fi
}

run pr 1 main config=alembic.ini
expect pr stdout "^migplan $version\$" "the installed version"
expect pr stdout "^::error file=$new,line=16,[^:]*title=adding-not-null-column::" "the error annotation on the new revision"
expect pr stdout "^::warning file=versions/" "warning annotations"
expect pr summary.md "f00dcafe0001" "the new revision"
expect pr summary.md "adding-not-null-column" "the finding"
expect pr summary.md "New in this PR \(against .origin/main.\)" "the comparison with the base"
if [ "$(grep -c '^::error' "$tmp/runner-pr/stdout")" != 1 ]; then
  echo "error: pr: expected exactly one error annotation (adding-not-null-column)" >&2
  grep '^::error' "$tmp/runner-pr/stdout" >&2
  fail=1
fi

# A push to main: no base, the example's warnings only, the step passes.
git checkout -q main
run push 0 "" config=alembic.ini
expect push stdout "^::warning file=versions/" "warning annotations"
expect push summary.md "warning" "the findings"
if grep -q "^::error" "$tmp/runner-push/stdout"; then
  echo "error: push: an error annotation on the example, which has none" >&2
  fail=1
fi

# pre-commit with the wheel: README's `repo: local` hook, as written there.
"$venv/bin/python" - README.md "$repo/.pre-commit-config.yaml" <<'PY'
import re, sys
blocks = [b for b in re.findall(r"```yaml\n(.*?)```", open(sys.argv[1]).read(), re.S) if "repo: local" in b]
if len(blocks) != 1:
    sys.exit(f"README: expected one pre-commit `repo: local` block, found {len(blocks)}")
open(sys.argv[2], "w").write(blocks[0])
PY
precommit() { # precommit NAME EXPECTED_STATUS
  local status=0 start=$EPOCHREALTIME
  (cd "$repo" && env -u VIRTUAL_ENV PRE_COMMIT_HOME="$tmp/pre-commit-home" PIP_INDEX_URL="$index" \
    PIP_DISABLE_PIP_VERSION_CHECK=1 "$venv/bin/pre-commit" run --all-files) >"$tmp/pre-commit-$1.out" 2>&1 ||
    status=$?
  awk -v n="$1" -v s="$status" -v a="$start" -v b="$EPOCHREALTIME" \
    'BEGIN { printf "pre-commit with the wheel (%s): exit %s, %.1f s\n", n, s, b - a }'
  if [ "$status" != "$2" ]; then
    echo "error: pre-commit exited $status on $1, expected $2" >&2
    sed 's/^/  | /' "$tmp/pre-commit-$1.out" >&2
    fail=1
  fi
}
precommit main 0
grep -q "^migplan check\.*Passed" "$tmp/pre-commit-main.out" || { echo "error: pre-commit: the hook did not pass on main" >&2; fail=1; }
git checkout -q pr
precommit pr 1
grep -q "adding-not-null-column" "$tmp/pre-commit-pr.out" || { echo "error: pre-commit: no adding-not-null-column on the PR" >&2; fail=1; }

[ "$fail" = 0 ] && echo "action and pre-commit tests: passed"
exit "$fail"
