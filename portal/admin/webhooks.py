"""Firm administration of webhook endpoints: register, change, rotate the secret, disable or
enable, remove, read the delivery log and replay a delivery. Thin: portal.services.
webhook_endpoints checks and records (audited); another firm's endpoint is a 404."""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for

from portal.admin.blueprint import bp
from portal.admin.forms import EmptyForm, WebhookForm
from portal.i18n import gettext as _
from portal.i18n import lazy as _l
from portal.models import DeliveryState, WebhookEndpoint, utcnow
from portal.recruiter.common import get_or_404
from portal.services import webhook_endpoints as endpoints
from portal.services.webhooks import EVENT_TYPES
from portal.web.actions import act, actor, status, submit

# A delivery's state as the log shows it.
DELIVERY_STATES = {
    # Translators: the state of a webhook delivery: waiting for its next attempt.
    DeliveryState.PENDING.value: _l("pending"),
    DeliveryState.SENDING.value: _l("sending"),
    DeliveryState.DELIVERED.value: _l("delivered"),
    DeliveryState.FAILED.value: _l("failed"),
}


def _fields(form: WebhookForm) -> tuple:
    return form.url.data, form.description.data, form.event_types.data, form.notes_scope.data


@bp.route("/webhooks", methods=["GET", "POST"])
def webhooks():
    form = WebhookForm()
    out = submit(form, lambda: endpoints.create_endpoint(g.firm, actor(), *_fields(form)))
    if out:
        flash(_("Endpoint added. Copy its signing secret into your receiver."), "success")
        return redirect(url_for("admin.webhook", endpoint_id=out.value.id), code=303)
    return render_template(
        "admin/webhooks.html", form=form, endpoints=endpoints.list_endpoints(g.firm), events=EVENT_TYPES
    ), status(form)


@bp.route("/webhooks/<int:endpoint_id>", methods=["GET", "POST"])
def webhook(endpoint_id: int):
    endpoint = get_or_404(WebhookEndpoint, endpoint_id)
    form = WebhookForm(obj=endpoint)
    out = submit(form, lambda: endpoints.update_endpoint(g.firm, actor(), endpoint, *_fields(form)))
    if out:
        flash(_("Saved.") if out.value else _("Nothing changed."), "success")
        return redirect(url_for("admin.webhook", endpoint_id=endpoint.id), code=303)
    return render_template(
        "admin/webhook.html",
        endpoint=endpoint,
        form=form,
        events=EVENT_TYPES,
        log=endpoints.delivery_log(endpoint),
        delivery_states=DELIVERY_STATES,
        action_form=EmptyForm(),
        now=utcnow(),
    ), status(form)


def _back(endpoint_id: int) -> str:
    return url_for("admin.webhook", endpoint_id=endpoint_id)


@bp.route("/webhooks/<int:endpoint_id>/rotate", methods=["POST"])
def webhook_rotate(endpoint_id: int):
    endpoint = get_or_404(WebhookEndpoint, endpoint_id)
    return act(
        lambda: endpoints.rotate_secret(g.firm, actor(), endpoint),
        form=EmptyForm(),
        back_to=_back(endpoint.id),
        refused=_("Not rotated"),
        done=_("New secret made. The old one keeps signing beside it until the time shown; update your receiver."),
    )


@bp.route("/webhooks/<int:endpoint_id>/enabled", methods=["POST"])
def webhook_enabled(endpoint_id: int):
    endpoint, enable = get_or_404(WebhookEndpoint, endpoint_id), request.form.get("enabled") == "1"
    return act(
        lambda: endpoints.set_enabled(g.firm, actor(), endpoint, enable),
        form=EmptyForm(),
        back_to=_back(endpoint.id),
        refused=_("Not changed"),
        done=_("Endpoint enabled.") if enable else _("Endpoint disabled: it receives nothing until enabled."),
    )


@bp.route("/webhooks/<int:endpoint_id>/remove", methods=["POST"])
def webhook_remove(endpoint_id: int):
    endpoint = get_or_404(WebhookEndpoint, endpoint_id)
    return act(
        lambda: endpoints.delete_endpoint(g.firm, actor(), endpoint),
        form=EmptyForm(),
        back_to=url_for("admin.webhooks"),
        refused=_("Not removed"),
        done=_("Endpoint removed."),
    )


@bp.route("/webhooks/<int:endpoint_id>/deliveries/<int:delivery_id>/replay", methods=["POST"])
def webhook_replay(endpoint_id: int, delivery_id: int):
    endpoint = get_or_404(WebhookEndpoint, endpoint_id)
    return act(
        lambda: endpoints.replay(g.firm, actor(), endpoint, delivery_id),
        form=EmptyForm(),
        back_to=_back(endpoint.id) + "#log",
        refused=_("Not sent again"),
        done=_("Sent again (the same event id): the result appears in the log below."),
    )
