"""While the database is away the public pages say so plainly (503), and a letter being sent is given
back to its writer rather than lost with the request."""
from dataclasses import replace

import pytest

from xinfang import create_app

from .letters import LETTER


@pytest.fixture
def away(settings):
    # Nothing listens on port 1: every connection is refused, as when the database server is down.
    return create_app(replace(settings, database_url="postgresql+psycopg://postgres@127.0.0.1:1/xinfang")).test_client()


def test_a_letter_sent_while_the_database_is_away_is_given_back_to_its_writer(away):
    response = away.post("/mailbox/governor/", data={"title": "村道冲毁", "text": LETTER, "privacy": "1"})
    page = response.get_data(as_text=True)
    assert response.status_code == 503
    assert "还没有保存" in page and LETTER in page and "村道冲毁" in page


@pytest.mark.parametrize("path", ["/mailbox/", "/track/ABCDEFGHJK"])
def test_a_page_that_needs_the_database_says_it_cannot_open(away, path):
    response = away.get(path)
    assert response.status_code == 503 and "请稍后再试" in response.get_data(as_text=True)


def test_the_api_answers_503_as_documented_not_500(away):
    created = away.post("/api/v1/petitions", json={"mailbox": "governor", "text": LETTER})
    assert created.status_code == 503 and created.get_json()["error"] == "unavailable"
    status = away.get("/api/v1/petitions/ABCDEFGHJK")
    assert status.status_code == 503 and status.get_json()["message"]
