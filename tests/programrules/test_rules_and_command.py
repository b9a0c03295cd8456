"""Rules files are validated when loaded and by `caseload programs check`; `caseload programs
evaluate FACTS.json` prints one result per fact, in order, with the organisation's holidays
unless a fact brings its own."""

from __future__ import annotations

import copy
import datetime as dt
import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from caseload.core.models import Holiday
from caseload.programrules import rules


def shipped() -> dict[str, Any]:
    return json.loads((rules.RULES_DIR / "2026.json").read_text())


def problems_of(raw: dict[str, Any]) -> list[str]:
    with pytest.raises(rules.RulesError) as caught:
        rules.parse_rules(raw, source="test.json")
    return caught.value.problems


def program(raw: dict[str, Any], key: str) -> dict[str, Any]:
    return next(p for p in raw["programs"] if p["key"] == key)


def test_the_shipped_file_is_valid_and_complete() -> None:
    rule_set = rules.load_file(rules.RULES_DIR / "2026.json")
    assert list(rule_set.programs) == [
        "CCM",
        "complex-CCM",
        "PCM",
        "BHI",
        "CoCM",
        "TCM",
        "APCM",
        "CHI",
    ]
    assert rule_set.program("CCM").codes == ("99490", "99439", "99491", "99437")
    assert rule_set.program("APCM").codes == ("G0558", "G0557", "G0556")
    assert rule_set.title == "US Medicare care management program rules, calendar year 2026"


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (lambda r: program(r, "CCM")["tracks"][0]["base"].update(minutes=0), "'minutes'"),
        (lambda r: program(r, "CCM")["tracks"][0]["base"].update(code="9949"), "'code'"),
        (lambda r: program(r, "CCM")["tracks"][0].update(staff=["nurse"]), "'staff'"),
        (lambda r: program(r, "CCM")["tracks"][0].update(source="nowhere"), "sources"),
        (lambda r: program(r, "CCM")["tracks"][0]["addon"].update(max=0), "'max'"),
        (lambda r: program(r, "CCM")["tracks"][0]["addon"].update(**{"from": 10}), "start above"),
        (lambda r: program(r, "CoCM")["tracks"][0]["addon"].update(**{"from": 90}), "at 86"),
        (lambda r: program(r, "PCM").update(not_with=["XYZ"]), "unknown program XYZ"),
        (lambda r: program(r, "BHI").update(kind="minutes"), "'kind'"),
        (lambda r: program(r, "BHI")["requires"].update(insurance=True), "unknown requirement"),
        (lambda r: program(r, "BHI")["tracks"][0]["base"].update(code="99490"), "also belongs"),
        (lambda r: program(r, "TCM")["tcm"].update(codes=[]), "'codes'"),
        (lambda r: r["programs"].append(copy.deepcopy(r["programs"][0])), "appears twice"),
        (lambda r: r.update(year="twenty"), "'year'"),
    ],
)
def test_invalid_files_are_refused_with_reasons(change: Any, words: str) -> None:
    raw = shipped()
    change(raw)
    assert any(words in p for p in problems_of(raw)), problems_of(raw)


def test_every_problem_is_reported_at_once() -> None:
    raw = shipped()
    program(raw, "CCM")["tracks"][0]["base"]["minutes"] = -5
    program(raw, "PCM")["not_with"] = ["XYZ"]
    assert len(problems_of(raw)) == 2


def test_the_error_names_the_file_and_every_problem_in_one_line() -> None:
    # what `caseload programs check` and a fact's "error" print
    raw = shipped()
    program(raw, "CCM")["tracks"][0]["base"]["minutes"] = -5
    program(raw, "PCM")["not_with"] = ["XYZ"]
    with pytest.raises(rules.RulesError) as caught:
        rules.parse_rules(raw, source="draft.json")
    assert str(caught.value) == (
        "draft.json: program CCM track 1: 'minutes' must be a whole number of at least 1; "
        "program PCM: 'not_with' names unknown program XYZ"
    )
    assert caught.value.source == "draft.json"


def test_a_file_named_for_another_year_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "2027.json"
    path.write_text(json.dumps(shipped()))
    with pytest.raises(rules.RulesError) as caught:
        rules.load_file(path)
    assert "named for 2027" in str(caught.value)


def test_check_command_passes_on_the_shipped_rules() -> None:
    out = StringIO()
    call_command("programs", "check", stdout=out)
    assert "ok    2026: 8 programs" in out.getvalue()


def test_check_command_fails_on_a_bad_file(tmp_path: Path) -> None:
    raw = shipped()
    program(raw, "CCM")["tracks"][0]["base"]["minutes"] = 0
    path = tmp_path / "2026.json"
    path.write_text(json.dumps(raw))
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("programs", "check", "--file", str(path), stdout=StringIO(), stderr=err)
    assert "program CCM track 1: 'minutes' must be a whole number" in err.getvalue()


def evaluate(tmp_path: Path, facts: Any) -> list[dict[str, Any]]:
    path = tmp_path / "facts.json"
    path.write_text(json.dumps(facts))
    out = StringIO()
    call_command("programs", "evaluate", str(path), stdout=out)
    return json.loads(out.getvalue())


@pytest.mark.django_db
def test_evaluate_prints_one_result_per_fact_in_order(tmp_path: Path) -> None:
    facts = [
        {
            "program": "CCM",
            "month": "2026-11",
            "clinical_staff_minutes": 45,
            "physician_minutes": 0,
            "consent": True,
            "care_plan": True,
            "chronic_conditions": 2,
            "cocm_month": "first",
            "discharge": "2026-11-20",
            "mdm": "high",
            "contact_on": "2026-11-23",
            "visit_on": "2026-11-25",
            "med_rec_on": "2026-11-25",
            "holidays": ["2026-11-26"],
        },
        {
            "program": "PCM",
            "month": "2026-11",
            "clinical_staff_minutes": 10,
            "consent": True,
            "care_plan": True,
            "chronic_conditions": 1,
        },
        {
            "program": "TCM",
            "discharge": "2026-11-20",
            "mdm": "high",
            "contact_on": "2026-11-23",
            "visit_on": "2026-11-25",
            "med_rec_on": "2026-11-25",
            "holidays": ["2026-11-26"],
        },
    ]
    results = evaluate(tmp_path, facts)
    assert len(results) == 3
    assert results[0]["codes"] == ["99490", "99439"]
    assert results[0]["not_met"][0]["code"] == "99439"
    assert "contact_due" not in results[0]
    assert results[1]["codes"] == []
    assert results[1]["not_met"][0]["reason"].startswith("20 minutes short of 99426")
    assert results[2] == {
        "codes": ["99496"],
        "not_met": [],
        "contact_due": "2026-11-24",
        "visit_due": "2026-11-27",
    }


@pytest.mark.django_db
def test_evaluate_uses_the_organisations_holidays_unless_the_fact_has_its_own(
    tmp_path: Path,
) -> None:
    Holiday.objects.create(date=dt.date(2026, 11, 23), name="Staff day")
    fact = {"program": "TCM", "discharge": "2026-11-20", "mdm": "moderate"}
    own = {**fact, "holidays": []}
    results = evaluate(tmp_path, [fact, own])
    assert results[0]["contact_due"] == "2026-11-25"  # Monday is the organisation's holiday
    assert results[1]["contact_due"] == "2026-11-24"
    assert results[0]["visit_due"] == "2026-12-04"


@pytest.mark.django_db
def test_evaluate_marks_a_bad_fact_and_fails(tmp_path: Path) -> None:
    path = tmp_path / "facts.json"
    path.write_text(json.dumps([{"program": "CCM", "month": "2026-11"}, {"program": "??"}]))
    out = StringIO()
    with pytest.raises(CommandError, match="1 fact"):
        call_command("programs", "evaluate", str(path), stdout=out)
    results = json.loads(out.getvalue())
    assert results[0]["not_met"][0]["code"] == "99490"
    assert results[1]["error"].startswith("fact 2: 'program' must be one of")


def test_evaluate_refuses_what_is_not_a_list(tmp_path: Path) -> None:
    path = tmp_path / "facts.json"
    path.write_text('{"program": "CCM"}')
    with pytest.raises(CommandError, match="JSON list of facts"):
        call_command("programs", "evaluate", str(path), stdout=StringIO())
    path.write_text("not json")
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("programs", "evaluate", str(path), stdout=StringIO())


# -- every check of a rules file, at its limits -------------------------------------------------


def _track(r: dict[str, Any], key: str = "CCM", i: int = 0) -> dict[str, Any]:
    return program(r, key)["tracks"][i]


REFUSED = [
    (lambda r: r.update(sources=["SPEC"]), "'sources' must map each source key"),
    (lambda r: r["sources"].update(SPEC="  "), "'sources' must map each source key"),
    (lambda r: r.update(year=1999), "file: 'year' must be the calendar year"),
    (lambda r: r.update(year=2201), "file: 'year' must be the calendar year"),
    (lambda r: r.update(programs=[]), "file: 'programs' must list the programs"),
    (lambda r: r.update(programs={}), "file: 'programs' must list the programs"),
    (lambda r: r["programs"].__setitem__(0, "CCM"), "program 1: must be an object"),
    (lambda r: program(r, "BHI").update(key=""), "'key' must name the program"),
    (lambda r: program(r, "BHI").update(name="  "), "program BHI: 'name' must be the program's"),
    (lambda r: program(r, "BHI").update(not_with="CoCM"), "program BHI: 'not_with' must list"),
    (lambda r: program(r, "BHI").update(not_with=[3]), "program BHI: 'not_with' must list"),
    (lambda r: program(r, "BHI").update(requires_source="x"), "'requires_source' must name one"),
    (lambda r: program(r, "BHI").update(tracks=[]), "a 'time' program needs at least one track"),
    (lambda r: _track(r, "CoCM", 1).update(month="first"), "tracks by month need one 'first'"),
    (lambda r: _track(r, "BHI").update(month="first"), "tracks by month need one 'first'"),
    (lambda r: _track(r, "BHI").update(month="third"), "'month' must be 'first' or 'later'"),
    (lambda r: program(r, "BHI")["tracks"].__setitem__(0, 1), "each track must be an object"),
    (lambda r: _track(r).update(staff=[]), "program CCM track 1: 'staff' must list staff types"),
    (lambda r: _track(r).update(staff="clinical_staff"), "'staff' must list staff types"),
    (lambda r: _track(r).update(base=20), "'base' must be an object with a code and minutes"),
    (lambda r: _track(r)["base"].update(minutes=True), "'minutes' must be a whole number"),
    (lambda r: _track(r)["base"].update(minutes=20.0), "'minutes' must be a whole number"),
    (lambda r: _track(r, "CoCM")["base"].update(upto=35), "'upto' must not be below 'minutes'"),
    (lambda r: _track(r, "CoCM")["base"].update(nominal=0), "'nominal' must be a whole number"),
    (lambda r: _track(r)["base"].update(code="G123"), "'code' must be a CPT code"),
    (lambda r: _track(r)["base"].update(code="994900"), "'code' must be a CPT code"),
    (lambda r: _track(r)["base"].update(code=99490), "'code' must be a CPT code"),
    (lambda r: _track(r).update(addon="99439"), "program CCM track 1: 'addon' must be an object"),
    (lambda r: _track(r)["addon"].update(max=True), "'max' must be a whole number of at least 1"),
    (lambda r: _track(r)["addon"].update(max=1.5), "'max' must be a whole number of at least 1"),
    (lambda r: _track(r)["addon"].update(**{"from": 20}), "must start above the base code's 20"),
    (lambda r: _track(r)["addon"].update(every=0), "'every' must be a whole number of at least 1"),
    (lambda r: _track(r, "CoCM")["addon"].update(**{"from": 87}), "must start at 86"),
    (lambda r: _track(r).update(source=None), "'source' must name one of the file's sources"),
    (lambda r: program(r, "BHI").update(requires=[]), "program BHI: 'requires' must be an object"),
    (lambda r: program(r, "BHI")["requires"].update(mdm="high"), "'mdm' must list levels"),
    (lambda r: program(r, "BHI")["requires"].update(mdm=["huge"]), "'mdm' must list levels"),
    (
        lambda r: program(r, "BHI")["requires"].update(chronic_conditions=-1),
        "'chronic_conditions' must be a whole number of at least 0",
    ),
    (lambda r: program(r, "TCM").pop("tcm"), "a 'tcm' program needs a 'tcm' object"),
    (lambda r: program(r, "TCM")["tcm"]["codes"][0].update(mdm=[]), "TCM code 1: 'mdm' must"),
    (lambda r: program(r, "TCM")["tcm"]["codes"][1].update(mdm="high"), "TCM code 2: 'mdm'"),
    (lambda r: program(r, "TCM")["tcm"]["codes"].__setitem__(0, "99496"), "TCM code 1: each code"),
    (
        lambda r: program(r, "TCM")["tcm"]["codes"][0].update(visit_within_days=0),
        "'visit_within_days' must be a whole number of at least 1",
    ),
    (
        lambda r: program(r, "TCM")["tcm"].update(contact_business_days=0),
        "'contact_business_days' must be a whole number of at least 1",
    ),
    (lambda r: program(r, "TCM")["tcm"].update(source="x"), "program TCM: 'source' must name"),
    (lambda r: program(r, "APCM").update(levels=[]), "a 'level' program needs a list of 'levels'"),
    (lambda r: program(r, "APCM").update(levels={}), "a 'level' program needs a list of 'levels'"),
    (lambda r: program(r, "APCM")["levels"].__setitem__(1, 2), "level 2: each level must be"),
    (
        lambda r: program(r, "APCM")["levels"][2].update(chronic_conditions_max=-1),
        "'chronic_conditions_max' must be a whole number of at least 0",
    ),
    (lambda r: program(r, "APCM").update(levels_source="x"), "'levels_source' must name one"),
    # one bad value among good ones, and an object where a list belongs
    (lambda r: _track(r).update(staff=["clinical_staff", "nurse"]), "'staff' must list staff"),
    (lambda r: _track(r).update(staff={"clinical_staff": 1}), "'staff' must list staff types"),
    (lambda r: program(r, "BHI")["requires"].update(mdm=["high", "huge"]), "'mdm' must list"),
    (lambda r: program(r, "BHI")["requires"].update(mdm={"high": True}), "'mdm' must list"),
    (lambda r: program(r, "TCM")["tcm"]["codes"][0].update(mdm=["high", "x"]), "code 1: 'mdm'"),
    (lambda r: program(r, "TCM")["tcm"]["codes"][0].update(mdm={"high": 1}), "code 1: 'mdm'"),
    (lambda r: program(r, "BHI").update(not_with=["CoCM", 3]), "program BHI: 'not_with' must"),
    (lambda r: r["sources"].update(SPEC=5), "'sources' must map each source key"),
    (lambda r: program(r, "TCM")["tcm"].pop("codes"), "program TCM: 'codes' must list"),
    (lambda r: program(r, "BHI").update(key=7), "program 4: 'key' must name the program"),
    (lambda r: program(r, "BHI").pop("name"), "program BHI: 'name' must be the program's"),
    (lambda r: _track(r, "CoCM", 1).pop("month"), "tracks by month need one 'first'"),
    (
        lambda r: program(r, "APCM").update(levels={"G0556": {"code": "G0556"}}),
        "program APCM: a 'level' program needs a list of 'levels'",
    ),
    (
        lambda r: r.update(programs={p["key"]: p for p in r["programs"]}),
        "file: 'programs' must list the programs",
    ),
    (
        lambda r: program(r, "APCM")["levels"][2].update(chronic_conditions_min=-1),
        "'chronic_conditions_min' must be a whole number of at least 0",
    ),
]


@pytest.mark.parametrize(("change", "words"), REFUSED)
def test_each_check_of_a_rules_file_refuses_in_words(change: Any, words: str) -> None:
    raw = shipped()
    change(raw)
    assert any(words in p for p in problems_of(raw)), problems_of(raw)


ACCEPTED = [
    lambda r: r.update(year=2000),
    lambda r: r.update(year=2200),
    lambda r: _track(r)["addon"].update(**{"from": 21}),
    lambda r: _track(r)["addon"].update(max=1),
    lambda r: _track(r)["base"].update(minutes=1),
    lambda r: (
        _track(r, "CoCM")["base"].update(upto=36, nominal=1),
        _track(r, "CoCM")["addon"].update(**{"from": 37}),
    ),
    lambda r: program(r, "BHI")["requires"].update(chronic_conditions=0),
    lambda r: (
        program(r, "APCM")["levels"][2].update(chronic_conditions_max=0),
        program(r, "APCM")["levels"][1].update(chronic_conditions_min=1),
    ),
    lambda r: program(r, "APCM")["levels"][2].update(chronic_conditions_min=0),
    lambda r: program(r, "TCM")["tcm"]["codes"][0].update(visit_within_days=1),
    lambda r: _track(r, "BHI").pop("label"),
]


@pytest.mark.parametrize("change", ACCEPTED)
def test_values_at_the_limits_are_accepted(change: Any) -> None:
    raw = shipped()
    change(raw)
    rules.parse_rules(raw, source="test.json", year=raw["year"])


def test_a_rules_file_is_read_value_by_value() -> None:
    raw = shipped()
    _track(raw, "BHI").pop("label")
    program(raw, "BHI")["requires"].update(care_plan="yes")
    raw.pop("title")
    rule_set = rules.parse_rules(raw, source="x.json")
    assert (rule_set.year, rule_set.title, rule_set.source_file) == (2026, "", "x.json")
    bhi = rule_set.program("BHI")
    assert bhi.tracks[0].label == "care management"
    assert bhi.requires == rules.Requires(consent=True, care_plan=False, chronic_conditions=0)
    assert bhi.one_track is False and bhi.tracks[0].addon is None
    ccm = rule_set.program("CCM")
    assert ccm.one_track is True and ccm.not_with == ("complex-CCM", "APCM")
    assert ccm.tracks[0].addon == rules.Addon("99439", 40, 20, 2)
    assert ccm.tracks[1].addon == rules.Addon("99437", 60, 30, None)
    assert ccm.staff == frozenset({"clinical_staff", "physician"})
    assert ccm.codes == ("99490", "99439", "99491", "99437")
    # an add-on shared by two tracks (99494, both months of collaborative care) is one code
    assert rule_set.program("CoCM").codes == ("99492", "99494", "99493")
    cocm = rule_set.program("CoCM").tracks[0].base
    assert (cocm.minutes, cocm.nominal, cocm.upto) == (36, 70, 85)
    assert rule_set.program("CCM").tracks[0].base == rules.Base("99490", 20, None, None)
    tcm = rule_set.program("TCM")
    assert tcm.tcm == rules.Tcm(
        2,
        30,
        (rules.TcmCode("99496", ("high",), 7), rules.TcmCode("99495", ("moderate", "high"), 14)),
        "SPEC",
    )
    assert tcm.codes == ("99496", "99495") and tcm.tracks == () and tcm.staff == frozenset()
    apcm = rule_set.program("APCM")
    assert apcm.levels == (
        rules.Level("G0558", 2, None, True),
        rules.Level("G0557", 2, None, False),
        rules.Level("G0556", 0, 1, False),
    )
    assert apcm.tcm is None and rule_set.program("CCM").levels == ()


@pytest.mark.parametrize(
    ("conditions", "qmb", "fits"),
    [
        (1, False, [False, False, True]),
        (2, False, [False, True, False]),
        (2, True, [True, True, False]),
        (0, True, [False, False, True]),
    ],
)
def test_apcm_levels_fit_by_conditions_and_qmb(
    conditions: int, qmb: bool, fits: list[bool]
) -> None:
    levels = rules.for_year(2026).program("APCM").levels
    assert [level.fits(conditions, qmb) for level in levels] == fits


def test_addon_units_and_thresholds() -> None:
    addon = rules.Addon("99439", 40, 20, 2)
    assert [addon.units(m) for m in (0, 39, 40, 59, 60, 80)] == [0, 0, 1, 1, 2, 3]
    assert [addon.threshold(u) for u in (1, 2, 3)] == [40, 60, 80]


def test_excluded_pairs_and_unknown_files(tmp_path: Path) -> None:
    pairs = rules.for_year(2026).excluded_pairs()
    assert frozenset(("CCM", "APCM")) in pairs and frozenset(("BHI", "CHI")) not in pairs
    (tmp_path / "2026.json").write_text(json.dumps(shipped()))
    (tmp_path / "2027.json").write_text("{not json")
    (tmp_path / "notes.json").write_text("{}")
    assert [p.name for p in rules.rule_files(tmp_path)] == ["2026.json", "2027.json"]
    good, bad = rules.check_all(tmp_path)
    assert [g.year for g in good] == [2026]
    assert len(bad) == 1 and "cannot read the file as JSON" in str(bad[0])
    assert 2026 in rules.years()
    with pytest.raises(rules.RulesError, match="the file must hold one JSON object"):
        rules.parse_rules([], source="x.json")


def test_a_rules_file_not_named_for_a_year_is_read_without_the_year_check(tmp_path: Path) -> None:
    # `caseload programs check --file draft.json`: a draft is checked before it is named 2027.json
    path = tmp_path / "draft.json"
    path.write_text(json.dumps(shipped()))
    assert rules.load_file(path).year == 2026


def test_a_year_without_its_own_file_takes_the_latest_earlier_file(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    loaded: list[int] = []
    monkeypatch.setattr(rules, "years", lambda: [2024, 2026, 2028])
    monkeypatch.setattr(rules, "_load_year", lambda year: loaded.append(year))
    rules.for_year(2027)
    rules.for_year(2026)
    rules.for_year(2031)
    assert loaded == [2026, 2026, 2028]
    with pytest.raises(rules.RulesError, match="no program rules for 2023"):
        rules.for_year(2023)


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (
            lambda levels: levels[2].update(chronic_conditions_max=0),
            "no level fits a client who is not QMB with 1 chronic condition(s)",
        ),
        (
            lambda levels: levels[1].update(qmb=True),
            "no level fits a client who is not QMB with 2 chronic condition(s)",
        ),
        (
            lambda levels: levels[1].update(chronic_conditions_max=5),
            "no level fits a client who is not QMB with 6 chronic condition(s)",
        ),
        (
            lambda levels: levels.pop(2),
            "no level fits a client who is not QMB with 0 chronic condition(s)",
        ),
        (
            lambda levels: (levels.pop(2), levels[1].update(qmb=True)),
            "no level fits a client who is not QMB with 0 chronic condition(s)",
        ),
    ],
)
def test_levels_that_leave_a_client_month_without_a_code_are_refused(
    change: Any, words: str
) -> None:
    # With a gap, the month would have no level to bill (the engine billed the last one).
    raw = shipped()
    change(program(raw, "APCM")["levels"])
    assert problems_of(raw) == [f"program APCM: {words}: the levels must cover every count"]


def test_levels_may_overlap_but_must_leave_no_count_uncovered() -> None:
    raw = shipped()
    program(raw, "APCM")["levels"] = [
        {"code": "G0556", "chronic_conditions_max": 1},
        {"code": "G0557", "chronic_conditions_min": 2},
        {"code": "G0558", "chronic_conditions_min": 5, "qmb": True},
    ]
    rules.parse_rules(raw, source="test.json", year=raw["year"])  # 5+ and QMB: two fit
    program(raw, "APCM")["levels"] = [
        {"code": "G0556", "chronic_conditions_max": 1},
        {"code": "G0558", "chronic_conditions_min": 2, "qmb": True},
        {"code": "G0557", "chronic_conditions_min": 2, "chronic_conditions_max": 3},
    ]
    assert problems_of(raw) == [
        "program APCM: no level fits a client who is not QMB with 4 chronic condition(s): the "
        "levels must cover every count"
    ]


def test_a_level_that_cannot_be_read_is_named_alone_not_as_a_gap_too() -> None:
    raw = shipped()
    program(raw, "APCM")["levels"][1] = 2
    assert problems_of(raw) == ["program APCM level 2: each level must be an object"]
