import pytest

from tests.conftest import login_as


@pytest.fixture
def cand_client(firms, client_for):
    """Firm A's candidate, signed in on firm A's host."""
    c = client_for(firms.a.firm)
    login_as(c, firms.a.candidate_user)
    return c
