"""The parent side: run a spec in a child process under an address-space limit and a timeout,
and judge the outcome against the contract (see the package docstring)."""

from __future__ import annotations

import hashlib
import os
import pickle
import signal
import subprocess
import sys
import tempfile
import time
import warnings
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fuzz import known

TESTS = Path(__file__).resolve().parent.parent
TIMEOUT = float(os.environ.get("FUZZ_TIMEOUT", "60"))
LIMIT = int(os.environ.get("FUZZ_AS_LIMIT", str(4 << 30)))
WORKERS = int(os.environ.get("FUZZ_WORKERS", str(min(2, os.cpu_count() or 1))))


@dataclass
class Run:
    """What one child did."""

    spec: dict
    outcome: dict | None
    returncode: int | None
    stderr: str
    seconds: float
    timed_out: bool = False
    problems: list[str] = field(default_factory=list)
    known: str | None = None

    def describe(self) -> str:
        head = f"{len(self.problems)} problem(s) in {self.seconds:.1f} s"
        if self.known:
            head += f" (open finding {self.known})"
        lines = [head, *("  - " + p for p in self.problems), "spec: " + short_repr(self.spec)]
        if self.outcome:
            lines.append("outcome: " + short_repr(self.outcome))
        if self.stderr.strip():
            lines.append("stderr (end): " + self.stderr[-1500:])
        return "\n".join(lines)


def short_repr(value: Any, limit: int = 4000) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + f"... ({len(text)} characters)"


def execute(spec: dict, *, timeout: float = TIMEOUT, limit: int = LIMIT) -> Run:
    """Run ``spec`` in a fresh child process; no judgement."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(TESTS) + os.pathsep + env.get("PYTHONPATH", "")
    env["FUZZ_AS_LIMIT"] = str(limit)
    env["RUST_BACKTRACE"] = "0"
    env["PYTHONFAULTHANDLER"] = "1"
    env.setdefault("POLARS_MAX_THREADS", "2")
    start = time.monotonic()
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "fuzz.child"],
            input=pickle.dumps(spec),
            capture_output=True,
            timeout=timeout,
            cwd=TESTS,
            env=env,
        )
    except subprocess.TimeoutExpired as e:
        err = (e.stderr or b"").decode("utf-8", "replace")
        return Run(spec, None, None, err, time.monotonic() - start, timed_out=True)
    seconds = time.monotonic() - start
    outcome = None
    if proc.stdout:
        try:
            outcome = pickle.loads(proc.stdout)
        except Exception:  # noqa: BLE001 - a torn write is reported below
            outcome = None
    return Run(spec, outcome, proc.returncode, proc.stderr.decode("utf-8", "replace"), seconds)


def judge(run: Run) -> Run:
    """Fill ``run.problems`` with every way the outcome breaks the contract."""
    spec, out = run.spec, run.outcome
    expect = spec.get("expect", {})
    problems = run.problems
    if run.timed_out:
        problems.append(f"timeout: still running after {TIMEOUT:.0f} s")
    elif run.returncode is not None and run.returncode < 0:
        problems.append(f"killed by {signal.Signals(-run.returncode).name}")
    elif out is None:
        problems.append(f"the child exited with {run.returncode} and no outcome")
    elif out["kind"] == "build_error":
        problems.append("the test's builder failed (a bug of the fuzz suite): " + out["traceback"][-1500:])
    elif out["kind"] == "error":
        problems.extend(judge_error(expect, out))
    else:
        problems.extend(out.get("violations", []))
        if expect.get("raises"):
            problems.append("a result, but the example passes an invalid argument: " + ", ".join(expect["raises"]))
    if problems:
        run.known = known.explain(spec, out, run.stderr, problems)
    return run


def judge_error(expect: dict, out: dict) -> list[str]:
    name = out["type"]
    if out.get("tthc"):
        if out["code"] == "internal_error":
            return [f"{name}(internal_error), a caught panic: {out['message'][:300]}"]
        allowed = expect.get("errors")
        if allowed is not None and name not in allowed and out["code"] not in allowed:
            return [f"{name}({out['code']}) where the spec wants one of {sorted(allowed)}: {out['message'][:300]}"]
        if expect.get("result"):
            return [f"valid input refused with {name}({out['code']}): {out['message'][:300]}"]
        return []
    if out.get("type_error"):
        if expect.get("type_error_ok"):
            return []
        return [f"TypeError for a correctly typed call: {out['message'][:300]}"]
    if out.get("producer_error"):
        return []  # the input's own producer failed and its exception came back: fine
    kind = "a BaseException that is not an Exception" if out.get("base_only") else "an untyped exception"
    return [f"{kind}: {name}: {out['message'][:300]}"]


def run(spec: dict, **kw: Any) -> Run:
    """Execute and judge; a match with an open finding becomes a ``KnownFindingWarning``."""
    r = judge(execute(spec, **kw))
    return r


def save(spec: dict) -> Path:
    """Pickle a failing spec for ``python -m fuzz.child < path``."""
    folder = Path(os.environ.get("FUZZ_FAILURES", Path(tempfile.gettempdir()) / "tthc-fuzz-failures"))
    folder.mkdir(parents=True, exist_ok=True)
    data = pickle.dumps(spec)
    path = folder / f"{spec.get('family', 'spec')}-{hashlib.sha1(data).hexdigest()[:12]}.pickle"
    path.write_bytes(data)
    return path


def check_all(specs: list[dict], workers: int = WORKERS) -> list[Run]:
    """Run many specs, ``workers`` children at a time; one assertion listing every failure."""
    with ThreadPoolExecutor(max_workers=workers) as pool:
        runs = list(pool.map(run, specs))
    failures = []
    for r in runs:
        if not r.problems:
            continue
        if r.known and not known.STRICT:
            warnings.warn(known.KnownFindingWarning(f"{r.known}: {r.problems[0][:300]}"), stacklevel=2)
            continue
        failures.append(f"{r.describe()}\nreproduce: PYTHONPATH={TESTS} python -m fuzz.child < {save(r.spec)}")
    if failures:
        raise AssertionError(f"{len(failures)} of {len(runs)} examples break the contract:\n\n" + "\n\n".join(failures))
    return runs


def check(spec: dict, **kw: Any) -> Run:
    """Execute, judge and assert (the body of every fuzz test)."""
    r = run(spec, **kw)
    if r.problems:
        if r.known and not known.STRICT:
            warnings.warn(known.KnownFindingWarning(f"{r.known}: {r.problems[0][:300]}"), stacklevel=2)
            return r
        raise AssertionError(f"{r.describe()}\nreproduce: PYTHONPATH={TESTS} python -m fuzz.child < {save(r.spec)}")
    return r


# ---------------------------------------------------------------------------- snippets in a child

PRELUDE = """
import json, os, resource, sys
_limit = {limit}
if _limit:
    resource.setrlimit(resource.RLIMIT_AS, (_limit, _limit))
sys.path.insert(0, {tests!r})
def emit(value):
    sys.__stdout__.write("@@RESULT@@" + json.dumps(value, default=repr) + "\\n")
    sys.__stdout__.flush()
def outcome(fn):
    '''("result", value) or ("error", class name, code, message) of fn(), whatever it raises.'''
    try:
        return ["result", fn()]
    except BaseException as e:
        return ["error", type(e).__name__, getattr(e, "code", None), str(e)[:1000], len(str(e)),
                isinstance(e, Exception)]
"""


@dataclass
class CodeRun:
    """A snippet's run in a child: what it ``emit``-ted, and how the process ended."""

    result: Any
    returncode: int | None
    stderr: str
    seconds: float
    timed_out: bool

    def ended_cleanly(self) -> str | None:
        """Why the child did not end normally with a result, or None."""
        if self.timed_out:
            return f"timeout after {self.seconds:.0f} s"
        if self.returncode is not None and self.returncode < 0:
            return f"killed by {signal.Signals(-self.returncode).name}: {self.stderr[-800:]}"
        if self.returncode != 0 or self.result is None:
            return f"exit {self.returncode} without a result: {self.stderr[-800:]}"
        return None


def run_code(code: str, *, timeout: float = TIMEOUT, limit: int = LIMIT) -> CodeRun:
    """Run ``code`` (which calls ``emit(value)`` once, JSON-able) in a fresh child process under
    the address-space ``limit`` and the ``timeout``."""
    import json
    import textwrap

    source = PRELUDE.format(limit=limit, tests=str(TESTS)) + textwrap.dedent(code)
    env = dict(os.environ, RUST_BACKTRACE="0", PYTHONFAULTHANDLER="1")
    start = time.monotonic()
    try:
        proc = subprocess.run([sys.executable, "-c", source], capture_output=True, timeout=timeout, cwd=TESTS, env=env)
    except subprocess.TimeoutExpired as e:
        return CodeRun(None, None, (e.stderr or b"").decode("utf-8", "replace"), time.monotonic() - start, True)
    result = None
    for line in proc.stdout.decode("utf-8", "replace").splitlines():
        if line.startswith("@@RESULT@@"):
            result = json.loads(line[len("@@RESULT@@"):])
    return CodeRun(result, proc.returncode, proc.stderr.decode("utf-8", "replace"), time.monotonic() - start, False)
