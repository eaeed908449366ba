"""`caucus`: the operator's command. Our commands are Django management commands; the CLI
maps each hyphenated name the README gives (`create-mediator`, `totp-code`) to the command's
module name (`create_mediator`, `totp_code`) and passes everything else through."""

from __future__ import annotations

import importlib.machinery
import importlib.util
import os
import sys
from pathlib import Path

ALIASES = {
    "create-mediator": "create_mediator",
    "janus-config": "janus_config",
    "rotate-master-key": "rotate_master_key",
    "turn-config": "turn_config",
    "verify-certificate": "verify_certificate",
    "totp-code": "totp_code",
}


def load_test_signals_alone() -> None:
    """Django Ninja (1.7 and 1.8) imports `setting_changed` from `django.test.signals`, and
    importing that module first runs `django/test/__init__.py`: the test client and test
    cases, with unittest, Jinja2 and xml.dom, several megabytes in every server process. The
    signals module needs none of it, so it is loaded here on its own, from Django's own file,
    before Ninja asks for it; a later `import django.test` (the test suite) keeps the same
    module. Upstream: vitalik/django-ninja#1772 imports it from `django.core.signals`."""
    name = "django.test.signals"
    if "django.test" in sys.modules or name in sys.modules:
        return
    import django

    spec = importlib.machinery.PathFinder.find_spec(
        name, [str(Path(django.__file__).parent / "test")]
    )
    if spec is None or spec.loader is None:
        return
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "caucus.settings")
    load_test_signals_alone()
    from django.core.management import execute_from_command_line

    if args:
        args[0] = ALIASES.get(args[0], args[0])
        if args[0] == "serve" and "watchfiles" not in sys.modules:
            # uvicorn imports watchfiles for --reload, which `caucus serve` never offers: about
            # 1 MB in the serving process. Marked absent, as huey's unused back ends are.
            sys.modules["watchfiles"] = None  # type: ignore[assignment]
        if args[0] == "run_huey":
            # Only the job consumer installs huey's Django app (see INSTALLED_APPS).
            os.environ["CAUCUS_JOB_CONSUMER"] = "true"
    execute_from_command_line(["caucus", *args])


if __name__ == "__main__":
    main()
