from django.urls import path

from stafett.guide import views

app_name = "guide"
urlpatterns = [
    path("veileder/", views.index, name="index"),
    path("veileder/verktoy/<slug:slug>/", views.tool, name="tool"),
    path("veileder/verktoy/<slug:slug>/pdf/", views.tool_pdf, name="tool_pdf"),
    path("veileder/steg/<uuid:code>/endre/", views.edit_step, name="edit_step"),
    path("logg/<uuid:log_code>/veileder/start/", views.start, name="start"),
    path("logg/<uuid:log_code>/veileder/<uuid:position_code>/beslutning/", views.decide, name="decide"),
    path("logg/<uuid:log_code>/veileder/frister/", views.timeline, name="timeline"),
    path("logg/<uuid:log_code>/veileder/opprettholdende-faktorer/", views.factors, name="factors"),
]
