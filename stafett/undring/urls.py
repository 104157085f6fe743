from django.urls import path

from stafett.undring import views

app_name = "undring"
urlpatterns = [
    path("undring/", views.my_notes, name="mine"),
    path("tjenestested/<uuid:unit_code>/undring/ny/", views.create, name="create"),
    path("undring/<uuid:note_code>/", views.detail, name="detail"),
    path("undring/<uuid:note_code>/refleksjon/", views.edit_reflection, name="edit"),
    path("undring/<uuid:note_code>/samtale/", views.talk, name="talk"),
    path("undring/<uuid:note_code>/bekymring/", views.concern, name="concern"),
    path("undring/<uuid:note_code>/niva-1/", views.to_level_one, name="to_level_one"),
    path("undring/<uuid:note_code>/avslutt/", views.close, name="close"),
    path("undring/<uuid:note_code>/vold-eller-overgrep/", views.abuse, name="abuse"),
    path("tjenestested/<uuid:unit_code>/drofting/ny/", views.new_discussion, name="new_discussion"),
    path("drofting/<uuid:discussion_code>/", views.discussion_detail, name="discussion"),
]
