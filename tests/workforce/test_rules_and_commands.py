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


# --- every check of a rule file, at its limits ------------------------------------------------


def _set(*path_and_value):
    """A change that sets raw[key][key]... = value: ``_set("renewal", "ce_hours", 0)``."""
    *path, value = path_and_value

    def change(raw):
        target = raw
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return change


def _chain(*changes):
    def change(raw):
        for c in changes:
            c(raw)

    return change


def _drop(*path):
    def change(raw):
        target = raw
        for key in path[:-1]:
            target = target[key]
        del target[path[-1]]

    return change


REQ = ("routes", 0, "requirements", 0)
QUAL = ("qualifications", 0)  # the licence
DEGREE = ("qualifications", 1)


def problems_of(change, code="CCM"):
    raw = copy.deepcopy(shipped_raw(code))
    change(raw)
    try:
        rules.parse_rule(raw, source="x.json")
    except rules.CredentialRuleError as exc:
        return exc.problems
    return []


REFUSED = [
    # the file
    (_set("format", "caseload-credential/2"), "file: 'format' must be 'caseload-credential/1'"),
    (_set("code", "ccm"), "file: 'code' must be upper-case letters"),
    (_set("code", "C" * 21), "file: 'code' must be upper-case letters"),
    (_set("code", 7), "file: 'code' must be upper-case letters"),
    (_set("name", "  "), "file: 'name' must be a non-empty text"),
    (_set("body", None), "file: 'body' must be a non-empty text"),
    (_set("sources", "https://ccmcertification.org"), "file: 'sources' must list"),
    (_set("sources", ["https://a.example", " "]), "file: 'sources' must list"),
    (_set("sources", [3]), "file: 'sources' must list"),
    (_set("notes", "a sentence"), "file: 'notes' must be a list of sentences"),
    (_set("notes", ["a", 1]), "file: 'notes' must be a list of sentences"),
    (_set("qualifications", []), "file: 'qualifications' must list at least one"),
    (_set("routes", []), "file: 'routes' must list at least one route"),
    (_set("routes", {}), "file: 'routes' must list at least one route"),
    (_set("routes", {"id": "category_1"}), "file: 'routes' must list at least one route"),
    (
        _set(*DEGREE, "education", {"levels": {"bachelor": True}, "related": True}),
        "qualifications[1]: 'levels' must list some of",
    ),
    (_set(*REQ, "id", 5), "routes[0].requirements[0]: 'id' must be lower-case letters"),
    (_set("routes", 0, "id", 5), "routes[0]: 'id' must be lower-case letters"),
    (
        _set(*REQ, "kinds", ["case_management", "paperwork"]),
        "routes[0].requirements[0]: 'kinds' must list some of",
    ),
    (
        _set("routes", 0, "requirements", {"id": "cm"}),
        "routes[0]: 'requirements' must list at least one experience requirement",
    ),
    (_set("qualifications", {"id": "licence"}), "file: 'qualifications' must list at least one"),
    (_set("renewal", "cycle_years", "5"), "renewal: 'cycle_years' must be a whole number"),
    (
        _set(*DEGREE, "education", {"levels": ["bachelor", "diploma"], "related": True}),
        "qualifications[1]: 'levels' must list some of",
    ),
    (
        _set(*QUAL, "licence", {"active": True, "unrestricted": "yes"}),
        "qualifications[0]: 'licence' values must be true or false",
    ),
    (
        _set(*DEGREE, "education", ["levels", "related"]),
        "qualifications[1]: 'education' must have 'levels' and 'related'",
    ),
    # experience
    (_set("experience", []), "experience: must be an object"),
    (_set("experience", "full_time_hours_per_week", 80.5), "'full_time_hours_per_week' must"),
    (_set("experience", "full_time_hours_per_week", -1), "'full_time_hours_per_week' must"),
    (_set("experience", "full_time_hours_per_week", True), "'full_time_hours_per_week' must"),
    (_set("experience", "full_time_hours_per_week", "35"), "'full_time_hours_per_week' must"),
    (_set("experience", "paid_only", 1), "experience: 'paid_only' must be true or false"),
    (_drop("experience", "exclude_internship_or_volunteer"), "'exclude_internship_or_volunteer'"),
    (_set("experience", "lookback_years", 0), "'lookback_years' must be a whole number"),
    (_set("experience", "lookback_years", 2.5), "'lookback_years' must be a whole number"),
    (_set("experience", "lookback_years", True), "'lookback_years' must be a whole number"),
    (_set("experience", "since", 3), "experience: unknown key 'since'"),
    # qualifications
    (_set("qualifications", 0, "a licence"), "qualifications[0]: must be an object"),
    (_set(*QUAL, "id", "Licence"), "qualifications[0]: 'id' must be lower-case"),
    (_set(*QUAL, "id", 5), "qualifications[0]: 'id' must be lower-case"),
    (_set(*QUAL, "id", "l" * 41), "qualifications[0]: 'id' must be lower-case"),
    (_set(*QUAL, "label", ""), "qualifications[0]: 'label' must be a non-empty text"),
    (_set(*QUAL, "education", {"levels": ["bachelor"]}), "needs exactly one of 'licence'"),
    (_drop(*QUAL, "licence"), "qualifications[0]: needs exactly one of 'licence' or 'education'"),
    (_set(*QUAL, "licence", {}), "'licence' must map some of"),
    (_set(*QUAL, "licence", ["active"]), "'licence' must map some of"),
    (_set(*QUAL, "licence", {"active": True, "valid": True}), "'licence' must map some of"),
    (_set(*QUAL, "licence", {"active": "yes"}), "'licence' values must be true or false"),
    (_set(*QUAL, "grade", 1), "qualifications[0]: unknown key 'grade'"),
    (_set(*DEGREE, "education", ["bachelor"]), "'education' must have 'levels' and 'related'"),
    (_set(*DEGREE, "education", "year", 3), "'education' must have 'levels' and 'related'"),
    (_set(*DEGREE, "education", "levels", []), "'levels' must list some of"),
    (_set(*DEGREE, "education", "levels", "bachelor"), "'levels' must list some of"),
    (_set(*DEGREE, "education", "related", "yes"), "'related' must be true, false or null"),
    (_set("qualifications", 1, "id", "licence"), "qualifications[1]: the id 'licence' is repeated"),
    # routes
    (_set("routes", 0, 3), "routes[0]: must be an object"),
    (_set("routes", 0, "id", "Category 1"), "routes[0]: 'id' must be lower-case"),
    (_set("routes", 0, "label", 1), "routes[0]: 'label' must be a non-empty text"),
    (_set("routes", 0, "criterion", "VI"), "routes[0]: 'criterion' must be one of I, II"),
    (_set("routes", 0, "qualifications", []), "'qualifications' must list at least one"),
    (_set("routes", 0, "qualifications", "licence"), "'qualifications' must list at least one"),
    (_set("routes", 0, "requirements", []), "'requirements' must list at least one"),
    (_set("routes", 0, "requirements", None), "'requirements' must list at least one"),
    (_set("routes", 0, "weight", 1), "routes[0]: unknown key 'weight'"),
    (_set("routes", 1, "id", "category_1"), "file: route ids must be unique"),
    # requirements
    (_set(*REQ, "later"), "routes[0].requirements[0]: must be an object"),
    (_set(*REQ, "id", "CM"), "routes[0].requirements[0]: 'id' must be lower-case"),
    (_set(*REQ, "label", ""), "routes[0].requirements[0]: 'label' must be a non-empty text"),
    (_set(*REQ, "months", 241), "'months' must be a whole number from 1 to 240"),
    (_set(*REQ, "months", 12.0), "'months' must be a whole number from 1 to 240"),
    (_set(*REQ, "months", True), "'months' must be a whole number from 1 to 240"),
    (_set(*REQ, "kinds", []), "'kinds' must list some of"),
    (_set(*REQ, "kinds", "case_management"), "'kinds' must list some of"),
    (_set(*REQ, "kinds", {"case_management": True}), "'kinds' must list some of"),
    (_set(*REQ, "supervised_by_ccm", "yes"), "'supervised_by_ccm' must be true or false"),
    (_set(*REQ, "after_qualification", 0), "'after_qualification' must be true or false"),
    (_set(*REQ, "min_supervision_hours_per_year", -1), "'min_supervision_hours_per_year' must"),
    (_set(*REQ, "min_supervision_hours_per_year", "50"), "'min_supervision_hours_per_year'"),
    (_set(*REQ, "additional_to", 3), "'additional_to' must name another requirement"),
    (_set(*REQ, "additional_to", "cm_supervised_by_ccm"), "which is not another requirement"),
    (_set(*REQ, "hours", 1), "routes[0].requirements[0]: unknown key 'hours'"),
    (
        lambda raw: raw["routes"][0]["requirements"].append(
            dict(raw["routes"][0]["requirements"][0])
        ),
        "routes[0]: requirement ids must be unique within the route",
    ),
    # renewal
    (_set("renewal", 5), "renewal: must be an object"),
    (_set("renewal", "cycle_years", 0), "'cycle_years' must be a whole number from 1 to 10"),
    (_set("renewal", "cycle_years", 11), "'cycle_years' must be a whole number from 1 to 10"),
    (_set("renewal", "cycle_years", True), "'cycle_years' must be a whole number from 1 to 10"),
    (_set("renewal", "ce_hours", -1), "renewal: 'ce_hours' must be a number of hours"),
    (_set("renewal", "ce_hours", "80"), "renewal: 'ce_hours' must be a number of hours"),
    (_set("renewal", "ethics_hours", -0.5), "renewal: 'ethics_hours' must be a number of hours"),
    (_set("renewal", "ethics_hours", None), "renewal: 'ethics_hours' must be a number of hours"),
    (_set("renewal", "ethics_hours", 80.5), "renewal: 'ethics_hours' cannot exceed 'ce_hours'"),
    (_set("renewal", "grace", 1), "renewal: unknown key 'grace'"),
]


@pytest.mark.parametrize(("change", "problem"), REFUSED)
def test_each_check_of_a_rule_file_refuses_in_words(change, problem):
    assert any(problem in p for p in problems_of(change)), problems_of(change)


def test_a_broken_file_names_only_what_is_wrong():
    assert problems_of(_set(*REQ, "months", 0)) == [
        "routes[0].requirements[0]: 'months' must be a whole number from 1 to 240"
    ]
    assert problems_of(_set("renewal", "ethics_hours", 81)) == [
        "renewal: 'ethics_hours' cannot exceed 'ce_hours'"
    ]
    # CE hours that are not a number: that problem alone (the ethics hours are not compared)
    assert problems_of(_set("renewal", "ce_hours", "80")) == [
        "renewal: 'ce_hours' must be a number of hours"
    ]
    assert problems_of(_set("routes", 0, "qualifications", ["licence", "nope"])) == [
        "routes[0]: names the unknown qualification 'nope'"
    ]
    # an unknown kind of work and a renewal with no hours: every problem, each once
    assert problems_of(
        lambda raw: (
            _set(*REQ, "kinds", ["x"])(raw),
            _set("renewal", "ce_hours", None)(raw),
            _set("renewal", "ethics_hours", None)(raw),
        )
    ) == [
        "routes[0].requirements[0]: 'kinds' must list some of case_management, "
        "supervising_case_managers, direct_client, other",
        "renewal: 'ce_hours' must be a number of hours",
        "renewal: 'ethics_hours' must be a number of hours",
    ]
    with pytest.raises(rules.CredentialRuleError, match="the file must hold one JSON object"):
        rules.parse_rule([], source="x.json")


ACCEPTED = [
    _set("experience", "full_time_hours_per_week", 80),
    _set("experience", "full_time_hours_per_week", 0.5),
    _set("experience", "lookback_years", 1),
    _set("code", "C" + "-" * 19),
    _set("routes", 0, "id", "r" * 40),
    _set(*QUAL, "licence", {"active": False}),
    _set(*DEGREE, "education", {"levels": ["rn_diploma"]}),
    _set(*DEGREE, "education", "related", False),
    _set("routes", 0, "criterion", "V"),
    _set(*REQ, "months", 240),
    _set(*REQ, "months", 1),
    _set(*REQ, "min_supervision_hours_per_year", 0),
    _set("renewal", "cycle_years", 10),
    _set("renewal", "cycle_years", 1),
    _set("renewal", "ethics_hours", 80),
    _chain(_set("renewal", "ce_hours", 0.0), _set("renewal", "ethics_hours", 0)),
    _drop("notes"),
]


@pytest.mark.parametrize("change", ACCEPTED)
def test_values_at_the_limits_are_accepted(change):
    assert problems_of(change) == []


def test_a_rule_file_is_read_value_by_value():
    raw = copy.deepcopy(shipped_raw("CMC"))
    raw["experience"]["full_time_hours_per_week"] = 37.5
    raw["renewal"]["ethics_hours"] = 2
    rule = rules.parse_rule(raw, source="cmc.json")
    assert rule.source == "cmc.json" and rule.code == "CMC"
    assert rule.experience == rules.ExperienceRule(37.5, True, True, 10)
    assert rule.renewal == rules.RenewalRule(3, 45.0, 2.0)
    assert isinstance(rule.renewal.ce_hours, float)
    assert rule.qualification("rn_diploma").education_related is None
    assert rule.qualification("bachelor_related").education_levels == (
        "bachelor",
        "master",
        "doctorate",
    )
    assert not rule.qualification("bachelor_related").is_licence
    route = rule.routes[1]
    assert (route.id, route.criterion, route.qualifications) == (
        "criterion_2",
        "II",
        ("bachelor_related",),
    )
    supervised, direct = route.requirements
    assert supervised.min_supervision_hours_per_year == 50.0
    assert (supervised.after_qualification, supervised.supervised_by_ccm) == (True, False)
    assert (direct.additional_to, direct.kinds) == (
        "cm_supervised",
        ("direct_client", "case_management"),
    )
    assert direct.min_supervision_hours_per_year is None and direct.after_qualification is False
    ccm = rules.parse_rule(shipped_raw("CCM"), source="ccm.json")
    assert ccm.qualification("licence").licence == {
        "independent_assessment": True,
        "active": True,
        "unrestricted": True,
    }
    assert ccm.qualification("licence").is_licence
    assert ccm.experience.lookback_years is None and ccm.routes[0].criterion is None
    assert len(ccm.notes) == 1 and ccm.sources[0].startswith("https://")


def test_an_additional_requirement_must_count_every_kind_its_base_counts():
    raw = copy.deepcopy(shipped_raw("CMC"))
    raw["routes"][1]["requirements"][1]["kinds"] = ["direct_client"]
    with pytest.raises(rules.CredentialRuleError, match="must accept every kind of work"):
        rules.parse_rule(raw, source="cmc.json")
    raw["routes"][1]["requirements"][1]["additional_to"] = "direct_client"
    with pytest.raises(rules.CredentialRuleError, match="not another requirement"):
        rules.parse_rule(raw, source="cmc.json")


def test_an_unreadable_rule_file_is_refused_in_words(tmp_path):
    path = tmp_path / "acm.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(rules.CredentialRuleError, match="cannot read the file as JSON"):
        rules.load_file(path)
    path.write_bytes(b"\xff\xfe{")
    with pytest.raises(rules.CredentialRuleError, match="cannot read the file as JSON"):
        rules.load_file(path)
    with pytest.raises(rules.CredentialRuleError, match="cannot read the file as JSON"):
        rules.load_file(tmp_path / "missing.json")


def test_the_organisation_folder_comes_from_settings_or_the_environment(settings, monkeypatch):
    settings.CASELOAD_CREDENTIALS_DIR = ""
    monkeypatch.delenv("CASELOAD_CREDENTIALS_DIR", raising=False)
    assert rules.organisation_dir() is None
    monkeypatch.setenv("CASELOAD_CREDENTIALS_DIR", "/srv/rules")
    assert str(rules.organisation_dir()) == "/srv/rules"
    settings.CASELOAD_CREDENTIALS_DIR = "/etc/caseload"
    assert str(rules.organisation_dir()) == "/etc/caseload"


def test_an_additional_requirement_may_count_exactly_the_kinds_its_base_counts():
    same = _set("routes", 1, "requirements", 1, "kinds", ["case_management"])
    assert problems_of(same, code="CMC") == []


def test_a_rule_error_reads_as_its_source_and_problems():
    error = rules.CredentialRuleError("ccm.json", ["file: a", "renewal: b"])
    assert str(error) == "ccm.json: file: a; renewal: b"
    assert (error.source, error.problems) == ("ccm.json", ["file: a", "renewal: b"])
