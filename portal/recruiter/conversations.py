"""A candidate's conversation, recruiter side (promise 8): reply (the candidate sees it in their
portal and gets it by email), "No reply needed" with a reason, and the files candidates attach.
The conversation itself is shown on the candidate's and the candidacy's pages; thin views, the
rules are portal/services/conversations.py."""

from __future__ import annotations

import io

from flask import flash, g, send_file, url_for

from portal.i18n import gettext as _
from portal.models import Candidacy, Candidate, ConversationMessage, utcnow
from portal.recruiter.blueprint import bp
from portal.recruiter.common import errors_text, get_or_404
from portal.recruiter.forms import ConversationReplyForm, NoReplyForm
from portal.services import conversation_view, conversations
from portal.web.actions import act, actor, back, found


def conversation_context(candidate: Candidate, candidacy: Candidacy | None = None) -> dict:
    """What the conversation section of the candidate's (or candidacy's) page shows."""
    threads = conversation_view.for_staff(candidate, candidacy)
    return {
        "threads": threads,
        "waiting": conversation_view.newest_waiting(threads),
        "reply_form": ConversationReplyForm(formdata=None),
        "no_reply_form": NoReplyForm(formdata=None),
        "now": utcnow(),
    }


@bp.route("/candidates/<int:candidate_id>/conversation/reply", methods=["POST"])
def conversation_reply(candidate_id: int):
    candidate = get_or_404(Candidate, candidate_id)
    form = ConversationReplyForm()
    target = url_for("recruiter.candidate_detail", candidate_id=candidate.id) + "#conversation"
    if not form.validate_on_submit():
        flash(_("Reply not sent: %(problems)s", problems=errors_text(form)), "error")
        return back(target)
    return act(
        lambda: conversations.reply(
            g.firm,
            actor(),
            candidate,
            form.body.data,
            in_reply_to_id=form.in_reply_to_id.data,
            candidacy_id=form.candidacy_id.data,
        ),
        refused=_("Reply not sent"),
        done=_("Reply sent to %(name)s: it is in their portal and on its way by email.", name=candidate.name),
        back_to=target,
    )


@bp.route("/conversation/<int:post_id>/no-reply", methods=["POST"])
def conversation_no_reply(post_id: int):
    post = get_or_404(ConversationMessage, post_id)
    candidate = get_or_404(Candidate, post.candidate_id)
    form = NoReplyForm()
    target = url_for("recruiter.candidate_detail", candidate_id=candidate.id) + "#conversation"
    if not form.validate_on_submit():
        flash(_("Not marked: %(problems)s", problems=errors_text(form)), "error")
        return back(target)
    return act(
        lambda: conversations.mark_no_reply(g.firm, actor(), candidate, post.id, form.reason.data),
        refused=_("Not marked"),
        done=_("Marked: no reply needed."),
        back_to=target,
    )


@bp.route("/conversation/files/<int:attachment_id>")
def conversation_file(attachment_id: int):
    row, data = found(lambda: conversations.attachment_for_staff(attachment_id))
    return send_file(io.BytesIO(data), mimetype=row.content_type, as_attachment=True, download_name=row.filename)
