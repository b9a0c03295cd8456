from django.urls import path

from caseload.access import views

app_name = "access"

urlpatterns = [
    path("break-the-glass/", views.break_glass, name="break_glass"),
    path("break-the-glass/review/", views.review_queue, name="review_queue"),
    path("break-the-glass/review/<uuid:grant_id>/", views.review, name="review"),
]
