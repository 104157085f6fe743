"""Log templates per service, kept by superusers (seeds/004 Roller: superbruker maintains templates)."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from stafett import access
from stafett.access import Action, PersonRequest, needs
from stafett.audit.models import AuditAction
from stafett.audit.record import record
from stafett.lib.forms import BoundedModelForm, add_form_errors
from stafett.lib.versioning import StaleEdit, save_versioned
from stafett.logs.models import LogTemplate
from stafett.people.models import Person

TEMPLATE_FIELDS = ["about_me_heading", "about_me_prompt", "meeting_agenda"]


@transaction.atomic
def update_template(*, actor: Person, template: LogTemplate, version: int, changes: dict[str, str]) -> LogTemplate:
    access.require(actor, Action.MANAGE_TEMPLATES)
    changed = [f for f in TEMPLATE_FIELDS if getattr(template, f) != changes[f].strip()]
    for f in changed:
        setattr(template, f, changes[f].strip())
    save_versioned(template, version, changed)
    record(actor=actor, action=AuditAction.TEMPLATE_CHANGED, obj=template, details={"felt": changed})
    return template


class TemplateForm(BoundedModelForm):  # type: ignore[type-arg]
    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = LogTemplate
        fields = TEMPLATE_FIELDS


@needs(Action.MANAGE_TEMPLATES)
@require_GET
def template_list(request: PersonRequest) -> HttpResponse:
    return render(request, "logs/template_list.html", {"templates": LogTemplate.objects.all()})


@needs(Action.MANAGE_TEMPLATES)
@require_http_methods(["GET", "POST"])
def template_edit(request: PersonRequest, code: str) -> HttpResponse:
    template = get_object_or_404(LogTemplate, code=code)
    form = TemplateForm(request.POST or None, instance=template, initial={"version": template.version})
    if request.method == "POST" and form.is_valid():
        try:
            fresh = LogTemplate.objects.get(pk=template.pk)
            update_template(
                actor=request.user, template=fresh, version=form.cleaned_data["version"], changes=form.cleaned_data
            )
        except StaleEdit:
            form.add_error(None, StaleEdit.message)
        except ValidationError as e:
            add_form_errors(form, e)
        else:
            messages.success(
                request,
                _("Malen for %(service)s er lagret.") % {"service": template.get_service_type_display().lower()},
            )
            return redirect("logs:templates")
    status = 400 if form.errors else 200
    return render(request, "logs/template_form.html", {"template": template, "form": form}, status=status)
