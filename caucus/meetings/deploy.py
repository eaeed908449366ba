"""Configuration of the media servers Caucus drives: Janus (VideoRoom) and coturn. The
templates live in the repository's deploy/ folder; these functions fill them from the
settings (the environment) and write them readable by their owner only, since they hold
the token secret, the admin key and the TURN secret."""

from __future__ import annotations

import ipaddress
import os
import sysconfig
from pathlib import Path
from string import Template

from django.conf import settings

DEPLOY_DIR = Path(settings.BASE_DIR).parent / "deploy"
JANUS_FILES = ("janus.jcfg", "janus.plugin.videoroom.jcfg", "janus.transport.websockets.jcfg")


class ConfigError(Exception):
    """A configuration that cannot be written (a missing secret, a public listening address)."""


def janus_lib_dir() -> Path:
    """Where Debian's janus keeps its plugins: /usr/lib/<multiarch>/janus."""
    multiarch = sysconfig.get_config_var("MULTIARCH") or "x86_64-linux-gnu"
    for candidate in (Path("/usr/lib") / multiarch / "janus", Path("/usr/lib/janus")):
        if (candidate / "plugins").is_dir():
            return candidate
    return Path("/usr/lib") / multiarch / "janus"


def _loopback(address: str) -> str:
    try:
        if ipaddress.ip_address(address).is_loopback:
            return address
    except ValueError:
        pass
    raise ConfigError(f"{address!r} is not a loopback address; Janus listens on loopback only")


def render_janus(
    out: Path,
    *,
    ws_port: int | None = None,
    ws_ip: str = "127.0.0.1",
    rtp_ports: str | None = None,
    lib_dir: Path | None = None,
    templates: Path | None = None,
) -> dict[str, str]:
    token_secret = settings.CAUCUS_JANUS_TOKEN_SECRET
    admin_key = settings.CAUCUS_JANUS_ADMIN_KEY
    if not token_secret or not admin_key:
        raise ConfigError(
            "Set CAUCUS_JANUS_TOKEN_SECRET and CAUCUS_JANUS_ADMIN_KEY (or CAUCUS_VIDEO=janus, "
            "which keeps generated ones in the data directory)."
        )
    lib = lib_dir or janus_lib_dir()
    values = {
        "configs_folder": str(out.resolve()),
        "plugins_folder": str(lib / "plugins"),
        "transports_folder": str(lib / "transports"),
        "events_folder": str(lib / "events"),
        "loggers_folder": str(lib / "loggers"),
        "token_secret": token_secret,
        "admin_key": admin_key,
        "rtp_port_range": rtp_ports or settings.CAUCUS_JANUS_RTP_PORTS,
        "ws_port": str(ws_port or settings.CAUCUS_JANUS_WS_PORT),
        "ws_ip": _loopback(ws_ip),
    }
    source = templates or DEPLOY_DIR / "janus"
    return {name: Template((source / name).read_text()).substitute(values) for name in JANUS_FILES}


def render_turn(
    *,
    listening_ip: str,
    listening_port: int = 3478,
    relay_ip: str = "",
    min_port: int = 49152,
    max_port: int = 65535,
    cert: str = "",
    pkey: str = "",
    allow_loopback_peers: bool = False,
    templates: Path | None = None,
) -> str:
    secret = settings.CAUCUS_TURN_SECRET
    if not secret:
        raise ConfigError("Set CAUCUS_TURN_SECRET (32+ characters of [A-Za-z0-9_-]).")
    ipaddress.ip_address(listening_ip)
    if relay_ip:
        ipaddress.ip_address(relay_ip)
    if not 1024 <= min_port < max_port <= 65535:
        raise ConfigError("The relay port range must lie within 1024-65535.")
    if bool(cert) != bool(pkey):
        raise ConfigError("Give both the certificate and its key for TURN over TLS, or neither.")
    tls = (
        f"cert={cert}\npkey={pkey}\ntls-listening-port=5349\nno-dtls" if cert else "no-tls\nno-dtls"
    )
    # Only the test suite relays between two peers on one machine; a deployment never
    # allows loopback peers.
    peers = "allow-loopback-peers\nallowed-peer-ip=127.0.0.1" if allow_loopback_peers else ""
    values = {
        "secret": secret,
        "realm": settings.CAUCUS_TURN_REALM,
        "listening_ip": listening_ip,
        "listening_port": str(listening_port),
        "relay_ip_line": f"relay-ip={relay_ip}" if relay_ip else "",
        "min_port": str(min_port),
        "max_port": str(max_port),
        "tls_lines": tls,
        "peer_lines": peers,
    }
    source = templates or DEPLOY_DIR / "coturn"
    return Template((source / "turnserver.conf").read_text()).substitute(values)


def write_private(path: Path, text: str) -> None:
    """Writes `text` to `path` with mode 0600, replacing any earlier file atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.unlink(missing_ok=True)
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(text)
    os.replace(temporary, path)
