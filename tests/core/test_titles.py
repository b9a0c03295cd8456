"""Every page's <title> is plain text: a title block closes on its own line.

A walk-through found a care plan version page whose ``{% block title %}`` was never closed, so
the co-sign form (CSRF token included) became the browser tab's title. Django accepts that
template; this test does not.
"""

from __future__ import annotations

import re
from pathlib import Path

import caseload

TEMPLATES = sorted(Path(caseload.__file__).parent.rglob("templates/**/*.html"))
TITLE_BLOCK = re.compile(r"{%\s*block\s+title\s*%}")
CLOSED_TITLE = re.compile(r"{%\s*block\s+title\s*%}[^\n]*?{%\s*endblock(\s+title)?\s*%}")
TAGS_IN_A_TITLE = re.compile(r"{%\s*(?!if\b|elif\b|else\b|endif\b|firstof\b)[a-z]")


def test_templates_are_found() -> None:
    assert len(TEMPLATES) > 50


def test_every_title_block_closes_on_its_line_and_holds_only_text() -> None:
    wrong = []
    for template in TEMPLATES:
        text = template.read_text()
        opened = len(TITLE_BLOCK.findall(text))
        closed = CLOSED_TITLE.findall(text)
        if opened != len(closed):
            wrong.append(f"{template}: a title block does not close on its own line")
            continue
        for match in CLOSED_TITLE.finditer(text):
            inner = match.group(0)[match.group(0).index("%}") + 2 :]
            inner = inner[: inner.rindex("{%")]
            if TAGS_IN_A_TITLE.search(inner) or "<" in inner:
                wrong.append(f"{template}: markup or a tag in the title: {inner!r}")
    assert not wrong, "\n".join(wrong)
