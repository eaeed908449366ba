"""Information-flow property of the meeting socket (issue 12), beside the API state machine of
test_information_flow.py (its sockets need a transactional database, which that machine's
hundreds of sequences cannot afford).

Hypothesis runs random sequences in a caucus with side A (the mediator, party A and attorney A
in its room) while party B, of the other side, sits in a running joint meeting's room: chat
lines, WebRTC signals and key-exchange frames from anyone in the caucus to anyone (party B
included), party A or attorney A removed from the room, and a removed person joining again
(back to the lobby, with the lobby's connection open). Each frame carries a unique marker.
The model, written from issue 12's rules and not from the consumer: a chat line reaches
exactly the people in the room when it is sent; a signal or key frame reaches exactly its
addressee if they are in the room and are not its sender, and nobody otherwise; party B's
socket and every lobby socket receive no marker at all; a removed person's socket closes
and receives nothing sent after that.

CAUCUS_SIGNALING_EXAMPLES sets the number of sequences (12 by default, about 40 s here: each
sequence opens real sockets; CI's legs export CAUCUS_FLOW_EXAMPLES for the API machine's
hundreds of sequences, which this test does not follow)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from channels.db import database_sync_to_async
from channels.layers import channel_layers
from channels.testing import WebsocketCommunicator
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from caucus.asgi import application
from tests.conftest import Persona, World
from tests.meetings.conftest import live_world  # noqa: F401  (fixture)
from tests.meetings.rooms import ATTEST, admit, start_caucus, start_joint
from tests.sockets import communicator, run

IN_CAUCUS = ("mediator", "party_a", "attorney_a")
REMOVABLE = ("party_a", "attorney_a")
EVERYONE = (*IN_CAUCUS, "party_b")

ACTION = st.one_of(
    st.tuples(st.just("chat"), st.sampled_from(IN_CAUCUS), st.none()),
    st.tuples(
        st.sampled_from(("signal", "e2ee")), st.sampled_from(IN_CAUCUS), st.sampled_from(EVERYONE)
    ),
    st.tuples(st.sampled_from(("remove", "rejoin")), st.sampled_from(REMOVABLE), st.none()),
)


@dataclass
class Socket:
    owner: str
    comm: WebsocketCommunicator
    # Markers this socket may receive (the model's answer) and those it did receive.
    allowed: set[str] = field(default_factory=set)
    got: set[str] = field(default_factory=set)
    open: bool = True


def frame_for(kind: str, marker: str, to: str) -> dict[str, Any]:
    if kind == "chat":
        return {"type": "chat", "text": marker}
    if kind == "signal":
        candidate = {"candidate": f"candidate:{marker} 1 udp 1 127.0.0.1 9 typ host"}
        return {"type": "signal", "to": to, "data": {"candidate": candidate}}
    return {"type": "e2ee", "to": to, "data": {"marker": marker}}


async def drain(socket: Socket, settle: float) -> None:
    """Every frame the socket got so far (never waiting on an empty queue: a timed-out
    receive would cancel the connection)."""
    while not await socket.comm.receive_nothing(timeout=settle, interval=0.01):
        output = await socket.comm.receive_output()
        if output["type"] == "websocket.close":
            socket.open = False
            return
        text = output.get("text", "")
        socket.got.update(m for m in MARKERS if m in text)


MARKERS: set[str] = set()


def pid(who: Persona) -> str:
    assert who.participant is not None
    return str(who.participant.id)


@settings(
    max_examples=int(os.environ.get("CAUCUS_SIGNALING_EXAMPLES", "12")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(actions=st.lists(ACTION, min_size=1, max_size=12))
def test_no_live_frame_reaches_the_other_side_or_anyone_sent_out(
    live_world: World,  # noqa: F811
    actions: list[tuple[str, str, str | None]],
) -> None:
    w = live_world
    # Each example runs in an event loop of its own: a layer instance left from an earlier
    # example (a consumer still in `receive`) would hold channels_redis's receive lock bound
    # to that closed loop.
    channel_layers.backends.clear()
    people = {name: getattr(w, name) for name in EVERYONE}
    caucus = start_caucus(w, w.side_a)
    admit(w, caucus, w.party_a)
    admit(w, caucus, w.attorney_a)
    joint = start_joint(w)
    admit(w, joint, w.party_b)
    MARKERS.clear()

    async def scenario() -> list[Socket]:
        room = {name: Socket(name, communicator(caucus, people[name])) for name in IN_CAUCUS}
        other_side = Socket("party_b", communicator(joint, w.party_b))
        everything = [*room.values(), other_side]
        for socket in everything:
            assert (await socket.comm.connect())[0]
        # Party B's attempt on the caucus's socket is refused at the handshake.
        intruder = communicator(caucus, w.party_b)
        assert not (await intruder.connect())[0]
        for socket in room.values():
            while True:
                frame = await socket.comm.receive_json_from(timeout=5)
                if frame["type"] == "presence" and len(frame["present"]) == len(IN_CAUCUS):
                    break
        in_room = set(IN_CAUCUS)
        for n, (kind, who, to) in enumerate(actions):
            if kind == "remove" and who in in_room:
                in_room.discard(who)
                await database_sync_to_async(w.mediator.client.post)(
                    f"meetings/{caucus}/remove", {"participant_id": pid(people[who])}
                )
            elif kind == "rejoin" and who not in in_room:
                joined = await database_sync_to_async(people[who].client.post)(
                    f"meetings/{caucus}/join", ATTEST
                )
                if joined.status_code == 202:
                    lobby = WebsocketCommunicator(
                        application,
                        f"/ws/meetings/{caucus}/lobby/",
                        headers=[(b"authorization", f"Bearer {people[who].token}".encode())],
                    )
                    if (await lobby.connect())[0]:
                        everything.append(Socket(f"lobby:{who}", lobby))
            elif kind in ("chat", "signal", "e2ee") and who in in_room:
                marker = f"flow-{n}-{kind}-marker"
                MARKERS.add(marker)
                addressee = to or ""
                if kind == "chat":
                    for name in in_room:
                        room[name].allowed.add(marker)
                elif addressee in in_room and addressee != who:
                    room[addressee].allowed.add(marker)
                target = pid(people[addressee]) if addressee else ""
                await room[who].comm.send_json_to(frame_for(kind, marker, target))
            # Each step settles before the next: what the model says is "after" is after.
            for socket in everything:
                if socket.open:
                    await drain(socket, 0.05)
        for socket in everything:
            if socket.open:
                await drain(socket, 0.3)
                await socket.comm.disconnect()
        return everything

    for socket in run(scenario):
        assert socket.got == socket.allowed, (socket.owner, socket.got, socket.allowed)
        if socket.owner == "party_b" or socket.owner.startswith("lobby:"):
            assert socket.got == set(), socket.owner
