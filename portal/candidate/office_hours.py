"""The candidate's office hours (`/me/office-hours`): their bookings, and every recruiter's free
times for the next weeks in the candidate's own time zone, to book one or cancel one.
Thin: each view calls one service (portal/services/office_hours.py) through the form-action
helper; never commit here."""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for

from portal.candidate.blueprint import bp
from portal.candidate.common import current_candidate
from portal.i18n import gettext as _
from portal.i18n import lazy as _l
from portal.models import utcnow
from portal.services import interview_words, office_hours
from portal.services import office_hours_slots as slots
from portal.web.actions import act, submit
from portal.web.forms import FlaskForm

# A recruiter's office hours are on one day every week: "Anna, Mondays" (Monday first, as weekday()).
EVERY_WEEKDAY = (
    # Translators: office hours held every week on this day ("Anna, Mondays").
    _l("Mondays"),
    # Translators: office hours held every week on this day ("Anna, Tuesdays").
    _l("Tuesdays"),
    # Translators: office hours held every week on this day ("Anna, Wednesdays").
    _l("Wednesdays"),
    # Translators: office hours held every week on this day ("Anna, Thursdays").
    _l("Thursdays"),
    # Translators: office hours held every week on this day ("Anna, Fridays").
    _l("Fridays"),
    # Translators: office hours held every week on this day ("Anna, Saturdays").
    _l("Saturdays"),
    # Translators: office hours held every week on this day ("Anna, Sundays").
    _l("Sundays"),
)


def _page(form=None, taken=None, code=200):
    me = current_candidate()
    zone = interview_words.zone_name(me, g.firm)
    now = utcnow()
    bookings = office_hours.upcoming_for_candidate(me, now)
    return render_template(
        "candidate/office_hours.html",
        zone=zone,
        offers=slots.offers(zone, now),
        bookings=bookings,
        names=interview_words.recruiter_names(bookings),
        form=form or FlaskForm(formdata=None),
        taken=taken,
        words=interview_words,
        day_names=[str(d) for d in EVERY_WEEKDAY],
    ), code


@bp.route("/office-hours", endpoint="office_hours")
def office_hours_list():
    return _page()


@bp.route("/office-hours/book", methods=["POST"])
def office_hours_book():
    form = FlaskForm()
    out = submit(
        form, lambda: office_hours.book(g.firm, current_candidate(), (request.form.get("slot") or "")[:40], utcnow())
    )
    if out:
        flash(_("You are booked. We emailed you the details and an invitation for your calendar."), "success")
        return redirect(url_for("candidate.office_hours", _anchor=f"booking-{out.value.id}"), 303)
    # The refusal is on the form already; a lost race also shows that recruiter's next free times.
    taken = out.error if isinstance(out.error, office_hours.SlotTaken) else None
    return _page(form=form, taken=taken, code=409 if taken else 400)


@bp.route("/office-hours/bookings/<int:interview_id>/cancel", methods=["POST"])
def office_hours_cancel(interview_id: int):
    return act(
        lambda: office_hours.cancel(g.firm, current_candidate(), interview_id, utcnow()),
        form=FlaskForm(),
        back_to=url_for("candidate.office_hours"),
        refused=_("Not cancelled"),
        done=_("Cancelled. The time is free again, and we emailed you an update for your calendar."),
    )
