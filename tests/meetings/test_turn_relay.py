"""coturn from deploy/coturn/turnserver.conf (issue 12): the credentials Caucus mints for an
admitted attendee allocate a relay and carry a relay-only call between two aiortc peers;
expired or tampered credentials are refused with 401."""

from __future__ import annotations

import asyncio
import re
from typing import Any

import pytest
from aioice import stun
from aioice.turn import create_turn_endpoint
from aiortc import (
    RTCConfiguration,
    RTCDataChannel,
    RTCIceServer,
    RTCPeerConnection,
    RTCSessionDescription,
)
from aiortc.rtcconfiguration import RTCIceTransportPolicy
from pytest_django.fixtures import Settings

from caucus.meetings import turn
from tests.conftest import World
from tests.meetings.conftest import TurnServer
from tests.meetings.janus_peer import run_async
from tests.meetings.rooms import admit, started


def relay_only(servers: list[dict[str, Any]]) -> RTCConfiguration:
    return RTCConfiguration(
        iceServers=[
            RTCIceServer(s["urls"], username=s["username"], credential=s["credential"])
            for s in servers
        ],
        iceTransportPolicy=RTCIceTransportPolicy.RELAY,
    )


async def relayed_call(
    first: list[dict[str, Any]], second: list[dict[str, Any]]
) -> tuple[str, str, str]:
    """A data-channel call between two peers that may use relays only: the offer's SDP, the
    answer's SDP and what crossed the channel."""
    caller = RTCPeerConnection(relay_only(first))
    callee = RTCPeerConnection(relay_only(second))
    received: asyncio.Future[str] = asyncio.get_running_loop().create_future()

    def on_message(message: str) -> None:
        if not received.done():
            received.set_result(message)

    @callee.on("datachannel")
    def on_channel(channel: RTCDataChannel) -> None:
        channel.on("message", on_message)

    channel = caller.createDataChannel("probe")

    @channel.on("open")
    def on_open() -> None:
        channel.send("through the relay")

    try:
        await caller.setLocalDescription(await caller.createOffer())
        offer = caller.localDescription
        await callee.setRemoteDescription(RTCSessionDescription(offer.sdp, offer.type))
        await callee.setLocalDescription(await callee.createAnswer())
        answer = callee.localDescription
        await caller.setRemoteDescription(RTCSessionDescription(answer.sdp, answer.type))
        message = await asyncio.wait_for(received, 20)
        return offer.sdp, answer.sdp, message
    finally:
        await caller.close()
        await callee.close()


async def allocate(port: int, username: str, password: str) -> tuple[str, int]:
    transport, _ = await create_turn_endpoint(
        asyncio.DatagramProtocol, ("127.0.0.1", port), username, password
    )
    try:
        address: tuple[str, int] = transport.get_extra_info("sockname")
        return address
    finally:
        transport.close()


def candidate_types(sdp: str) -> set[str]:
    return set(re.findall(r"a=candidate:.* typ (\w+)", sdp))


def test_it_relays_a_call_between_admitted_attendees_with_minted_credentials(
    active_world: World, turn_server: TurnServer
) -> None:
    w = active_world
    meeting = started(w)
    admit(w, meeting, w.party_a)
    assert w.party_a.participant is not None and w.mediator.participant is not None
    mediator = turn.ice_servers_for(meeting, w.mediator.participant)
    party = turn.ice_servers_for(meeting, w.party_a.participant)
    assert mediator[0]["urls"] == [turn_server.url]

    offer, answer, message = run_async(relayed_call(mediator, party))
    assert message == "through the relay"
    assert candidate_types(offer) == {"relay"} and candidate_types(answer) == {"relay"}


def test_it_refuses_expired_and_tampered_credentials_with_401(
    turn_server: TurnServer, settings: Settings
) -> None:
    username, password = turn.mint()
    host, _port = run_async(allocate(turn_server.port, username, password))
    assert host == "127.0.0.1"
    expired_user, expired_password = turn.mint(ttl=60, now=0)
    expiry, _, opaque = username.partition(":")
    longer = f"{int(expiry) + 86400}:{opaque}"
    settings.CAUCUS_TURN_SECRET = "another-secret-0123456789abcdefghijklmnop"
    _, foreign = turn.mint()
    for user, secret in (
        (expired_user, expired_password),  # correctly signed, but long expired
        (longer, password),  # a later expiry with the old signature
        (username, password[:-4] + "AAA="),  # a tampered signature
        (username, turn.credential(username, settings.CAUCUS_TURN_SECRET)),  # wrong secret
        (username, foreign),
    ):
        with pytest.raises(stun.TransactionFailed) as refused:
            run_async(allocate(turn_server.port, user, secret))
        assert refused.value.response.attributes["ERROR-CODE"][0] == 401
