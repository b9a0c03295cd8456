from django.urls import path, register_converter

from caseload.workforce import views


class SectionConverter:
    """The kinds of profile entry: education, licences, certifications, employment, ce."""

    regex = "education|licences|certifications|employment|ce"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(SectionConverter, "section")

app_name = "workforce"

urlpatterns = [
    path("", views.mine, name="mine"),
    path("ladder/", views.ladder_page, name="ladder"),
    path("credentials/", views.credentials_page, name="credentials"),
    path("credentials/requirements/", views.requirements, name="requirements"),
    path("credentials/settings/", views.settings_save, name="settings_save"),
    path(
        "credentials/requirements/<uuid:requirement_id>/remove/",
        views.requirement_remove,
        name="requirement_remove",
    ),
    path("ladder/salaries/", views.ladder_salaries, name="ladder_salaries"),
    path("staff/<int:staff_id>/reviews/", views.reviews, name="reviews"),
    path("staff/<int:staff_id>/reviews/new/", views.review_new, name="review_new"),
    path("staff/<int:staff_id>/", views.profile, name="profile"),
    path("staff/<int:staff_id>/advisor/", views.advisor, name="advisor"),
    path("staff/<int:staff_id>/advisor/ask/", views.advisor_ask, name="advisor_ask"),
    path("staff/<int:staff_id>/advisor.pdf", views.advisor_pdf, name="advisor_pdf"),
    path("staff/<int:staff_id>/work-pattern/", views.work_pattern, name="work_pattern"),
    path("staff/<int:staff_id>/<section:section>/new/", views.entry_new, name="entry_new"),
    path("<section:section>/<uuid:entry_id>/edit/", views.entry_edit, name="entry_edit"),
    path("<section:section>/<uuid:entry_id>/verify/", views.entry_verify, name="entry_verify"),
    path("<section:section>/<uuid:entry_id>/remove/", views.entry_remove, name="entry_remove"),
    path("ce/<uuid:entry_id>/certificate/", views.ce_certificate, name="ce_certificate"),
]
