"""Video rooms. A provider turns a meeting into an embed configuration; Jitsi Meet is the
first. The configuration turns off every way of keeping what is said (practice 8)."""

from __future__ import annotations

from typing import Any

from django.conf import settings

from caucus.meetings.models import Meeting, Mode


def jitsi(meeting: Meeting) -> dict[str, Any]:
    return {
        "provider": "jitsi",
        "domain": settings.CAUCUS_JITSI_DOMAIN,
        # The room name is the meeting's own unguessable token, never the case's title; a
        # caucus is a meeting of its own, so it always has a room of its own.
        "room": f"caucus-{meeting.room}",
        "config": {
            "fileRecordingsEnabled": False,
            "localRecording": {"disable": True},
            "recordingService": {"enabled": False, "sharingEnabled": False},
            "liveStreamingEnabled": False,
            "liveStreaming": {"enabled": False},
            "transcription": {"enabled": False, "autoTranscribeOnRecord": False},
            "transcribingEnabled": False,
            "fileSharing": {"enabled": False},
            "disableInviteFunctions": True,
            "enableLobbyChat": False,
            "lobby": {"autoKnock": True, "enableChat": False},
            "enableLobby": True,
            "prejoinConfig": {"enabled": True},
            "disableDeepLinking": True,
            "analytics": {"disabled": True},
            "toolbarButtons": [
                "microphone",
                "camera",
                "desktop",
                "fullscreen",
                "hangup",
                "tileview",
                "settings",
                "raisehand",
                "videoquality",
            ],
        },
    }


def room_for(meeting: Meeting) -> dict[str, Any]:
    if meeting.mode == Mode.IN_PERSON or settings.CAUCUS_VIDEO_PROVIDER == "none":
        return {"provider": "none", "room": None, "config": {}}
    return jitsi(meeting)
