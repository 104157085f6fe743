from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from stafett.access import PersonRequest, signed_in
from stafett.followup.forms import PreferencesForm
from stafett.followup.notification_choices import participations, save_preferences
from stafett.lib.paging import PAGE_PARAMETER, page_of
from stafett.notify.outbox import preferences

# The choices per log, this many logs a page: a participant in hundreds of logs got a 126 KB page.
LOGS_PER_PAGE = 20


@signed_in
@require_http_methods(["GET", "POST"])
def my_notifications(request: PersonRequest) -> HttpResponse:
    """Everyone chooses for themselves how they are told, and about what."""
    person = request.user
    page = page_of(request, participations(person), per_page=LOGS_PER_PAGE)
    mine = list(page.object_list)
    form = PreferencesForm(
        request.POST or None,
        initial=PreferencesForm.initial_from(preferences(person), mine),
        person_email=person.email,
        person_phone=person.phone,
        participations=mine,
    )
    if request.method == "POST" and form.is_valid():
        save_preferences(
            actor=person,
            by_email=form.cleaned_data["by_email"],
            by_sms=form.cleaned_data["by_sms"],
            general=form.general(),
            per_log=form.per_log(),
        )
        messages.success(request, _("Varslene dine er lagret."))
        here = reverse("followup:notifications")
        return redirect(f"{here}?{PAGE_PARAMETER}={page.number}" if page.number > 1 else here)
    return render(
        request, "followup/notifications.html", {"form": form, "page": page}, status=400 if form.errors else 200
    )
