#!/usr/bin/env python3
"""Peer comparison (`make bench-peers`): tm.report and the working-day calendar against polars,
DuckDB, pandas and numpy on one seeded dataset handed over in many shapes.

A thin entry point: the benchmark is the package beside this file, `tthc_peers/`
(data, shapes, engines/, verify, measure, render, cli). See `tthc_peers/cli.py` for what a run does
and `python benches/peers/run.py --help` for the options; `--quick` runs a reduced matrix on 100k
rows in a few minutes, `--list` prints the matrix.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from tthc_peers import *  # noqa: E402,F401,F403 - the importable functions of the earlier run.py
from tthc_peers.cli import main  # noqa: E402

if __name__ == "__main__":
    main()
