"""The distribution rules, on plain values (no database)."""

from __future__ import annotations

from caseload.team.distribution import (
    ClientToPlace,
    Receiver,
    distribute,
    loads,
    spoken_languages,
)

GER, CHR = "geriatric", "chronic"


def client(
    key: str,
    *,
    program: str = CHR,
    language: str = "English",
    household: str = "",
    credentials: frozenset[str] = frozenset(),
) -> ClientToPlace:
    return ClientToPlace(
        key=key,
        client_name=f"Client {key}",
        program_id=program,
        program_name="Chronic disease management" if program == CHR else "Geriatric",
        language=language,
        household=household or None,
        required_credentials=credentials,
    )


def receiver(
    key: str,
    *,
    cap: int = 10,
    current: int = 0,
    programs: tuple[str, ...] = (CHR,),
    languages: str = "",
    credentials: frozenset[str] = frozenset(),
) -> Receiver:
    return Receiver(
        key=key,
        name=key.title(),
        cap=cap,
        current=current,
        program_ids=frozenset(programs),
        languages=spoken_languages(languages),
        credentials=credentials,
    )


def test_no_receiver_goes_over_their_cap_and_the_rest_stay_unplaced() -> None:
    clients = [client(str(n)) for n in range(7)]
    receivers = [receiver("ana", cap=5, current=3), receiver("ben", cap=4, current=2)]
    result = distribute(clients, receivers)
    after = {load.receiver.key: load.after for load in loads(receivers, result.placements)}
    assert after == {"ana": 5, "ben": 4}
    assert len(result.unplaced()) == 3
    assert result.unmet == [
        "No receiver in Chronic disease management has room under their caseload cap: "
        + ", ".join(sorted(f"Client {k}" for k in result.unplaced()))
        + "."
    ]


def test_load_is_balanced_against_each_cap() -> None:
    clients = [client(str(n)) for n in range(12)]
    receivers = [receiver("ana", cap=20, current=10), receiver("ben", cap=40, current=10)]
    result = distribute(clients, receivers)
    after = {load.receiver.key: load.after for load in loads(receivers, result.placements)}
    # Each next client goes where the load after it is lightest against the cap: Ben (10/40)
    # takes clients until he is as full as Ana (10/20), then the tie goes by name.
    assert after == {"ana": 11, "ben": 21}
    assert not result.unmet


def test_a_household_goes_to_one_receiver() -> None:
    clients = [
        client("a1", household="12 Elm St"),
        client("a2", household="12 Elm St"),
        client("a3", household="12 Elm St"),
        client("b"),
        client("c"),
    ]
    receivers = [receiver("ana", cap=10), receiver("ben", cap=10)]
    result = distribute(clients, receivers)
    assert len({result.placements[k] for k in ("a1", "a2", "a3")}) == 1
    assert not result.unmet


def test_a_household_too_big_for_anyone_is_split_and_says_so() -> None:
    clients = [
        client("a1", household="h"),
        client("a2", household="h"),
        client("a3", household="h"),
    ]
    receivers = [receiver("ana", cap=2), receiver("ben", cap=2)]
    result = distribute(clients, receivers)
    assert None not in result.placements.values()
    assert len(set(result.placements.values())) == 2
    assert result.unmet == [
        "Could not keep the household of Client a1, Client a2 and Client a3 together."
    ]


def test_preferred_language_wins_over_balance() -> None:
    clients = [client("t", language="Tagalog"), client("s", language="Spanish")]
    receivers = [
        receiver("ana", cap=10, current=9, languages="Tagalog"),
        receiver("ben", cap=10, current=0, languages="Spanish, Portuguese"),
        receiver("cy", cap=10, current=0),
    ]
    result = distribute(clients, receivers)
    assert result.placements == {"t": "ana", "s": "ben"}
    assert not result.unmet


def test_no_receiver_with_room_speaks_the_language() -> None:
    clients = [client("t", language="Tagalog")]
    receivers = [receiver("ana", cap=5, current=5, languages="tagalog"), receiver("ben")]
    result = distribute(clients, receivers)
    assert result.placements == {"t": "ben"}
    assert result.unmet == ["No receiver with room speaks Tagalog: Client t."]
    assert result.notes["t"] == ["no receiver with room speaks Tagalog"]


def test_no_receiver_speaks_the_language_at_all() -> None:
    result = distribute([client("v", language="Vietnamese")], [receiver("ben")])
    assert result.placements == {"v": "ben"}
    assert result.unmet == ["No receiver speaks Vietnamese: Client v."]


def test_english_is_spoken_by_every_receiver() -> None:
    assert "english" in spoken_languages("")
    assert spoken_languages(" Spanish ,TAGALOG,") == {"english", "spanish", "tagalog"}


def test_a_client_goes_only_to_a_receiver_in_their_program() -> None:
    clients = [client("g", program=GER), client("c", program=CHR)]
    receivers = [receiver("ana", programs=(CHR,)), receiver("ben", programs=(GER,))]
    result = distribute(clients, receivers)
    assert result.placements == {"g": "ben", "c": "ana"}


def test_nobody_in_the_program_leaves_the_client_unplaced_with_the_reason() -> None:
    result = distribute([client("g", program=GER)], [receiver("ana", programs=(CHR,))])
    assert result.placements == {"g": None}
    assert result.unmet == ["No receiver works in Geriatric: Client g."]


def test_a_required_credential_is_honoured() -> None:
    needs = frozenset({"CCM"})
    clients = [client("x", credentials=needs)]
    receivers = [receiver("ana"), receiver("ben", cap=10, current=9, credentials=needs)]
    assert distribute(clients, receivers).placements == {"x": "ben"}
    result = distribute(clients, [receiver("ana")])
    assert result.placements == {"x": None}
    assert result.unmet == [
        "No receiver in Chronic disease management holds the credential CCM: Client x."
    ]


def test_the_same_input_gives_the_same_proposal() -> None:
    clients = [client(str(n), language=["English", "Spanish"][n % 2]) for n in range(30)]
    receivers = [receiver("ana", languages="Spanish"), receiver("ben"), receiver("cy", cap=15)]
    first = distribute(clients, receivers).placements
    assert distribute(list(reversed(clients)), list(reversed(receivers))).placements == first
