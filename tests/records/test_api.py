from __future__ import annotations

import pytest

from rooms.models import Session
from rooms.records.services.transcripts import transcript_batch_store
from tests.records.conftest import item, make_live_room

pytestmark = pytest.mark.django_db


@pytest.fixture
def talked(acme_room):
    transcript_batch_store(session_id=acme_room.session.pk, items=[
        item(1, text="hello"), item(2, role="agent", text="hi, how can I help?"),
        {**item(3, role="tool"), "tool": {"call_id": "c1", "name": "weather", "arguments": "{}", "output": "sunny",
                                         "is_error": False}},
    ])
    return acme_room


def test_it_lists_the_organizations_sessions_with_an_api_key(world, api_as, talked, globex_room):
    r = api_as(key=world.acme_key, secret=world.acme_secret).get("/api/sessions/")
    assert r.status_code == 200
    assert [s["id"] for s in r.json()["results"]] == [str(talked.session.public_id)]


def test_it_filters_sessions_by_room_agent_and_since(world, api_as, talked):
    other = make_live_room(world.acme, "other-room")
    Session.objects.filter(pk=other.session.pk).update(agents=[{"slug": "sales", "name": "Sales"}])
    client = api_as(world.alice)
    by_room = client.get("/api/sessions/", {"room": "other-room"}).json()["results"]
    assert [s["id"] for s in by_room] == [str(other.session.public_id)]
    by_agent = client.get("/api/sessions/", {"agent": "helper"}).json()["results"]
    assert [s["id"] for s in by_agent] == [str(talked.session.public_id)]
    assert client.get("/api/sessions/", {"since": "2999-01-01T00:00:00Z"}).json()["results"] == []
    bad = client.get("/api/sessions/", {"since": "last tuesday"})
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "invalid_since"


def test_it_shows_a_session_and_its_transcript_as_json_to_a_member(world, api_as, talked):
    client = api_as(world.bob)
    detail = client.get(f"/api/sessions/{talked.session.public_id}/").json()
    assert detail["room"] == "call-1" and detail["agents"] == [{"slug": "helper", "name": "Helper"}]
    body = client.get(f"/api/sessions/{talked.session.public_id}/transcript/").json()
    assert [(e["role"], e["text"]) for e in body["entries"]][:2] == [("user", "hello"), ("agent", "hi, how can I help?")]
    assert body["entries"][2]["tool"]["output"] == "sunny"


def test_it_downloads_the_transcript_as_plain_text(world, api_as, talked):
    client = api_as(key=world.acme_key, secret=world.acme_secret)
    for url in (f"/api/sessions/{talked.session.public_id}/transcript/?format=txt",
                f"/api/sessions/{talked.session.public_id}/transcript.txt"):
        r = client.get(url)
        assert r.status_code == 200 and r["Content-Type"].startswith("text/plain")
        assert "attachment" in r["Content-Disposition"]
        lines = r.content.decode().splitlines()
        assert lines[0] == "[10:00:01] caller (user): hello"
        assert lines[2].endswith("weather({}) -> sunny")


@pytest.mark.parametrize("suffix", ["", "transcript/", "transcript.txt"])
def test_it_hides_another_organizations_session_from_an_outsider(world, api_as, talked, suffix):
    url = f"/api/sessions/{talked.session.public_id}/{suffix}"
    for client in (api_as(world.charlie), api_as(key=world.globex_key, secret=world.globex_secret)):
        r = client.get(url)
        assert r.status_code == 404
        assert b"hello" not in r.content
    assert api_as(world.charlie).get("/api/sessions/").json()["results"] == []


def test_it_requires_authentication(api_as, talked):
    r = api_as().get("/api/sessions/")
    assert r.status_code in (401, 403) and r.json()["error"]["code"] in ("not_authenticated", "authentication_failed")
