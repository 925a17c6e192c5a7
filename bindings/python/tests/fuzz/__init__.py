"""A black-box fuzz suite of the Python API (issue 16).

Each example is a *spec*: plain, picklable Python data (logical rows, how each column is encoded,
the container, the options, the malformation) drawn by the hypothesis strategies of
:mod:`fuzz.strategies`. :func:`fuzz.runner.run` sends the spec to a fresh child process
(``python -m fuzz.child``) that sets an address-space limit (``RLIMIT_AS``, 4 GB), builds the
input there (malformed buffers are never built in the test process), calls the API and checks
the result; the parent enforces a timeout (60 s). The contract every example must meet:

- **a typed error**: a :class:`tthc_metrics.TthcError` subclass whose code is not
  ``internal_error`` (a caught panic is a bug), or a ``TypeError`` where the example passes a
  wrongly typed argument or an unknown option name; an example with an invalid option value
  must raise one of these;
- **or a result that conserves every row**: ``inputs == rows counted + excluded + rejected +
  repeats`` (the report's provenance, its ``rejected`` table, and a ``tm.tally`` of the same
  input), the identities of domain-rules section 6 in every row, and, where the input is valid
  data in an encoding the spec defines, equality with the pure-Python reference of
  ``test_differential.py``;
- never a signal (SIGSEGV, SIGABRT), a ``PanicException`` or other ``BaseException``, a
  timeout, or an exception of another class.

Modules: :mod:`fuzz.strategies` (what is drawn), :mod:`fuzz.build` (specs to pyarrow / polars /
pandas / C-stream inputs, and the logical values the library must read from them),
:mod:`fuzz.cstream` (a C stream producer that sends batches pyarrow would refuse),
:mod:`fuzz.checks` (conservation and the reference, run in the child), :mod:`fuzz.child`
(the child's entry point), :mod:`fuzz.runner` (the parent side: limits, timeout, verdict),
:mod:`fuzz.known` (the findings still open, shared with ``test_hostile_regressions.py``) and
:mod:`fuzz.profile` (example counts: a few, derandomized, by default; many with
``HYPOTHESIS_PROFILE=deep``).

An example that fails only the way an open finding of :mod:`fuzz.known` says is reported as a
``KnownFindingWarning`` rather than a failure, so the quick suite stays green while the named
regression test of that finding is a strict ``xfail``; ``FUZZ_STRICT=1`` turns those warnings
into failures (for whoever fixes them). Reproduce a failing example with the spec printed in the
failure: ``python -m fuzz.child < spec.pickle`` or ``fuzz.runner.run(spec)``.
"""
