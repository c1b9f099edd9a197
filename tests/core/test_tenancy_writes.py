from sqlalchemy import delete, update

from portal.extensions import db
from portal.models import Candidate
from tests.factories import firm_context


def test_bulk_update_is_scoped(app, firms):
    with firm_context(app, firms.a.firm):
        n = db.session.execute(
            update(Candidate)
            .where(Candidate.id == firms.b.candidate.id)
            .values(name="pwned")
            .execution_options(synchronize_session=False)
        ).rowcount
        assert n == 0
        n = db.session.execute(
            update(Candidate).values(headline="x").execution_options(synchronize_session=False)
        ).rowcount
        assert n == 1
        n = db.session.execute(
            delete(Candidate).where(Candidate.id == firms.b.candidate.id).execution_options(synchronize_session=False)
        ).rowcount
        assert n == 0
    with firm_context(app, firms.b.firm):
        c = db.session.get(Candidate, firms.b.candidate.id)
        assert c.name != "pwned" and c.headline is None
        assert db.session.get(Candidate, firms.a.candidate.id) is None
