"""The chart's address, /clients/<id>/, named ``clients:chart``.

The chart sits on the top floor (it gathers every app's section) but keeps the address people
bookmark and the URL name every page links with: config/urls.py mounts these patterns in the
``clients`` namespace beside the client's own pages, so no app below imports this one.
"""

from django.urls import path

from caseload.chart import views

urlpatterns = [
    path("<uuid:client_id>/", views.chart, name="chart"),
]

#: A client's coordination overview, at /coordination/for/<id>/ (its address before coordination
#: was split), named ``chart:client_overview``.
coordination_urlpatterns = [
    path("for/<uuid:client_id>/", views.client_overview, name="client_overview"),
]
