"""Runs action.yml's composite steps as a GitHub runner would, on this machine.

usage: run_action.py ACTION_YML WORKDIR [input=value ...]

Each `run:` step goes through `bash --noprofile --norc -eo pipefail` (GitHub's `shell: bash`)
in WORKDIR, with `${{ inputs.* }}` (defaults, then the arguments), `${{ github.base_ref }}` and
`${{ github.event.pull_request.number }}` substituted in `env:` and `run:`, and GITHUB_ENV /
GITHUB_PATH honoured between steps. The runner's variables (GITHUB_STEP_SUMMARY,
GITHUB_ACTION_PATH, RUNNER_TEMP, GITHUB_BASE_REF, PIP_INDEX_URL...) come from our own
environment. Steps' stdout and stderr pass through; the exit status is the first failing
step's (later steps are skipped, as on GitHub).
"""
import os
import re
import subprocess
import sys
import tempfile

import yaml

EXPR = re.compile(r"\$\{\{\s*([^}]*?)\s*\}\}")


def main():
    action_yml, workdir, *assigns = sys.argv[1:]
    action = yaml.safe_load(open(action_yml))
    assert action["runs"]["using"] == "composite", "not a composite action"
    inputs = {k: str(v.get("default", "")) for k, v in action.get("inputs", {}).items()}
    for a in assigns:
        k, _, v = a.partition("=")
        if k not in inputs:
            sys.exit(f"run_action.py: action.yml has no input {k!r}")
        inputs[k] = v
    ctx = {
        "github.base_ref": os.environ.get("GITHUB_BASE_REF", ""),
        "github.event.pull_request.number": os.environ.get("PR_NUMBER_FOR_TEST", ""),
        "github.action_path": os.environ["GITHUB_ACTION_PATH"],
        "runner.temp": os.environ["RUNNER_TEMP"],
    }

    def expand(text, depth=0):
        def one(m):
            name = m.group(1)
            if name.startswith("inputs."):
                # Input defaults may hold expressions themselves (base: origin/${{ github.base_ref }}).
                return expand(inputs[name[len("inputs."):]], depth + 1)
            if name in ctx:
                return ctx[name]
            sys.exit(f"run_action.py: no value for the expression ${{{{ {name} }}}}")
        return EXPR.sub(one, str(text))

    env = dict(os.environ)
    for i, step in enumerate(action["runs"]["steps"]):
        if "run" not in step:
            sys.exit(f"run_action.py: step {i} is not a run: step (uses: is not simulated)")
        if step.get("shell") != "bash":
            sys.exit(f"run_action.py: step {step.get('name', i)} has no `shell: bash`")
        name = step.get("name", f"step {i}")
        print(f"::group::{name}", flush=True)
        step_env = dict(env)
        for k, v in (step.get("env") or {}).items():
            step_env[k] = expand(v)
        with tempfile.TemporaryDirectory() as d:
            genv, gpath = os.path.join(d, "env"), os.path.join(d, "path")
            open(genv, "w").close()
            open(gpath, "w").close()
            step_env["GITHUB_ENV"], step_env["GITHUB_PATH"] = genv, gpath
            script = os.path.join(d, "step.sh")
            with open(script, "w") as f:
                f.write(expand(step["run"]))
            rc = subprocess.call(["bash", "--noprofile", "--norc", "-eo", "pipefail", script],
                                 cwd=workdir, env=step_env)
            # What a step adds with GITHUB_ENV / GITHUB_PATH holds for the later steps.
            for line in open(genv):
                if "=" in line and "<<" not in line:
                    k, _, v = line.rstrip("\n").partition("=")
                    env[k] = v
            for line in open(gpath):
                if line.strip():
                    env["PATH"] = line.strip() + os.pathsep + env["PATH"]
        print("::endgroup::", flush=True)
        if rc != 0:
            print(f"run_action.py: step {name!r} exited {rc}", file=sys.stderr)
            sys.exit(rc)


if __name__ == "__main__":
    main()
