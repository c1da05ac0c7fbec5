from __future__ import annotations

from rooms.grants.effective import Grants


def test_it_applies_livekit_defaults_to_absent_keys() -> None:
    grants = Grants.from_claim({"roomJoin": True, "room": "r"})
    assert grants.room_join and grants.room == "r"
    assert grants.can_publish() and grants.can_publish("camera")
    assert grants.can_subscribe
    assert grants.can_publish_data
    assert not grants.can_update_own_metadata
    assert not (grants.room_admin or grants.room_create or grants.room_list or grants.room_record)
    assert not (grants.hidden or grants.recorder or grants.agent or grants.ingress_admin)
    assert grants.can_publish_sources == ()


def test_it_makes_absent_can_publish_data_follow_can_publish() -> None:
    assert not Grants.from_claim({"canPublish": False}).can_publish_data
    assert Grants.from_claim({"canPublish": False, "canPublishData": True}).can_publish_data
    assert not Grants.from_claim({"canPublishData": False}).can_publish_data


def test_it_limits_publishing_to_the_listed_sources() -> None:
    grants = Grants.from_claim({"canPublishSources": ["microphone", "bogus"]})
    assert grants.can_publish_sources == ("microphone",)
    assert grants.can_publish("microphone")
    assert not grants.can_publish("camera")
    assert not grants.can_publish("screen_share")
    assert not grants.can_publish("not-a-source")


def test_it_lets_can_publish_false_block_every_source() -> None:
    grants = Grants.from_claim({"canPublish": False, "canPublishSources": ["microphone"]})
    assert not grants.can_publish()
    assert not grants.can_publish("microphone")


def test_it_scopes_a_join_to_the_named_room() -> None:
    assert Grants.from_claim({"roomJoin": True, "room": "a"}).may_join("a")
    assert not Grants.from_claim({"roomJoin": True, "room": "a"}).may_join("b")
    assert not Grants.from_claim({"room": "a"}).may_join("a")


def test_it_treats_a_missing_or_mistyped_grant_as_no_permissions() -> None:
    for claim in (None, "x", {"roomJoin": "yes", "canPublish": "no"}):
        grants = Grants.from_claim(claim)
        assert not grants.room_join
        assert grants.can_publish()
