"""``ketensim kto``: rehearse a migration with a vendor's own system (serve, advance, report, demo-vendor)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from ketensim.exceptions import KetensimError

__all__ = ["COMMANDS"]


def _speed(value: str) -> str:
    if value == "step":
        return value
    try:
        speed = float(value)
    except ValueError:
        raise click.BadParameter(f"{value!r}: expected 'step' or simulated seconds per wall second, e.g. 120") from None
    if not 0 < speed <= 1_000_000:
        raise click.BadParameter(f"{value!r}: expected a speed between 0 and 1000000, or 'step'")
    return f"{speed:g}"


def _parties(values: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    out = []
    for value in values or ("aanbieder",):
        kind, _, code = value.partition(":")
        if kind not in ("aanbieder", "gemeente"):
            raise click.BadParameter(f"{value!r}: expected aanbieder[:AGB] or gemeente[:CBS]", param_hint="--party")
        digits = 8 if kind == "aanbieder" else 4
        if code and not (code.isdigit() and len(code) == digits):
            raise click.BadParameter(f"{code!r}: expected a {digits}-digit {'AGB' if digits == 8 else 'CBS'} code",
                                     param_hint="--party")
        if any(k == kind for k, _ in out):
            raise click.BadParameter(f"{value!r}: one {kind} per session; give --party at most once per kind",
                                     param_hint="--party")
        out.append((kind, code))
    return tuple(out)


@click.group("kto")
def kto() -> None:
    """Rehearse a release migration with a vendor's own system (a KTO on command).

    ketensim plays VECOZO, the Inlichtingenbureau and every other party of a scenario; one
    aanbieder is the vendor's system, talking HTTP to ketensim as it talks to VECOZO.

    \b
    Example:
        ketensim kto serve 2022-3.0-3.1 --party aanbieder --speed step --start "heen_block - 3d" --data kto/
        ketensim kto demo-vendor http://127.0.0.1:8470 --token TOKEN --behaviour compliant
        ketensim kto report kto/
    """


@kto.command("serve")
@click.argument("scenario", required=False)
@click.option("--party", "party", multiple=True,
              help="A vendor's party: aanbieder[:AGB] or gemeente[:CBS]; without a code ketensim picks the busiest. "
                   "Twice for one of each (a chain test of two vendors).  [default: aanbieder]")
@click.option("--seed", type=int, default=1, show_default=True, help="Seed of the simulated chain.")
@click.option("--speed", default="step", show_default=True,
              help="Simulated seconds per wall second (e.g. 120), or 'step': the clock moves only on request.")
@click.option("--start", default="", help="Hand-over instant: local date-time or e.g. 'heen_block - 3d' "
              "[default: window start]. The chain before it is simulated at full speed.")
@click.option("--data", "data", type=click.Path(file_okay=False, path_type=Path), default=Path("kto-data"),
              show_default=True, help="Directory for the journal and the report.")
@click.option("--deliver-to", "deliver_to", default="",
              help="URL of the gemeente system's own OntvangAsynchroon endpoint (webservice); without it the "
                   "gemeente reads its mailbox as a portal user.")
@click.option("--resume", is_flag=True, help="Go on with the session journaled in --data (after a crash or stop).")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (loopback by default).")
@click.option("--port", type=click.IntRange(0, 65535), default=8470, show_default=True,
              help="Port to listen on (0: any free port).")
def serve_cmd(scenario: str | None, party: tuple[str, ...], seed: int, speed: str, start: str, data: Path,
              deliver_to: str, resume: bool, host: str, port: int) -> None:
    """Start (or --resume) a rehearsal: the VECOZO interface for an aanbieder, the GGk's for a gemeente.

    Each vendor party gets a bearer token, printed once; only its hash is stored.

    \b
    Example:
        ketensim kto serve 2022-3.0-3.1 --party aanbieder --speed 120 --start "heen_block - 3d"
        ketensim kto serve 2022-3.0-3.1 --party gemeente --deliver-to http://127.0.0.1:8480/ontvang
        ketensim kto serve 2022-3.0-3.1 --party aanbieder --party gemeente --speed step
        ketensim kto serve --data kto-data --resume
    """
    from ketensim.kto.app import new_token, token_hash
    from ketensim.kto.clock import PacedClock, StepClock
    from ketensim.kto.server import bind, serve
    from ketensim.kto.session import Session, SessionError, SessionSpec
    from ketensim.scenario.loader import resolve_scenario_path

    speed = _speed(speed)
    echo = _echo
    if resume:
        if scenario is not None:
            raise click.UsageError("--resume takes the scenario from the journal in --data; leave SCENARIO out")
        session = Session.resume(data)
        meta = session.journal.meta() if session.journal else {}
        digests, speed = json.loads(meta["tokens"]), meta.get("speed", speed)
        deliver_to = deliver_to or meta.get("deliver_to", "")
        tokens = None
    else:
        if scenario is None:
            raise click.UsageError("missing SCENARIO (a bundled name such as 2022-3.0-3.1, or a .toml file)")
        parties = _parties(party)
        path = resolve_scenario_path(scenario)
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as err:
            raise click.UsageError(f"{path}: cannot read the scenario: {err}") from None
        try:
            data.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise click.UsageError(f"--data {data}: cannot create the directory: {err.strerror or err}") from None
        try:
            session = Session.create(data, SessionSpec(text, scenario, seed, parties, start))
        except SessionError as err:
            raise click.UsageError(str(err)) from None
        tokens = {key: new_token() for key in session.parties}
        digests = {key: token_hash(token) for key, token in tokens.items()}
        assert session.journal is not None
        session.journal.set_meta("tokens", json.dumps(digests, sort_keys=True))
        session.journal.set_meta("speed", speed)
        session.journal.set_meta("deliver_to", deliver_to)
    gemeente = next((key for key, p in session.parties.items() if p.kind == "gemeente"), None)
    if deliver_to and gemeente is None:
        raise click.UsageError("--deliver-to is for a gemeente party; add --party gemeente[:CBS]")
    if deliver_to and not deliver_to.startswith(("http://", "https://")):
        raise click.UsageError(f"--deliver-to {deliver_to!r}: expected an http(s) URL")
    sock = bind(host, port)
    clock = StepClock() if speed == "step" else PacedClock(float(speed), session.now)
    s = session.scenario
    who = " and ".join(f"{p.kind} {p.ident}" for p in session.parties.values())
    echo(f"ketensim kto: rehearsal of {s.id} (seed {session.spec.seed}) for {who}{' (resumed)' if resume else ''}")
    echo(f"  hand-over {session.iso(session.start)}; now {session.iso(session.now)}; "
         f"clock {clock.speed_text}; window ends {session.iso(session.end)}")
    echo(f"  data: {data}")
    for key in session.parties:
        if tokens is not None:
            echo(f"  token for {key.replace(':', ' ')} (shown once, keep it): {tokens[key]}")
        else:
            echo(f"  token for {key.replace(':', ' ')}: the one shown when the session was started")
    if gemeente is not None:
        echo(f"  gemeente {gemeente.split(':')[1]}: " + (f"delivered to {deliver_to} (webservice)" if deliver_to
                                                        else "reads its mailbox as a portal user (GET /berichten)"))
    serve(session, clock, digests, data, sock, announce=echo,
          deliver_to={gemeente: deliver_to} if deliver_to and gemeente else None)


def _echo(text: str) -> None:
    click.echo(text)
    sys.stdout.flush()


@kto.command("advance")
@click.argument("url")
@click.option("--token", required=True, envvar="KETENSIM_KTO_TOKEN", help="The session's bearer token.")
@click.option("--to", "to", required=True, help="Target instant (ISO 8601, local time if no offset).")
def advance_cmd(url: str, token: str, to: str) -> None:
    """Move a step-clock session's simulated time forward to --to.

    \b
    Example:
        ketensim kto advance http://127.0.0.1:8470 --token TOKEN --to 2022-03-31T14:00
    """
    import httpx

    try:
        response = httpx.post(url.rstrip("/") + "/kto/klok", json={"tot": to},
                              headers={"Authorization": f"Bearer {token}"}, timeout=600)
    except httpx.HTTPError as err:
        raise KetensimError(f"{url}: cannot reach the session: {err}") from None
    body = response.json() if response.headers.get("content-type", "").startswith("application/json") else {}
    if response.status_code != 200:
        detail = "; ".join(m.get("toelichting", "") for m in body.get("meldingen", [])) or body.get("detail", "")
        raise KetensimError(f"{url}: {response.status_code} {body.get('title', '')} {detail}".strip())
    click.echo(f"now {body['nu']}{' (window ended)' if body['klaar'] else ''}")


@kto.command("report")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
def report_cmd(directory: Path) -> None:
    """Rebuild a session from its journal and write its conformance report (exit 1 if a requirement failed).

    \b
    Example:
        ketensim kto report kto-data/
    """
    from ketensim.kto.conformance import conformance
    from ketensim.kto.report_files import write_report
    from ketensim.kto.session import Session

    session = Session.resume(directory)
    report = conformance(session)
    paths = write_report(report, directory)
    summary = report["summary"]
    click.echo(f"{report['session']['scenario']}: {report['session']['party']['kind']} "
               f"{report['session']['party']['code']} at {report['session']['now']}"
               f"{'' if report['session']['finished'] else ' (window not ended)'}")
    click.echo(f"requirements: {summary['requirements_met']} met, {summary['requirements_failed']} not met, "
               f"{summary['requirements_open']} open; pairs: {summary['pairs']} "
               f"({summary['pairs_needing_attention']} need attention); refused messages: "
               f"{summary['messages_refused']}; unconfirmed: {summary['messages_unconfirmed']}")
    for r in report["requirements"]:
        if r["met"] is False:
            click.echo(f"  niet voldaan: {r['id']} {r['what']} ({len(r['violations'])} bericht(en))")
    click.echo("wrote " + ", ".join(str(p) for p in paths))
    if summary["requirements_failed"]:
        sys.exit(1)


class _BadFlag(click.ClickException):
    """A bad flag of ``demo-vendor``: one line on stderr, exit code 2 like a usage error."""

    exit_code = 2


class _OneLineErrors(click.Command):
    """A command whose usage errors (missing option, bad value) are one line, not click's usage block."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, args)
        except click.UsageError as err:
            raise _BadFlag(err.format_message()) from None


def _choice(flag: str, value: str, choices: tuple[str, ...]) -> str:
    if value not in choices:
        raise _BadFlag(f"{flag} {value!r}: expected one of {', '.join(choices)}")
    return value


def _listen(value: str) -> tuple[str, int]:
    host, sep, port = value.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 <= int(port) <= 65535:
        raise _BadFlag(f"--listen {value!r}: expected HOST:PORT, e.g. 127.0.0.1:8480 (port 0: any free port)")
    return host.strip("[]"), int(port)


@kto.command("demo-vendor", cls=_OneLineErrors)
@click.argument("url")
@click.option("--token", metavar="TOKEN", envvar="KETENSIM_KTO_TOKEN",
              help="The session's bearer token; '-' reads it from standard input once the demo's endpoint is up.")
@click.option("--behaviour", metavar="compliant|sloppy", default="compliant", show_default=True,
              help="Follow the draaiboek, or make the mistakes a KTO should catch.")
@click.option("--side", metavar="aanbieder|gemeente", default="aanbieder", show_default=True,
              help="Which system to play: aanbieder (VECOZO-style REST) or gemeente (the GGk's StUF interface).")
@click.option("--mode", metavar="webservice|portal", default=None,
              help="--side gemeente only: webservice (ketensim delivers to the demo's own endpoint) or portal "
                   "(it reads its mailbox).  [default: webservice]")
@click.option("--listen", metavar="HOST:PORT", default=None,
              help="--side gemeente --mode webservice only: HOST:PORT of the demo's endpoint (port 0: any free "
                   "port).  [default: 127.0.0.1:8480]")
@click.option("--seed", type=int, default=1, show_default=True, help="Seed of the demo system's own choices.")
@click.option("--step-minutes", type=click.IntRange(1, 10080), default=60, show_default=True,
              help="Simulated minutes per step on a step-clock session.")
@click.option("--wait", "wait", type=click.FloatRange(0, 86400), default=300, show_default=True,
              help="--side gemeente --mode webservice: wall seconds to wait for the server to come up.")
def demo_vendor_cmd(url: str, token: str | None, behaviour: str, side: str, mode: str | None, listen: str | None,
                    seed: int, step_minutes: int, wait: float) -> None:
    """Play a scripted aanbieder or gemeente system against a session until its window ends.

    Prints one JSON line when done: messages sent, refused, and read.

    \b
    A gemeente in webservice mode is delivered to: its endpoint must run before the server starts.
      1. ketensim kto demo-vendor http://127.0.0.1:8470 --side gemeente --mode webservice \\
             --listen 127.0.0.1:8480 --token -
         prints "endpoint: http://127.0.0.1:8480/ontvang" and waits for the token on standard input;
      2. ketensim kto serve 2022-3.0-3.1 --party gemeente --deliver-to http://127.0.0.1:8480/ontvang
         prints the token: give it to the demo (paste it, or pipe it in);
      3. the demo then connects (it waits up to --wait seconds for the server) and rehearses.

    \b
    Example:
        ketensim kto demo-vendor http://127.0.0.1:8470 --token TOKEN --behaviour sloppy
        ketensim kto demo-vendor http://127.0.0.1:8470 --token TOKEN --side gemeente --mode portal
    """
    from ketensim.kto.demo_common import BEHAVIOURS

    _choice("--behaviour", behaviour, BEHAVIOURS)
    _choice("--side", side, ("aanbieder", "gemeente"))
    if not token:
        raise _BadFlag("missing --token (the session's bearer token, or '-' to read it from standard input)")
    if side == "aanbieder":
        if mode is not None or listen is not None:
            raise _BadFlag(f"{'--mode' if mode is not None else '--listen'} is for --side gemeente")
        if token == "-":
            raise _BadFlag("--token - is for --side gemeente --mode webservice; give the token itself")
        _demo_aanbieder(url, token, behaviour, seed, step_minutes)
        return
    from ketensim.kto.demo_gemeente import MODES

    mode = _choice("--mode", mode or "webservice", MODES)
    if mode != "webservice" and listen is not None:
        raise _BadFlag("--listen is for --mode webservice (a portal user has no endpoint)")
    if mode != "webservice" and token == "-":
        raise _BadFlag("--token - is for --mode webservice; give the token itself")
    _demo_gemeente(url, token, behaviour, seed, step_minutes, mode, _listen(listen or "127.0.0.1:8480"), wait)


def _demo_aanbieder(url: str, token: str, behaviour: str, seed: int, step_minutes: int) -> None:
    from ketensim.kto.demo_vendor import DemoVendor

    with DemoVendor(url, token, behaviour=behaviour, seed=seed) as vendor:
        vendor.rehearse(step_minutes=step_minutes)
    refused = sum(1 for e in vendor.log if e.get("status") != 204)
    click.echo(json.dumps({"sent": len(vendor.log), "refused": refused, "read": len(vendor.received)}))


def _demo_gemeente(url: str, token: str, behaviour: str, seed: int, step_minutes: int, mode: str,
                   listen: tuple[str, int], wait: float) -> None:
    from ketensim.kto.demo_gemeente import DemoGemeente

    with DemoGemeente(url, "" if token == "-" else token, behaviour=behaviour, seed=seed, mode=mode,
                      listen=listen) as gemeente:
        if mode == "webservice":
            _echo(f"endpoint: {gemeente.endpoint_url}")
            _echo(f"  start the server with: ketensim kto serve ... --party gemeente --deliver-to "
                  f"{gemeente.endpoint_url}")
            if token == "-":
                click.echo("token (from ketensim kto serve): ", nl=False, err=True)
                token = sys.stdin.readline().strip()
                if not token:
                    raise _BadFlag("--token -: no token on standard input")
            gemeente.connect(url, token)
            gemeente.wait_for_server(wait)
        gemeente.rehearse(step_minutes=step_minutes)
    refused = sum(1 for e in gemeente.log if e.get("status") != 200)
    click.echo(json.dumps({"sent": len(gemeente.log), "refused": refused, "read": len(gemeente.received)}))


COMMANDS = [kto]
