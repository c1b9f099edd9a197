"""Candidate pages: my searches, feedback, consent, roles that may fit, keep in touch and
messages. Thin: validate a form, call one service through the form-action helper
(portal/web/actions.py), flash, redirect; never commit here.

`g.candidate` is the signed-in candidate's talent-pool record (set by the blueprint guard);
every lookup by id goes through a service that also checks it is theirs (else 404), so a
candidate never reaches another candidate's data."""

from __future__ import annotations

import io

from flask import abort, flash, g, redirect, render_template, request, send_file, url_for
from werkzeug.wrappers import Response

from portal.candidate.blueprint import bp
from portal.candidate.common import current_candidate
from portal.candidate.forms import ConfirmForm, ConsentForm, ConversationForm, ReferralForm, UpdateForm, choices
from portal.i18n import gettext as _
from portal.models import ConsentState
from portal.services import (
    NotFound,
    candidate_todo,
    conversation_view,
    conversations,
    interest,
    interview_pages,
    keep_in_touch,
    referrals,
    role_page,
)
from portal.services import candidate_portal as portal
from portal.services import consent as consent_service
from portal.web.actions import back, found, on_field, status, submit

# ---------------------------------------------------------------- my searches


@bp.route("/")
def home():
    me = current_candidate()
    view = portal.home(g.firm, me)
    return render_template(
        "candidate/home.html",
        me=me,
        cards=view.cards,
        todo=candidate_todo.todo_items(view.cards, view.to_debrief),
        recruiter=view.recruiter,
        interviews=view.interviews,
        write_form=_conversation_form(blank=True),
    )


@bp.route("/searches/<int:candidacy_id>")
def candidacy(candidacy_id: int):
    me = current_candidate()
    card = found(lambda: portal.search_card(g.firm, me, candidacy_id))
    write_form = _conversation_form(blank=True)
    write_form.candidacy_id.data = candidacy_id
    write_form.next.data = url_for("candidate.candidacy", candidacy_id=candidacy_id)
    return render_template(
        "candidate/candidacy.html",
        me=me,
        card=card,
        feedback=portal.feedback_items(g.firm, me, candidacy_id),
        interviews=interview_pages.for_candidate_candidacy(g.firm, me, candidacy_id),
        write_form=write_form,
    )


# ---------------------------------------------------------------- feedback


@bp.route("/feedback")
def feedback():
    return render_template("candidate/feedback.html", items=portal.feedback_items(g.firm, current_candidate()))


# ---------------------------------------------------------------- consent


@bp.route("/consents")
def consents():
    rows = portal.consent_lines(current_candidate())
    open_rows = [c for c in rows if c.state == ConsentState.REQUESTED and c.is_open]
    return render_template(
        "candidate/consents.html", open_rows=open_rows, rows=rows, sent=[c for c in rows if c.cv_sent_at is not None]
    )


@bp.route("/consents/<int:consent_id>", methods=["GET", "POST"])
def consent(consent_id: int):
    me = current_candidate()
    row = found(lambda: portal.consent_for(me, consent_id))
    form = ConsentForm()
    if form.validate_on_submit():
        if form.approve.data or form.decline.data:
            return _answer_consent(me, consent_id, form)
        form.form_errors.append(_("Please choose yes or no."))
    return render_template("candidate/consent.html", row=row, search=row.candidacy.search, form=form), status(form)


def _answer_consent(me, consent_id: int, form: ConsentForm) -> Response:
    """Yes or no to presenting the profile; a refusal (already answered, ...) is a warning."""
    out = submit(
        None,
        lambda: consent_service.answer_consent(
            g.firm, me, consent_id, approve=bool(form.approve.data), comment=form.comment.data
        ),
    )
    if not out:
        flash(str(out.error), "warning")
    elif form.approve.data:
        flash(_("Thank you. We will send your profile to the client and tell you what happens next."), "success")
    else:
        flash(_("Thank you. We will not send your profile for this role."), "success")
    return redirect(url_for("candidate.consent", consent_id=consent_id), 303)


# ---------------------------------------------------------------- roles that may fit


@bp.route("/roles")
def roles():
    me = current_candidate()
    matches = role_page.suggested_roles(g.firm, me)
    return render_template(
        "candidate/roles.html", matches=matches, form=ConfirmForm(), interested=interest.interested_search_ids(me)
    )


@bp.route("/roles/<int:search_id>")
def role(search_id: int):
    """One suggested role in full (the careers site shows the same partial); any other is a 404."""
    me = current_candidate()
    details, match = found(lambda: role_page.suggested_role(g.firm, me, search_id))
    return render_template(
        "candidate/role.html",
        role=details,
        match=match,
        form=ConfirmForm(),
        interested=search_id in interest.interested_search_ids(me),
        share_url=referrals.share_for(g.firm, me, search_id),
    )


@bp.route("/roles/<int:search_id>/interest", methods=["POST"])
def express_interest(search_id: int):
    if not ConfirmForm().validate_on_submit():
        abort(400)
    out = submit(None, lambda: interest.express_interest(g.firm, current_candidate(), search_id))
    if not out:
        flash(str(out.error), "warning")
    elif out.value[1]:  # (the interest, whether it is new)
        flash(_("Thank you. We told your recruiter you are interested; they will be in touch."), "success")
    else:
        flash(_("You already told us you are interested in this role."), "info")
    return back(url_for("candidate.roles"))  # the role's own page sends `next`: back there


# ---------------------------------------------------------------- keep in touch


def _referral_form(blank: bool = False) -> ReferralForm:
    form = ReferralForm(formdata=None) if blank else ReferralForm()
    form.search_id.choices = choices([("", _("No particular role"))] + portal.referral_roles(g.firm))
    return form


def _render_keep_in_touch(update_form=None, referral_form=None, status=200):
    return render_template(
        "candidate/keep_in_touch.html",
        update_form=update_form or UpdateForm(formdata=None),
        referral_form=referral_form or _referral_form(blank=True),
        recruiter=portal.own_recruiter(current_candidate()),
    ), status


@bp.route("/keep-in-touch", endpoint="keep_in_touch")
def keep_in_touch_page():
    return _render_keep_in_touch()


@bp.route("/keep-in-touch/update", methods=["POST"])
def send_update():
    form = UpdateForm()
    if submit(form, lambda: keep_in_touch.send_update(g.firm, current_candidate(), form.choice.data, form.text.data)):
        flash(_("Thank you. Your recruiter has your update."), "success")
        return redirect(url_for("candidate.keep_in_touch"), 303)
    return _render_keep_in_touch(update_form=form, status=400)


@bp.route("/keep-in-touch/referral", methods=["POST"])
def refer():
    form = _referral_form()

    def send():
        return keep_in_touch.refer(
            g.firm, current_candidate(), form.name.data, form.email.data, form.note.data, form.search_id.data
        )

    # A role picked on the form that has closed meanwhile ("That role is not open any more."): on that field.
    if submit(form, on_field("search_id", send, NotFound)):
        flash(_("Thank you for the referral. Your recruiter will take it from here."), "success")
        return redirect(url_for("candidate.keep_in_touch"), 303)
    return _render_keep_in_touch(referral_form=form, status=400)


# ---------------------------------------------------------------- messages: the conversation


def _conversation_form(blank: bool = False, reply_to: int | None = None) -> ConversationForm:
    form = ConversationForm(formdata=None) if blank else ConversationForm()
    if blank and reply_to is not None:
        form.in_reply_to.data = reply_to
    return form


def _render_messages(form: ConversationForm, status_code: int = 200):
    me = current_candidate()
    page = request.args.get("page", 1, type=int) or 1
    threads, more = conversation_view.for_candidate(me, page=page)
    replying_to = None
    if form.in_reply_to.data:
        try:
            replying_to = portal.message_for(me, form.in_reply_to.data)
        except NotFound:
            form.in_reply_to.data = None
    return render_template(
        "candidate/messages.html",
        threads=threads,
        page=max(page, 1),
        more=more,
        form=form,
        replying_to=replying_to,
        window_days=g.firm.reply_window_days,
    ), status_code


@bp.route("/messages")
def messages():
    return _render_messages(_conversation_form(blank=True, reply_to=request.args.get("reply_to", type=int)))


@bp.route("/messages", methods=["POST"], endpoint="write")
def write():
    """The candidate writes to the firm (from this page, the home page or a search's page).
    Refused: this page again with the words and the reason (nothing typed is lost)."""
    form = _conversation_form()
    me = current_candidate()

    def post():
        files = conversations.check_uploads(form.files.data or [])
        return conversations.post_from_candidate(
            g.firm,
            me,
            form.body.data or "",
            candidacy_id=form.candidacy_id.data,
            in_reply_to_message_id=form.in_reply_to.data,
            attachments=files,
        )

    out = submit(form, post, field=form.body)
    if out:
        due = conversations.local_due(g.firm, out.value.reply_due_at)
        # Translators: %(day)s is the last day of the reply window, e.g. "Monday, May 12".
        flash(_("Thank you, we have your message. We'll reply by %(day)s.", day=due), "success")
        return back(url_for("candidate.messages") + f"#post-{out.value.id}")
    return _render_messages(form, 400)


@bp.route("/messages/files/<int:attachment_id>")
def message_file(attachment_id: int):
    row, data = found(lambda: conversations.attachment_for_candidate(current_candidate(), attachment_id))
    return send_file(io.BytesIO(data), mimetype=row.content_type, as_attachment=True, download_name=row.filename)


@bp.route("/messages/<int:message_id>")
def message(message_id: int):
    row = found(lambda: portal.message_for(current_candidate(), message_id))
    return render_template("candidate/message.html", row=row)
