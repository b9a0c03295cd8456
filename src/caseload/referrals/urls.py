from django.urls import path

from caseload.referrals import views

app_name = "referrals"

# Mounted at /coordination/ (config/urls.py), where referrals have always been.
urlpatterns = [
    path("referrals/", views.referral_list, name="referral_list"),
    path("for/<uuid:client_id>/referrals/new/", views.referral_create, name="referral_create"),
    path("referrals/<uuid:referral_id>/", views.referral_detail, name="referral_detail"),
    path("referrals/<uuid:referral_id>/edit/", views.referral_edit, name="referral_edit"),
    path(
        "referrals/<uuid:referral_id>/status/",
        views.referral_transition,
        name="referral_transition",
    ),
    path("referrals/<uuid:referral_id>/reopen/", views.referral_reopen, name="referral_reopen"),
    path("referrals/<uuid:referral_id>/letter.pdf", views.referral_letter, name="referral_letter"),
]
