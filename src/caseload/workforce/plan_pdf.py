"""The printable career plan (PDF): the same conclusions as the advisor page, each with its rule
and facts."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fpdf.enums import XPos, YPos

from caseload.core.pdf import Document

if TYPE_CHECKING:
    from caseload.workforce.advisor import StaffAdvice


def career_plan_pdf(plan: StaffAdvice) -> bytes:
    name = plan.staff.display_name
    pdf = Document(title=f"Career plan · {name}", footer_label=f"Career plan · {name}")
    pdf.alias_nb_pages()
    pdf.add_page()
    pdf.set_font(pdf.body_font, "B", 16)
    pdf.cell(0, 10, pdf.text_of(f"Career plan: {name}"), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.paragraph(
        f"As of {plan.today:%d %B %Y}. Rule-based and explained: every conclusion lists the "
        "rule and the facts from the profile that produced it."
    )
    for code, result in plan.advice.eligibility.items():
        pdf.heading(f"{code} — {result.rule.name} ({result.rule.body})")
        if result.eligible:
            status = f"Eligible now (since {result.eligible_from})."
        elif result.eligible_from:
            status = f"Eligible from {result.eligible_from} if the current work continues."
        else:
            status = "Not eligible by continuing the current work."
        pdf.line_pair("Status", status)
        pdf.line_pair("Route", result.route_label)
        if result.criterion:
            pdf.line_pair("Criterion", result.criterion)
        for missing in result.missing:
            pdf.bullet(f"Missing: {missing}")
        for line in result.why:
            pdf.bullet(line)
    if plan.ce_plans:
        pdf.heading("Continuing education to renewal")
        for ce in plan.ce_plans:
            pdf.line_pair(ce.credential, f"{ce.hours:g} of {ce.required:g} hours ({ce.status})")
            for line in ce.why:
                pdf.bullet(line)
    pdf.heading("Career ladder")
    advice = plan.ladder
    pdf.line_pair("Now", advice.current.name if advice.current else "—")
    if advice.next:
        pdf.line_pair("Next step", advice.next.name + (" — ready" if advice.ready else ""))
        for check in advice.checks:
            mark = "Met" if check.met else "Gap"
            pdf.bullet(
                f"{mark}: {check.rule}. {check.facts}."
                + ("" if check.met else f" Next: {check.gap}.")
            )
    pdf.paragraph(advice.salary_note)
    for level in advice.levels:
        pdf.line_pair(level.name, level.salary.label())
    if plan.specialisations:
        pdf.heading("Specialisation paths")
        for spec in plan.specialisations:
            pdf.line_pair(spec.specialisation.name, " ".join(spec.why))
            for step in spec.specialisation.next_steps:
                pdf.bullet(step)
    return bytes(pdf.output())
