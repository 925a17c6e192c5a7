"""How many examples a fuzz test draws, and how they run.

- default and ``HYPOTHESIS_PROFILE=ci`` (``make test``): a few examples a test, drawn
  derandomized (CI always checks the same examples) up front, then run two children at a time
  (a child costs about a second: the imports); one failure lists every failing spec;
- ``HYPOTHESIS_PROFILE=deep`` (``make fuzz``): ``FUZZ_EXAMPLES`` (default 200) random examples a
  test through ``@given``, one child at a time, with shrinking, so a failure comes back small
  (and hypothesis's database replays it).
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, Phase, settings

PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "")
DEEP = PROFILE == "deep"
DEEP_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "200"))


def draw(strategy, n: int) -> list:
    """``n`` examples of ``strategy``, the same ones every run."""
    from hypothesis import given

    out: list = []

    @settings(max_examples=n, derandomize=True, database=None, phases=[Phase.generate], deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(strategy)
    def collect(example):
        out.append(example)

    collect()
    return out[:n]


def fuzz_settings(quick: int) -> settings:
    """Settings of a fuzz test: ``quick`` derandomized examples, or the deep run's count."""
    if DEEP:
        return settings(
            max_examples=DEEP_EXAMPLES,
            deadline=None,
            derandomize=False,
            print_blob=True,
            suppress_health_check=list(HealthCheck),
        )
    return settings(
        max_examples=quick,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        print_blob=True,
        suppress_health_check=list(HealthCheck),
    )
