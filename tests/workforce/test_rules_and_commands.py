"""Rule files are validated at load and by `caseload credentials check`; `caseload career
advise` reads one profile and prints one JSON object."""

from __future__ import annotations

import copy
import io
import json

import pytest
from django.core.management import CommandError, call_command

from caseload.workforce import rules
from tests.workforce.helpers import RN, degree, job


def shipped_raw(code: str) -> dict:
    return json.loads((rules.SHIPPED_DIR / f"{code.lower()}.json").read_text(encoding="utf-8"))


def test_the_shipped_files_state_spec_section_6():
    ccm = rules.parse_rule(shipped_raw("CCM"), source="ccm.json")
    assert ccm.body.endswith("(CCMC)")
    assert [r.requirements[0].months for r in ccm.routes] == [12, 24, 12]
    assert ccm.routes[0].requirements[0].supervised_by_ccm is True
    assert (ccm.renewal.cycle_years, ccm.renewal.ce_hours, ccm.renewal.ethics_hours) == (5, 80, 8)
    cmc = rules.parse_rule(shipped_raw("CMC"), source="cmc.json")
    assert cmc.body.endswith("(NACCM)")
    assert [r.criterion for r in cmc.routes] == ["I", "II", "III"]
    assert [[q.months for q in r.requirements] for r in cmc.routes] == [[24], [24, 12], [36, 24]]
    assert all(r.requirements[0].after_qualification for r in cmc.routes)
    assert all(r.requirements[0].min_supervision_hours_per_year == 50 for r in cmc.routes)
    assert (cmc.renewal.cycle_years, cmc.renewal.ce_hours) == (3, 45)


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (lambda raw: raw.update(format="other"), "'format' must be"),
        (lambda raw: raw.update(code="ccm!"), "'code' must be"),
        (lambda raw: raw.update(sources=[]), "'sources' must list"),
        (lambda raw: raw["routes"][0].update(qualifications=["nope"]), "unknown qualification"),
        (lambda raw: raw["routes"][0]["requirements"][0].update(months=0), "'months' must be"),
        (lambda raw: raw["routes"][0]["requirements"][0].update(kinds=["x"]), "'kinds' must"),
        (lambda raw: raw["renewal"].update(ethics_hours=90), "cannot exceed"),
        (lambda raw: raw["qualifications"][1]["education"].update(levels=["phd"]), "'levels'"),
        (lambda raw: raw.update(colour="red"), "unknown key 'colour'"),
        (lambda raw: raw["experience"].update(full_time_hours_per_week=0), "full_time_hours"),
    ],
)
def test_a_broken_rule_is_refused_with_the_reason(change, problem):
    raw = copy.deepcopy(shipped_raw("CCM"))
    change(raw)
    with pytest.raises(rules.CredentialRuleError) as caught:
        rules.parse_rule(raw, source="broken.json")
    assert problem in str(caught.value)


def test_an_additional_requirement_must_name_another_requirement():
    raw = copy.deepcopy(shipped_raw("CMC"))
    raw["routes"][1]["requirements"][1]["additional_to"] = "missing"
    with pytest.raises(rules.CredentialRuleError, match="not another requirement"):
        rules.parse_rule(raw, source="cmc.json")


def test_credentials_check_passes_on_the_shipped_files():
    out = io.StringIO()
    call_command("credentials", "check", stdout=out)
    assert "ok    CCM" in out.getvalue()
    assert "2 credential rules valid" in out.getvalue()


def test_credentials_check_fails_on_a_broken_organisation_file(tmp_path, settings):
    (tmp_path / "acm.json").write_text('{"format": "caseload-credential/1"}', encoding="utf-8")
    settings.CASELOAD_CREDENTIALS_DIR = str(tmp_path)
    err = io.StringIO()
    with pytest.raises(CommandError, match="credential rule problem"):
        call_command("credentials", "check", stdout=io.StringIO(), stderr=err)
    assert "acm.json" in err.getvalue()
    assert "'code' must be" in err.getvalue()


def test_an_organisation_adds_a_credential_and_may_replace_a_shipped_one(tmp_path, settings):
    acm = copy.deepcopy(shipped_raw("CCM"))
    acm.update(code="ACM-RN", name="Accredited Case Manager", body="ACMA")
    (tmp_path / "acm.json").write_text(json.dumps(acm), encoding="utf-8")
    cmc = shipped_raw("CMC")
    cmc["renewal"]["ce_hours"] = 50
    (tmp_path / "cmc.json").write_text(json.dumps(cmc), encoding="utf-8")
    settings.CASELOAD_CREDENTIALS_DIR = str(tmp_path)
    report = rules.load_report()
    assert report.errors == []
    assert set(report.rules) == {"CCM", "CMC", "ACM-RN"}
    assert report.rules["CMC"].renewal.ce_hours == 50
    assert any("replaces the shipped 'CMC'" in note for note in report.notes)


def advise_file(tmp_path, raw) -> dict:
    path = tmp_path / "profile.json"
    path.write_text(json.dumps(raw), encoding="utf-8")
    out = io.StringIO()
    call_command("career", "advise", str(path), stdout=out)
    return json.loads(out.getvalue())


def test_career_advise_prints_the_documented_object(tmp_path):
    result = advise_file(
        tmp_path,
        {
            "as_of": "2026-12-05",
            "education": [degree("bachelor", "2020-05-15")],
            "licences": [RN],
            "employment": [job("2025-01-10")],
            "certifications": [
                {"code": "CCM", "issued": "2022-01-01", "valid_through": "2026-12-31"}
            ],
            "ce": [{"completed": "2023-03-01", "hours": 20, "ethics": False}],
        },
    )
    assert result["CCM"]["eligible"] is False
    assert result["CCM"]["eligible_from"] == "2027-01-10"
    assert result["CMC"]["criterion"] == "II"
    assert result["renewals"][0]["hours_missing"] == 60


def test_career_advise_refuses_a_malformed_profile(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text('{"as_of": "yesterday"}', encoding="utf-8")
    with pytest.raises(CommandError, match="not a date"):
        call_command("career", "advise", str(path), stdout=io.StringIO())
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(CommandError, match="is not JSON"):
        call_command("career", "advise", str(path), stdout=io.StringIO())
