"""Reads for the service directory: search and filters for every member of staff, and the
services a referral or an appointment may name."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q, QuerySet

from caseload.access import policies
from caseload.core.errors import NotFound
from caseload.directory.models import DirectoryImport, Service, ServiceType

if TYPE_CHECKING:
    from caseload.staff.models import User

DIRECTORY_PAGE_SIZE = 25


@dataclass(frozen=True)
class DirectoryPage:
    services: list[Service]
    total: int
    page: int
    per_page: int
    q: str
    service_type: str
    language: str
    accepting_only: bool
    type_choices: list[tuple[str, str]]
    language_choices: list[str]

    @property
    def num_pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.num_pages

    @property
    def previous_page(self) -> int:
        return self.page - 1

    @property
    def next_page(self) -> int:
        return self.page + 1


def directory_search(
    *,
    actor: User,
    q: str = "",
    service_type: str = "",
    language: str = "",
    accepting_only: bool = False,
    page: int = 1,
    per_page: int = DIRECTORY_PAGE_SIZE,
) -> DirectoryPage:
    """Active directory services matching the words, type, language and referral filter."""
    policies.require_directory_reader(actor)
    services = Service.objects.filter(is_active=True, organisation__is_active=True)
    q = q.strip()
    for word in q.split()[:8]:
        services = services.filter(
            Q(name__icontains=word)
            | Q(organisation__name__icontains=word)
            | Q(description__icontains=word)
            | Q(eligibility__icontains=word)
            | Q(city__icontains=word)
            | Q(postal_code__icontains=word)
        )
    if service_type in ServiceType.values:
        services = services.filter(service_type=service_type)
    else:
        service_type = ""
    language = language.strip()
    if language:
        services = services.filter(languages__icontains=language)
    if accepting_only:
        services = services.filter(accepting_referrals=True)
    total = services.count()
    page = max(1, min(page, max(1, -(-total // per_page))))
    rows = list(
        services.select_related("organisation").order_by("organisation__name", "name")[
            (page - 1) * per_page : page * per_page
        ]
    )
    spoken: set[str] = set()
    for languages in Service.objects.filter(is_active=True).values_list("languages", flat=True):
        spoken.update(part.strip() for part in languages.split(",") if part.strip())
    return DirectoryPage(
        services=rows,
        total=total,
        page=page,
        per_page=per_page,
        q=q,
        service_type=service_type,
        language=language,
        accepting_only=accepting_only,
        type_choices=list(ServiceType.choices),
        language_choices=sorted(spoken, key=str.lower),
    )


def service_get(*, service_id: Any) -> Service:
    try:
        return Service.objects.select_related("organisation").get(pk=service_id, is_active=True)
    except (Service.DoesNotExist, ValueError, TypeError, DjangoValidationError) as exc:
        raise NotFound("Service not found.") from exc


def referral_service_choices() -> QuerySet[Service]:
    """Services a referral may go to: listed, active, accepting referrals."""
    return (
        Service.objects.filter(
            is_active=True, organisation__is_active=True, accepting_referrals=True
        )
        .select_related("organisation")
        .order_by("organisation__name", "name")
    )


def directory_import_get(*, actor: User, import_id: Any) -> DirectoryImport:
    """An uploaded directory file, for administrators (to anyone else: not found)."""
    policies.require_administrator(actor)
    upload = DirectoryImport.objects.select_related("uploaded_by").filter(pk=import_id).first()
    if upload is None:
        raise NotFound("Not found.")
    return upload
