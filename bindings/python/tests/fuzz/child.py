"""The child process of the fuzz runner: ``python -m fuzz.child`` reads a pickled spec on stdin,
limits its own address space, builds the input, calls the API, checks the result and writes a
pickled outcome on stdout (everything the code under test prints goes to stderr).

Run by hand to reproduce an example: ``python -m fuzz.child < spec.pickle``
(``FUZZ_AS_LIMIT`` sets the limit in bytes, default 4 GB; 0 for none).
"""

from __future__ import annotations

import os
import pickle
import resource
import sys


def main() -> None:
    limit = int(os.environ.get("FUZZ_AS_LIMIT", str(4 << 30)))
    if limit:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    spec = pickle.load(sys.stdin.buffer)
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # the library's and the builders' prints go to stderr
    sys.stdout = sys.stderr
    from fuzz import checks

    outcome = checks.execute(spec)
    pickle.dump(outcome, out)
    out.flush()


if __name__ == "__main__":
    main()
