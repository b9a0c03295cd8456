"""Printable documents (PDF, built with fpdf2): the page, fonts and text blocks every Caseload
document shares — a referral letter, a career plan.

DejaVu covers every name we will meet (accents, Vietnamese, Cyrillic ...). Debian ships it as
fonts-dejavu-core; without it a document falls back to Helvetica, which is Latin-1 only.
"""

from __future__ import annotations

from pathlib import Path

from fpdf import FPDF
from fpdf.enums import XPos, YPos

FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"))


def _font_dir() -> Path | None:
    for folder in FONT_DIRS:
        if (folder / "DejaVuSans.ttf").exists() and (folder / "DejaVuSans-Bold.ttf").exists():
            return folder
    return None


class Document(FPDF):
    """A Letter-size page with margins, a body font and a footer naming the document."""

    def __init__(self, *, title: str, footer_label: str) -> None:
        super().__init__(format="Letter")
        self.footer_label = footer_label
        folder = _font_dir()
        if folder is not None:
            self.add_font("Body", "", str(folder / "DejaVuSans.ttf"))
            self.add_font("Body", "B", str(folder / "DejaVuSans-Bold.ttf"))
            self.body_font = "Body"
            self.has_unicode_font = True
        else:
            self.body_font = "Helvetica"
            self.has_unicode_font = False
        self.set_margins(22, 20, 22)
        self.set_auto_page_break(auto=True, margin=20)
        self.set_title(title)
        self.set_creator("Caseload")

    def text_of(self, value: str) -> str:
        if self.has_unicode_font:
            return value
        return value.encode("latin-1", "replace").decode("latin-1")

    def footer(self) -> None:
        self.set_y(-14)
        self.set_font(self.body_font, "", 8)
        self.cell(
            0, 5, self.text_of(f"{self.footer_label} · page {self.page_no()} of {{nb}}"), align="C"
        )

    def heading(self, value: str) -> None:
        self.ln(3)
        self.set_font(self.body_font, "B", 12)
        self.multi_cell(0, 7, self.text_of(value), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_font(self.body_font, "", 10.5)

    def line_pair(self, label: str, value: str) -> None:
        self.set_font(self.body_font, "B", 10.5)
        self.cell(48, 6, self.text_of(label))
        self.set_font(self.body_font, "", 10.5)
        self.multi_cell(
            0, 6, self.text_of(value or "—"), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT
        )

    def paragraph(self, value: str) -> None:
        self.set_font(self.body_font, "", 10.5)
        self.multi_cell(0, 6, self.text_of(value), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def bullet(self, value: str) -> None:
        self.set_font(self.body_font, "", 10)
        self.cell(5, 5.5, self.text_of("•"))
        self.multi_cell(0, 5.5, self.text_of(value), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
