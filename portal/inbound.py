"""The one way an inbound email enters Portal: `receive(raw, mail_from, rcpt_to)`, called by the
SMTP receiver (`portal inbound`, worker/inbound.py) and by the provider webhook
(POST /inbound/mail, portal/web/inbound.py) alike. It parses, decides and stores in one
transaction (portal.services.inbound_mail) before the sender is answered, so an accepted mail
is never lost: a crash or a database error before the commit answers "try again later"
(SMTP 451, HTTP 503) and the sending server or provider delivers it again. It needs no Redis."""

from __future__ import annotations

import logging

from sqlalchemy.exc import IntegrityError

from portal import transaction
from portal.extensions import db
from portal.services.inbound_mail import Outcome, handle
from portal.tenancy import bind_firm

log = logging.getLogger(__name__)


def receive(raw: bytes, mail_from: str, rcpt_to: str) -> Outcome:
    """Handle one mail for one recipient, committed; raises on a database error (the caller
    answers with a temporary failure so the mail comes again)."""
    session = db.session()
    try:
        with transaction.transaction(session):
            outcome = handle(raw, mail_from, rcpt_to)
        return outcome
    except IntegrityError:
        # Two deliveries of one Message-ID at the same instant: the other one stored it.
        log.info("inbound mail to %s: stored by a simultaneous delivery", rcpt_to)
        return Outcome("duplicate", "stored by a simultaneous delivery")
    finally:
        bind_firm(None, session)
