"""The month report as a CSV file (``core.csv``) and a PDF (fpdf2)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from fpdf import FPDF

from caseload.core.csv import stream_rows
from caseload.core.pdf import FONT_DIRS
from caseload.reports.selectors import FigureRow, MonthReport


def shown(value: Any, kind: str) -> str:
    """A figure as the page, the CSV and the PDF show it."""
    if value is None:
        return "—"
    if kind == "percent":
        return f"{value:g}%"
    if kind == "rate":
        return f"{value:.2f}"
    if kind == "days":
        return f"{value:g}"
    return str(value)


def _plain(value: Any, kind: str) -> Any:
    return "" if value is None else value


def csv_lines(report: MonthReport) -> Iterator[str]:
    """One line per figure and scope: the month's total, each program, each care manager, and
    the 12-month trend (one column per month)."""
    months = [m.key for m in report.months]
    header = ["section", "figure", "scope", "name", report.month.key + " value", *months]
    sections = {key: label for key, label, _ in report.sections()}

    def lines() -> Iterator[list[Any]]:
        for row in report.rows:
            section = sections[row.section]
            yield [
                section,
                row.label,
                "total",
                report.scope_label,
                _plain(row.total, row.kind),
                *(_plain(v, row.kind) for v in row.trend),
            ]
            for program in report.programs:
                value = row.by_program.get(program.pk, 0 if row.kind == "count" else None)
                yield [section, row.label, "program", program.name, _plain(value, row.kind)]
            for manager in report.care_managers:
                value = row.by_care_manager.get(manager.pk, 0 if row.kind == "count" else None)
                yield [section, row.label, "care manager", str(manager), _plain(value, row.kind)]
        for extension in report.extension_sections:
            for extra in extension.rows:
                yield [extension.title, extra.label, "total", report.scope_label, extra.value]
                for manager in report.care_managers:
                    if manager.pk in extra.per_care_manager:
                        value = extra.per_care_manager[manager.pk]
                        yield [extension.title, extra.label, "care manager", str(manager), value]

    return stream_rows(header, lines())


class _Report(FPDF):
    def __init__(self, title: str) -> None:
        super().__init__(orientation="landscape", format="Letter")
        self.title_text = title
        folder = next((f for f in FONT_DIRS if (f / "DejaVuSans.ttf").exists()), None)
        if folder is not None and (folder / "DejaVuSans-Bold.ttf").exists():
            self.add_font("Body", "", str(folder / "DejaVuSans.ttf"))
            self.add_font("Body", "B", str(folder / "DejaVuSans-Bold.ttf"))
            self.body, self.unicode = "Body", True
        else:
            self.body, self.unicode = "Helvetica", False
        self.set_margins(12, 12, 12)
        self.set_auto_page_break(auto=True, margin=14)
        self.set_title(title)
        self.set_creator("Caseload")

    def text_of(self, value: str) -> str:
        return value if self.unicode else value.encode("latin-1", "replace").decode("latin-1")

    def footer(self) -> None:
        self.set_y(-10)
        self.set_font(self.body, "", 7)
        self.cell(0, 4, self.text_of(f"{self.title_text} · page {self.page_no()}"), align="C")

    def grid(self, head: list[str], rows: list[list[str]], first: float) -> None:
        width = (self.epw - first) / max(1, len(head) - 1)
        self.set_font(self.body, "B", 7.5)
        for n, text in enumerate(head):
            self.cell(first if n == 0 else width, 5, self.text_of(text)[:40], border="B")
        self.ln()
        self.set_font(self.body, "", 7.5)
        for row in rows:
            for n, text in enumerate(row):
                align = "L" if n == 0 else "R"
                self.cell(first if n == 0 else width, 4.6, self.text_of(text)[:48], align=align)
            self.ln()


def _row(row: FigureRow, values: list[Any]) -> list[str]:
    return [row.label, *(shown(v, row.kind) for v in values)]


def month_report_pdf(report: MonthReport) -> bytes:
    title = f"Month report · {report.scope_label} · {report.month.label}"
    pdf = _Report(title)
    pdf.add_page()
    pdf.set_font(pdf.body, "B", 15)
    pdf.cell(0, 9, pdf.text_of(title), new_x="LMARGIN", new_y="NEXT")
    months = [m.short_label for m in report.months]
    for _, label, rows in report.sections():
        pdf.set_font(pdf.body, "B", 10.5)
        pdf.cell(0, 7, pdf.text_of(label), new_x="LMARGIN", new_y="NEXT")
        pdf.grid(["Figure", *months], [_row(r, r.trend) for r in rows], first=62)
        if len(report.programs) > 1:
            pdf.ln(1)
            pdf.grid(
                ["By program", *(p.name for p in report.programs)],
                [_row(r, [r.by_program.get(p.pk) for p in report.programs]) for r in rows],
                first=62,
            )
        pdf.ln(2)
    counts = report.row("open_at_end")
    if report.care_managers:
        pdf.add_page()
        pdf.set_font(pdf.body, "B", 10.5)
        pdf.cell(0, 7, pdf.text_of("Per care manager"), new_x="LMARGIN", new_y="NEXT")
        keys = ["active", "contacts", "not_reached", "reviews_overdue", "reassessments_overdue"]
        picked = [report.row(k) for k in keys]
        pdf.grid(
            ["Care manager", "Caseload", "Cap", *(r.label for r in picked)],
            [
                [
                    str(m),
                    shown(counts.by_care_manager.get(m.pk, 0), "count"),
                    str(m.caseload_cap),
                    *(shown(r.by_care_manager.get(m.pk, 0), r.kind) for r in picked),
                ]
                for m in report.care_managers
            ],
            first=50,
        )
    for extension in report.extension_sections:
        pdf.set_font(pdf.body, "B", 10.5)
        pdf.cell(0, 7, pdf.text_of(extension.title), new_x="LMARGIN", new_y="NEXT")
        pdf.grid(["Figure", "Value"], [[x.label, str(x.value)] for x in extension.rows], 90)
    return bytes(pdf.output())
