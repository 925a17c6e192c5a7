"""The analyst's path of docs/exports.md ("From the portal's export": file in, Friday figures out)
runs as written, on the export the generator writes (tests/exports, 5,000 dossiers, seed 17), and
so does the same section once it is in the README."""

import re
import warnings
from pathlib import Path

import pytest

pytest.importorskip("xlsxwriter")

from exports import generate as g  # noqa: E402

ROOT = Path(__file__).resolve().parents[3]
SECTION = "## From the portal's export"


def _blocks(text: str) -> list[str]:
    if SECTION not in text:
        return []
    part = text[text.index(SECTION):]
    nxt = re.search(r"\n## ", part[len(SECTION):])
    part = part[: len(SECTION) + nxt.start()] if nxt else part
    return re.findall(r"```python\n(.*?)```", part, flags=re.S)


@pytest.mark.parametrize("doc", ["docs/exports.md", "README.md"])
def test_the_analysts_path_runs(doc, tmp_path, monkeypatch):
    path = ROOT / doc
    if not path.exists():
        pytest.skip(f"{doc} is not there")
    blocks = _blocks(path.read_text(encoding="utf-8"))
    if not blocks:
        if doc == "README.md":
            pytest.skip("the README has no such section yet")
        pytest.fail(f"{doc} has no Python example under {SECTION!r}")
    g.write_all(g.make_truth(), tmp_path)
    monkeypatch.chdir(tmp_path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the repeats are listed in a RejectedRowsWarning
        for block in blocks:
            exec(compile(block, str(path), "exec"), {})
