"""The recruiter's profile for their candidates: a short line and a photo (shown wherever a
candidate sees their recruiter). Thin: each view validates its form and calls one service of
portal/services/recruiter_profile.py through the form-action helper; never commit here."""

from __future__ import annotations

from flask import flash, g, redirect, render_template, url_for

from portal.i18n import gettext as _
from portal.recruiter.blueprint import bp
from portal.recruiter.forms import AboutForm, ActionForm, NotificationsForm, PhotoForm
from portal.services import calendar_feeds, conversations, recruiter_profile
from portal.web.actions import actor, flash_outcome, status, submit


def _page(about_form=None, photo_form=None, code=200, notify_form=None):
    me = actor()
    return render_template(
        "recruiter/profile.html",
        me=me,
        card=recruiter_profile.recruiters([me.id]).get(me.id),
        about_form=about_form or AboutForm(formdata=None, about=me.about),
        photo_form=photo_form or PhotoForm(formdata=None),
        remove_form=ActionForm(formdata=None),
        feed=calendar_feeds.urls(g.firm, me),
        notify_form=notify_form or NotificationsForm(formdata=None, message_notifications=me.message_notifications),
    ), code


@bp.route("/profile")
def profile():
    return _page()


@bp.route("/profile/about", methods=["POST"])
def profile_about():
    form = AboutForm()
    if submit(form, lambda: recruiter_profile.update_about(g.firm, actor(), form.about.data), field=form.about):
        flash(_("Saved. Your candidates see the new line now."), "success")
        return redirect(url_for("recruiter.profile"), 303)
    return _page(about_form=form, code=status(form))


@bp.route("/profile/photo", methods=["POST"])
def profile_photo():
    form = PhotoForm()

    def upload():
        return recruiter_profile.set_photo(g.firm, actor(), form.photo.data.read(recruiter_profile.PHOTO_MAX_BYTES + 1))

    if submit(form, upload, field=form.photo):
        flash(_("Your new photo is in place."), "success")
        return redirect(url_for("recruiter.profile"), 303)
    return _page(photo_form=form, code=status(form))


@bp.route("/profile/photo/remove", methods=["POST"])
def profile_photo_remove():
    if ActionForm().validate_on_submit():
        flash_outcome(
            submit(None, lambda: recruiter_profile.remove_photo(g.firm, actor())), _("Your photo is removed.")
        )
    return redirect(url_for("recruiter.profile"), 303)


@bp.route("/profile/calendar-link", methods=["POST"])
def profile_calendar_link():
    """Stop the private calendar feed's address and make a new one."""
    if ActionForm().validate_on_submit():
        flash_outcome(
            submit(None, lambda: calendar_feeds.new_link(g.firm, actor())),
            _("Done: the old calendar address no longer works. Add the new one to your calendar."),
        )
    return redirect(url_for("recruiter.profile", _anchor="calendar-feed"), 303)


@bp.route("/profile/notifications", methods=["POST"])
def profile_notifications():
    """How this recruiter hears of new candidate messages: at once, in the digest, or not by email."""
    form = NotificationsForm()
    if submit(
        form,
        lambda: conversations.set_notifications(g.firm, actor(), form.message_notifications.data),
        field=form.message_notifications,
    ):
        flash(_("Saved."), "success")
        return redirect(url_for("recruiter.profile", _anchor="notifications"), 303)
    return _page(notify_form=form, code=status(form))
