"""THE permission layer: which records an actor may see, and what they may do with them.

Every selector starts from a scope defined here and every service asks here before it writes.
Records outside an actor's scope are reported as *not found*, never *forbidden* (SPEC §1).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from caseload.core import clock, request_context
from caseload.core.errors import NotFound, PermissionDenied
from caseload.staff.models import CareerLevel

if TYPE_CHECKING:
    from caseload.clients.models import Client
    from caseload.enrolments.models import Enrolment
    from caseload.notes.models import ProgressNote
    from caseload.staff.models import User

CLINICAL_LEVELS = frozenset(
    {CareerLevel.JUNIOR, CareerLevel.CARE_MANAGER, CareerLevel.SENIOR, CareerLevel.DIRECTOR}
)


def is_clinical(actor: Any) -> bool:
    """Clinical staff work with client records; administrators and others do not."""
    return bool(
        getattr(actor, "is_authenticated", False)
        and actor.is_active
        and actor.career_level in CLINICAL_LEVELS
    )


def is_director(actor: User) -> bool:
    return is_clinical(actor) and actor.career_level == CareerLevel.DIRECTOR


def is_senior(actor: User) -> bool:
    return is_clinical(actor) and actor.career_level == CareerLevel.SENIOR


def supervisee_ids(actor: User) -> list[int]:
    """Active staff ``actor`` supervises (looked up once per request)."""
    if actor.career_level == CareerLevel.JUNIOR:
        return []
    return list(
        request_context.memoised(
            ("supervisee_ids", actor.pk),
            lambda: tuple(
                actor.supervisees.filter(is_active=True).order_by().values_list("pk", flat=True)
            ),
        )
    )


def led_program_ids(actor: User) -> list[Any]:
    """Programs a senior care manager leads (their programs); empty for other levels (looked
    up once per request)."""
    if actor.career_level != CareerLevel.SENIOR:
        return []
    return list(
        request_context.memoised(
            ("led_program_ids", actor.pk),
            lambda: tuple(actor.programs.order_by().values_list("pk", flat=True)),
        )
    )


def client_visibility(actor: User) -> Q:
    """The condition on Client rows that ``actor`` may see (see client_scope); built once per
    request (a chart asks about ten times)."""
    return request_context.memoised(
        ("client_visibility", actor.pk), lambda: _client_visibility(actor)
    )


def _client_visibility(actor: User) -> Q:
    from caseload.access.models import BreakGlassGrant
    from caseload.enrolments.models import CareTeamMember, Enrolment

    if not is_clinical(actor):
        return Q(pk__in=[])
    if actor.career_level == CareerLevel.DIRECTOR:
        return Q()
    managers = [actor.pk, *supervisee_ids(actor)]
    condition = Q(
        Exists(Enrolment.objects.filter(client=OuterRef("pk"), care_manager_id__in=managers))
    ) | Q(
        Exists(
            CareTeamMember.objects.filter(
                enrolment__client=OuterRef("pk"), staff_id=actor.pk, is_active=True
            )
        )
    )
    programs = led_program_ids(actor)
    if programs:
        condition |= Q(
            Exists(Enrolment.objects.filter(client=OuterRef("pk"), program_id__in=programs))
        )
    condition |= Q(
        Exists(
            BreakGlassGrant.objects.filter(
                client=OuterRef("pk"), user_id=actor.pk, expires_at__gt=clock.now()
            )
        )
    )
    return condition


def client_scope(actor: User) -> QuerySet[Client]:
    """Clients ``actor`` may see: own caseload, care teams, supervisees', led programs, or all."""
    from caseload.clients.models import Client

    return Client.objects.filter(client_visibility(actor))


def _in_scope_key(actor: User, client_id: Any) -> tuple[str, Any, str]:
    return ("client_in_scope", actor.pk, str(client_id))


def client_in_scope(actor: User, client_id: Any) -> bool:
    """Whether ``actor`` may see this client (asked once per request and client)."""
    return request_context.memoised(
        _in_scope_key(actor, client_id),
        lambda: client_scope(actor).filter(pk=client_id).exists(),
    )


def rows_of_client(actor: User, client_id: Any, *, via: str = "client") -> Q:
    """The condition on rows that belong (through ``via``) to one client ``actor`` may see.

    The scope is checked by ``client_in_scope``, once per request and client (a page that
    loaded the client through the scope has already answered it), so each query is a plain
    lookup by client id rather than carrying the scope as a subquery its SQL must compile and
    run. Out of scope, the condition matches nothing (no query is sent)."""
    if not client_in_scope(actor, client_id):
        return Q(pk__in=[])
    return Q(**{f"{via}_id": client_id})


def note_client_in_scope(actor: User, client: Client) -> None:
    """A selector that has just loaded ``client`` through ``client_scope`` says so, so later
    ``client_in_scope`` checks in the same request need no query."""
    request_context.remember(_in_scope_key(actor, client.pk), True)


def require_client(actor: User, client_id: Any) -> Client:
    """The client with this id if ``actor`` may see it, else NotFound (never Forbidden)."""
    try:
        client = client_scope(actor).get(pk=client_id)
    except (ValueError, TypeError) as exc:  # malformed id
        raise NotFound("Client not found.") from exc
    except client_scope(actor).model.DoesNotExist as exc:
        raise NotFound("Client not found.") from exc
    note_client_in_scope(actor, client)
    return client


def require_clinical(actor: User) -> None:
    if not is_clinical(actor):
        raise NotFound("Not found.")


def require_clinical_in_scope(actor: User, client_id: Any) -> None:
    """NotFound unless ``actor`` is clinical staff who may see the client (a chart section's
    check: no query once the request knows the client is in scope)."""
    require_clinical(actor)
    if not client_in_scope(actor, client_id):
        raise NotFound("Client not found.")


def require_clinical_client(actor: User, client_id: Any) -> Client:
    """The client, for clinical staff who may see them; NotFound for anyone else."""
    require_clinical(actor)
    return require_client(actor, client_id)


def require_administrator(actor: User) -> None:
    """Administrators' pages (directory maintenance): to anyone else they do not exist."""
    if not is_administrator(actor):
        raise NotFound("Not found.")


def can_view_access_history(actor: User, client: Client) -> bool:
    """Supervisors of the client's care manager, seniors in scope and directors."""
    if not is_clinical(actor) or actor.career_level == CareerLevel.JUNIOR:
        return False
    if not client_in_scope(actor, client.pk):
        return False
    if actor.career_level in (CareerLevel.SENIOR, CareerLevel.DIRECTOR):
        return True
    return client.enrolments.filter(care_manager__supervisor=actor).exists()


def can_assign_care_manager(actor: User, enrolment_program_id: Any, care_manager: User) -> bool:
    """Seniors assign within their programs, directors anywhere; others only themselves."""
    if not is_clinical(actor) or not is_clinical(care_manager):
        return False
    if care_manager.pk == actor.pk:
        return True
    if actor.career_level == CareerLevel.DIRECTOR:
        return True
    return actor.career_level == CareerLevel.SENIOR and enrolment_program_id in led_program_ids(
        actor
    )


def require_can_assign(actor: User, enrolment_program_id: Any, care_manager: User) -> None:
    if not can_assign_care_manager(actor, enrolment_program_id, care_manager):
        raise PermissionDenied(
            "Only a senior care manager of this program or a director may assign another "
            "care manager.",
            code="assign_not_allowed",
        )


def can_reassign(actor: User, enrolment: Enrolment) -> bool:
    if actor.career_level == CareerLevel.DIRECTOR:
        return is_clinical(actor)
    return is_senior(actor) and enrolment.program_id in led_program_ids(actor)


def can_manage_enrolment(actor: User, enrolment: Enrolment) -> bool:
    """The care manager, their supervisor, a senior leading the program, or a director.

    Care-team members see the client but do not change the enrolment itself.
    """
    if not is_clinical(actor):
        return False
    if enrolment.care_manager_id == actor.pk or can_reassign(actor, enrolment):
        return True
    return enrolment.care_manager.supervisor_id == actor.pk


def require_enrolment_manager(actor: User, enrolment: Enrolment) -> None:
    """PermissionDenied unless ``actor`` may change ``enrolment`` (see can_manage_enrolment)."""
    if not can_manage_enrolment(actor, enrolment):
        raise PermissionDenied(
            "Only the care manager, their supervisor, a senior care manager of this program or "
            "a director may change this enrolment.",
            code="enrolment_manage_not_allowed",
        )


def may_hold_client_work(actor: User, holder: User, client_id: Any) -> bool:
    """May ``holder`` be given work about a client (an appointment on their calendar):
    ``actor`` themself, or clinical staff whose scope includes the client."""
    if holder.pk == actor.pk:
        return True
    return is_clinical(holder) and client_in_scope(holder, client_id)


def require_note_author(actor: User, note: ProgressNote, doing: str) -> None:
    """Only a note's author changes or signs it."""
    if note.author_id != actor.pk:
        raise PermissionDenied(f"Only the author of a note may {doing} it.", code="not_author")


def can_mark_note_entered_in_error(actor: User, note: ProgressNote) -> bool:
    """The author, the author's supervisor, or a senior or director (the client in scope is
    checked apart). ``note.author`` should be loaded."""
    if not is_clinical(actor):
        return False
    if note.author_id == actor.pk:
        return True
    if is_senior(actor) or is_director(actor):
        return True
    author: User = note.author
    return author.supervisor_id == actor.pk


def require_directory_reader(actor: User) -> None:
    """The service directory is for every active member of staff (clinical or administrator);
    anyone else is told it is not there."""
    if not (is_clinical(actor) or is_administrator(actor)):
        raise NotFound("Not found.")


def caseload_owner_choices(actor: User) -> QuerySet[User]:
    """Staff whose caseload ``actor`` may switch to: self, supervisees; seniors their programs'."""
    from caseload.staff.models import User

    if not is_clinical(actor):
        return User.objects.none()
    if actor.career_level == CareerLevel.DIRECTOR:
        return User.objects.filter(is_active=True, career_level__in=CLINICAL_LEVELS)
    condition = Q(pk=actor.pk) | Q(supervisor=actor, is_active=True)
    programs = led_program_ids(actor)
    if programs:
        condition |= Q(programs__in=programs, is_active=True, career_level__in=CLINICAL_LEVELS)
    return User.objects.filter(condition).distinct()


def require_cosigner(actor: User, cosigner_id: Any) -> None:
    """Only the assigned co-signer (the author's supervisor) may co-sign or return work."""
    if cosigner_id != actor.pk:
        raise PermissionDenied(
            "Only the author's supervisor may co-sign this.", code="not_cosigner"
        )


def can_search_audit(actor: Any) -> bool:
    """Directors and privacy officers search the audit trail and run access reports."""
    if not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return False
    return bool(actor.is_privacy_officer) or actor.career_level == CareerLevel.DIRECTOR


def require_audit_searcher(actor: User) -> None:
    if not can_search_audit(actor):
        raise NotFound("Not found.")


def can_break_glass(actor: Any) -> bool:
    """Clinical staff below director (directors already see every client)."""
    return is_clinical(actor) and actor.career_level != CareerLevel.DIRECTOR


def break_glass_reviewable_user_ids(actor: User) -> Q:
    """Grants ``actor`` reviews: privacy officers and directors all; supervisors their staff's."""
    if can_search_audit(actor):
        return Q()
    if is_clinical(actor):
        return Q(user__supervisor=actor)
    return Q(pk__in=[])


# --- Staff accounts and privileges --------------------------------------------------------------
#
# Who may change what on a staff account (docs/security.md, "Who may grant what"). Nobody
# changes their own privileges; only a director grants or takes away director and privacy-officer
# rights, or anything that widens whose client records an account sees; an administrator runs
# accounts (create, rename, deactivate, reset passwords, the administrator flag of others) and may
# narrow access, never widen it. The console's system actor (`caseload staff_grant`, run by
# whoever operates the server) may do anything: it is how the first director is made.

#: Career levels in order of the client records they reach: each sees what the one below sees.
CAREER_RANK = {
    "": 0,
    CareerLevel.JUNIOR: 1,
    CareerLevel.CARE_MANAGER: 2,
    CareerLevel.SENIOR: 3,
    CareerLevel.DIRECTOR: 4,
}


def is_administrator(actor: Any) -> bool:
    """An active IT administrator (runs the system; sees no client records by that right)."""
    return bool(
        getattr(actor, "is_authenticated", False)
        and actor.is_active
        and getattr(actor, "is_administrator", False)
    )


def is_system_actor(actor: Any) -> bool:
    """The console's actor: inactive, so it can never be a signed-in request's user."""
    from caseload.staff.services import SYSTEM_USERNAME

    return bool(actor.username == SYSTEM_USERNAME and not actor.is_active and actor.pk)


def can_use_admin(actor: Any) -> bool:
    """The Django admin: administrators, and directors (for staff privileges)."""
    return is_administrator(actor) or (
        getattr(actor, "is_authenticated", False) and is_director(actor)
    )


def can_view_staff(actor: Any) -> bool:
    return can_use_admin(actor)


def can_create_staff(actor: Any) -> bool:
    return is_administrator(actor) or is_system_actor(actor)


def _refuse(message: str, code: str) -> PermissionDenied:
    return PermissionDenied(message, code=code)


def _director_only(actor: User, what: str) -> None:
    if not (is_director(actor) or is_system_actor(actor)):
        raise _refuse(f"Only a director may {what}.", "director_only")


def _administrator_or_director(actor: User, what: str) -> None:
    if not (is_administrator(actor) or is_director(actor) or is_system_actor(actor)):
        raise _refuse(f"Only an administrator or a director may {what}.", "not_allowed")


def _director_widens(actor: User, *, widening: bool, widen: str, narrow: str) -> None:
    """Widening whose client records someone sees is a director's; narrowing it is also an
    administrator's."""
    if widening:
        _director_only(actor, widen)
    else:
        _administrator_or_director(actor, narrow)


def _not_own(actor: User, user: User, what: str) -> None:
    if actor.pk == user.pk:
        raise _refuse(
            f"You cannot change your own {what}: another administrator or a director must.",
            "own_privileges",
        )


def has_privacy_rights(user: User) -> bool:
    """Director or privacy officer: audit searches and everyone's access history."""
    return bool(user.is_privacy_officer) or user.career_level == CareerLevel.DIRECTOR


def require_may_edit_profile(actor: User, user: User) -> None:
    """Names, email, job title, phone, languages: one's own, or anyone's for those who run
    accounts."""
    if actor.pk != user.pk:
        _administrator_or_director(actor, "change someone else's profile")


def require_may_rename(actor: User, user: User) -> None:
    _not_own(actor, user, "username")
    if not (is_administrator(actor) or is_system_actor(actor)):
        raise _refuse("Only an administrator may change a username.", "administrator_only")


def require_may_set_career_level(actor: User, user: User, before: str, after: str) -> None:
    """Raising a level, or anything to or from director, is a director's; lowering (narrower
    client access) is also an administrator's."""
    _not_own(actor, user, "career level")
    if CareerLevel.DIRECTOR in (before, after):
        _director_only(actor, "make someone a director or take it away")
    _director_widens(
        actor,
        widening=CAREER_RANK.get(after, 0) > CAREER_RANK.get(before, 0),
        widen="give a career level that reaches more client records",
        narrow="lower a career level",
    )


def require_may_set_privacy_officer(actor: User, user: User) -> None:
    _not_own(actor, user, "privacy-officer rights")
    _director_only(actor, "grant or take away privacy-officer rights")


def require_may_set_administrator(actor: User, user: User) -> None:
    _not_own(actor, user, "administrator rights")
    if not (is_administrator(actor) or is_system_actor(actor)):
        raise _refuse(
            "Only an administrator may grant or take away administrator rights.",
            "administrator_only",
        )


def require_may_set_programs(actor: User, user: User, *, adding: bool) -> None:
    """Joining a program can widen a senior's reach: a director's; leaving one is also an
    administrator's."""
    _not_own(actor, user, "programs")
    _director_widens(
        actor,
        widening=adding,
        widen="add someone to a program",
        narrow="take someone out of a program",
    )


def require_may_set_supervisor(actor: User, user: User, *, supervisor_id: Any) -> None:
    """A supervisor sees their supervisees' clients: naming one is a director's; removing one is
    also an administrator's."""
    _not_own(actor, user, "supervisor")
    _director_widens(
        actor,
        widening=supervisor_id is not None,
        widen="name someone's supervisor",
        narrow="remove someone's supervisor",
    )


def require_may_set_caseload_cap(actor: User, user: User) -> None:
    _not_own(actor, user, "caseload cap")
    _director_only(actor, "change a caseload cap")


def require_may_set_active(actor: User, user: User, *, active: bool) -> None:
    """Anyone who runs accounts deactivates one; reactivating an account that reaches client
    records or privacy rights gives them back, so it is a director's."""
    _not_own(actor, user, "account's status")
    if active and (user.career_level in CLINICAL_LEVELS or has_privacy_rights(user)):
        _director_only(actor, "reactivate an account with access to client records")
    else:
        _administrator_or_director(actor, "activate or deactivate an account")


def require_may_set_password(actor: User, user: User) -> None:
    """One's own password is free; an administrator or director resets others', except a
    director's or privacy officer's, which only a director resets. (The person then finds
    their password changed, and the reset is in the audit trail.)"""
    if actor.pk == user.pk:
        return
    if has_privacy_rights(user):
        _director_only(actor, "reset the password of a director or privacy officer")
    else:
        _administrator_or_director(actor, "reset someone's password")


def require_may_remove_two_factor(actor: User, user: User) -> None:
    """Removing someone's two-factor device, with a password reset, opens their account to
    whoever did it: for an account that reaches client records or privacy rights, a
    director's."""
    if actor.pk == user.pk:
        return
    if user.career_level in CLINICAL_LEVELS or has_privacy_rights(user):
        _director_only(actor, "remove the two-factor device of someone with client access")
    else:
        _administrator_or_director(actor, "remove someone's two-factor device")


# -- time toward care management programs (programrules) ------------------------------------


def can_edit_time_entry(actor: User, performed_by: User) -> bool:
    """Who may correct a time entry (with a reason): whoever did the work, their supervisor,
    seniors and directors (the client being in the actor's scope is checked first)."""
    if not is_clinical(actor):
        return False
    if actor.pk == performed_by.pk or performed_by.supervisor_id == actor.pk:
        return True
    return actor.career_level in (CareerLevel.SENIOR, CareerLevel.DIRECTOR)


def require_may_edit_time_entry(actor: User, performed_by: User) -> None:
    if not can_edit_time_entry(actor, performed_by):
        raise _refuse(
            "Only the person who did the work, their supervisor, a senior care manager or a "
            "director may change this time.",
            "not_time_editor",
        )


def can_close_months(actor: Any) -> bool:
    """Closing a month's program results (and reopening it) is a director's."""
    return is_director(actor)


def require_may_close_months(actor: User) -> None:
    if not can_close_months(actor):
        raise NotFound("Not found.")


def can_see_program_reports(actor: Any) -> bool:
    """The month-end program report and billing export: seniors (their programs' clients) and
    directors (every client); what each sees is still cut by ``client_scope``."""
    return is_director(actor) or is_senior(actor)


def require_program_reports(actor: User) -> None:
    if not can_see_program_reports(actor):
        raise NotFound("Not found.")
