from django.urls import path

from stafett.api import views

app_name = "api_pages"
urlpatterns = [
    path("innstillinger/api-nokler/", views.tokens, name="tokens"),
    path("innstillinger/api-nokler/<uuid:personal_token_code>/trekk-tilbake/", views.revoke_token, name="revoke_token"),
    path("systemer/", views.system_clients, name="systems"),
    path("systemer/<uuid:system_client_code>/trekk-tilbake/", views.revoke_system, name="revoke_system"),
]
