"""The myoperator-mock command (and its twin, python -m mock_server)."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from mock_server import console
from mock_server.control.guard import TOKEN_ENV, is_loopback
from mock_server.profiles import PROFILES
from mock_server.settings import DEFAULT_PORT, DEFAULT_SEED, Settings


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="myoperator-mock", description="A local simulator of MyOperator's APIs.")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the simulator")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=DEFAULT_PORT)
    serve.add_argument("--data-dir", type=Path, help="keep state in DIR/state.sqlite3 across restarts")
    serve.add_argument("--seed", type=int, default=DEFAULT_SEED, help="seed of the generated fixtures")
    serve.add_argument("--fixtures", type=Path, help="load this fixtures file instead of generating one")
    serve.add_argument("--clock", choices=["real", "manual"], default="real",
                       help="manual: time moves only through POST /_mock/clock/advance")
    serve.add_argument("--speed", type=float, default=1.0,
                       help="with the real clock, simulated seconds per real second (e.g. 10)")
    serve.add_argument("--template-review-seconds", type=float, default=Settings.template_review_seconds,
                       help="how long Meta takes to review a new template")
    serve.add_argument("--obd-reference-ttl", type=float, default=Settings.obd_reference_ttl_seconds,
                       metavar="SECONDS", help="seconds an OBD reference_id stays taken (a reuse is refused with "
                                               "its remaining_ttl); default two days")
    serve.add_argument("--webhook-url", action="append", default=[], metavar="URL",
                       help="send every webhook event (new envelope, JSON) to URL; repeatable")
    serve.add_argument("--webhook-config", type=Path, metavar="FILE",
                       help="webhook subscriptions from a JSON or YAML file: {\"subscriptions\": [...]}")
    serve.add_argument("--webhook-timeout", type=float, default=Settings.webhook_timeout,
                       help="seconds a receiver has to answer a webhook attempt")
    serve.add_argument("--scenarios", action="append", default=[], type=Path, metavar="DIR",
                       help="load your own scenario files (*.yaml) from DIR too; repeatable")
    serve.add_argument("--profile", choices=PROFILES, default=Settings.profile,
                       help="where the docs and the live service disagree, answer as observed live (default) or "
                            "as documented in the Postman collection")
    serve.add_argument("--allowed-host", action="append", default=[], metavar="NAME",
                       help="a Host name the control plane (/_mock/) answers besides this machine's own; repeatable")
    serve.add_argument("--control-token", default=os.environ.get(TOKEN_ENV), metavar="TOKEN",
                       help=f"require X-Mock-Control-Token: TOKEN on /_mock/ (default ${TOKEN_ENV}); needed to "
                            "bind beyond loopback")
    serve.add_argument("--strict", action="store_true",
                       help="validate every webhook body against its schema before sending it")
    serve.add_argument("--log-level", default="info", choices=["critical", "error", "warning", "info", "debug"],
                       help="info (the default) tells each webhook attempt, failed scenario run and clock move")
    serve.add_argument("--quiet", "-q", action="store_true",
                       help="only warnings and errors (a failing webhook attempt, a failed scenario run): --log-level "
                            "warning")
    serve.add_argument("--log-format", choices=console.FORMATS, default="text",
                       help="json: one JSON object a line (time, level, logger, message and the line's fields), for CI")
    serve.add_argument("--access-log", action="store_true",
                       help="log every request (uvicorn's access log: off by default, it costs a quarter of the "
                            "throughput; the request journal, GET /_mock/journal, keeps them anyway)")
    serve.add_argument("--read-timeout", type=float, default=Settings.read_timeout, metavar="SECONDS",
                       help="seconds a client has to send a request's line and headers, and the longest its body may "
                            "pause, before it is answered 408 and closed (default 10)")
    trigger = commands.add_parser("trigger", help="run a scenario on a running simulator")
    trigger.add_argument("name", help="the scenario's name (GET /_mock/scenarios lists them)")
    trigger.add_argument("--param", action="append", default=[], metavar="KEY=VALUE",
                         help="a scenario parameter; repeatable")
    trigger.add_argument("--company-id", help="the tenant to run it for (default: the first one)")
    trigger.add_argument("--url", default=f"http://127.0.0.1:{DEFAULT_PORT}", help="the simulator's base URL")
    trigger.add_argument("--control-token", default=os.environ.get(TOKEN_ENV), metavar="TOKEN",
                         help=f"the server's control token, if it has one (default ${TOKEN_ENV})")
    fixtures = commands.add_parser("fixtures", help="work with fixture files")
    fixture_commands = fixtures.add_subparsers(dest="fixtures_command", required=True)
    export = fixture_commands.add_parser("export", help="write the generated fixtures to a file you can edit")
    export.add_argument("path", type=Path)
    export.add_argument("--seed", type=int, default=DEFAULT_SEED)
    document = commands.add_parser("openapi", help="print (or write) the OpenAPI 3.1 document of every endpoint")
    document.add_argument("--output", "-o", type=Path, metavar="FILE", help="write it to FILE instead of stdout")
    document.add_argument("--base-url", default=f"http://127.0.0.1:{DEFAULT_PORT}",
                          help="the simulator's address, listed as the document's first server")
    schema_files = commands.add_parser("schemas", help="work with the JSON Schemas of the contract")
    schema_commands = schema_files.add_subparsers(dest="schemas_command", required=True)
    schema_export = schema_commands.add_parser("export", help="write every schema file under DIR, folders kept")
    schema_export.add_argument("directory", type=Path, metavar="DIR")
    check = commands.add_parser(
        "validate", formatter_class=argparse.RawDescriptionHelpFormatter,
        help="check a request, response or webhook payload against its schema",
        usage="myoperator-mock validate KIND FILE|-",
        description="Check a JSON payload against MyOperator's contract; prints each problem as "
                    "'path: expected …; got …'.\nExit status: 0 valid, 1 invalid, 2 usage error "
                    "(unknown KIND, unreadable file, not JSON).",
        epilog="KIND is one of:\n"
               "  a schema name        webhooks/call.end, public/contact.response  (GET /_mock/schemas lists them)\n"
               "  a webhook event      call.end, message.sent, disposition, legacy.call_log, legacy.disposition,\n"
               "                       legacy.message, legacy.link_tracking\n"
               "  an operation         'METHOD PATH request' or 'METHOD PATH STATUS', e.g.\n"
               "                       'POST /chat/messages request', 'GET /chat/templates 200',\n"
               "                       'GET /contacts/{contact_id} 404' (a real path works too)\n"
               "FILE is a JSON file, or - for standard input. Quoting KIND is optional.\n"
               "examples:\n"
               "  myoperator-mock validate call.end delivery.json\n"
               "  curl -s $BASE/chat/templates ... | myoperator-mock validate GET /chat/templates 200 -")
    check.add_argument("words", nargs="+", metavar="KIND FILE", help=argparse.SUPPRESS)
    return parser


def export_fixtures(path: Path, seed: int) -> int:
    from mock_server.fixtures import generate

    path.write_text(json.dumps(generate(seed), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {path} (seed {seed}); load it with: myoperator-mock serve --fixtures {path}")
    return 0


def write_openapi(output: Path | None, base_url: str) -> int:
    from mock_server import openapi
    from mock_server.control.routes import operations

    text = json.dumps(openapi.document(operations, base_url), indent=1, ensure_ascii=False) + "\n"
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text, encoding="utf-8")
        print(f"wrote {output}")
    return 0


def export_schemas(directory: Path) -> int:
    from mock_server import openapi

    written = openapi.export_schemas(directory)
    print(f"wrote {len(written)} schema files under {directory} (their $refs name the files beside them)")
    return 0


def validate_payload(words: list[str]) -> int:
    """``validate KIND FILE|-``: 0 valid, 1 invalid, 2 usage error."""
    from mock_server import validate

    if len(words) < 2:
        print("myoperator-mock validate: give KIND and FILE (or - for standard input); see --help", file=sys.stderr)
        return 2
    kind, source = " ".join(words[:-1]), words[-1]
    try:
        validate.resolve(kind)  # a KIND that names nothing is said before any file is read
        raw = sys.stdin.buffer.read() if source == "-" else Path(source).read_bytes()
        result = validate.check(kind, validate.parse(raw))
    except OSError as exc:
        print(f"myoperator-mock validate: cannot read {source}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    except validate.UsageError as exc:
        print(f"myoperator-mock validate: {exc}", file=sys.stderr)
        return 2
    print(result.report())
    return 0 if result.valid else 1


def settings_from(args: argparse.Namespace) -> Settings:
    if not 0 < args.speed <= 10_000:
        raise SystemExit("myoperator-mock: --speed must be above 0 and at most 10000")
    if not 0 < args.webhook_timeout <= 300:
        raise SystemExit("myoperator-mock: --webhook-timeout must be above 0 and at most 300 seconds")
    if not 0 < args.read_timeout <= 3600:
        raise SystemExit("myoperator-mock: --read-timeout must be above 0 and at most 3600 seconds")
    if not 0 < args.obd_reference_ttl <= 10 * 365 * 86_400:  # also refuses nan
        raise SystemExit("myoperator-mock: --obd-reference-ttl must be above 0 and at most ten years of seconds")
    if not is_loopback(args.host) and not args.control_token:
        raise SystemExit(f"myoperator-mock: --host {args.host} reaches beyond this machine: anyone who can reach it "
                         f"could reset it or read every tenant's credentials; give --control-token (or ${TOKEN_ENV})")
    return Settings(host=args.host, port=args.port, data_dir=args.data_dir, seed=args.seed,
                    fixtures_path=args.fixtures, clock=args.clock, speed=args.speed,
                    log_level="warning" if args.quiet else args.log_level, log_format=args.log_format,
                    template_review_seconds=args.template_review_seconds,
                    obd_reference_ttl_seconds=args.obd_reference_ttl,
                    webhook_subscriptions=webhook_subscriptions(args.webhook_url, args.webhook_config),
                    webhook_timeout=args.webhook_timeout, strict=args.strict, profile=args.profile,
                    allowed_hosts=tuple(args.allowed_host), control_token=args.control_token or None,
                    access_log=args.access_log, read_timeout=args.read_timeout,
                    scenario_dirs=tuple(args.scenarios))


def webhook_subscriptions(urls: list[str], config: Path | None) -> tuple[dict, ...]:
    from mock_server.webhooks import subscriptions

    found = []
    try:  # both raise ValueError with a readable message (the URL or file, entry and field)
        for n, url in enumerate(urls, start=1):
            found.append(subscriptions.from_url(url, subscription_id=f"url-{n}"))
        if config is not None:
            found += subscriptions.load_config(config)
    except ValueError as exc:
        raise SystemExit(f"myoperator-mock: {exc}") from None
    return tuple(found)


def trigger(args: argparse.Namespace) -> int:
    """POST /_mock/scenarios/NAME/run on a running server; prints the run, exits 1 when it was refused or
    failed at once (a step at offset 0 raised; the reason goes to stderr). A run still playing is a success."""
    import httpx

    params = {}
    for pair in args.param:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            print(f"myoperator-mock: --param {pair!r} is not KEY=VALUE", file=sys.stderr)
            return 2
        params[key] = value
    base = args.url.rstrip("/")
    try:
        token = {"X-Mock-Control-Token": args.control_token} if args.control_token else {}
        with httpx.Client(timeout=30, trust_env=False, headers=token) as client:
            company_id = args.company_id
            if company_id is None:
                listed = client.get(f"{base}/_mock/tenants")
                if not listed.is_success:  # e.g. the control plane wants its token
                    print(f"myoperator-mock: {listed.status_code} {listed.text[:500]}", file=sys.stderr)
                    return 1
                company_id = listed.json()["tenants"][0]["company_id"]
            response = client.post(f"{base}/_mock/scenarios/{args.name}/run",
                                   json={"company_id": company_id, "params": params})
    except httpx.HTTPError as exc:
        print(f"myoperator-mock: cannot reach {base}: {exc}", file=sys.stderr)
        return 2
    try:
        run = response.json()
    except ValueError:
        print(f"myoperator-mock: {response.status_code} {response.text[:500]}", file=sys.stderr)
        return 1
    print(json.dumps(run, indent=1, ensure_ascii=False))
    if not response.is_success:
        return 1
    if isinstance(run, dict) and run.get("status") == "failed":  # started, but a step at once refused it
        print(f"myoperator-mock: scenario {args.name} failed: {run.get('error')}", file=sys.stderr)
        return 1
    return 0


def banner(settings: Settings, app) -> str:
    ctx = app.state.ctx
    base = settings.public_base_url
    first = next(iter(ctx.store.tenants.values()))
    primary = next((p for p in first["phone_numbers"] if p.get("role") == "primary"), None)
    lines = [
        f"myoperator-mock on {base}",
        f"  public API     {base}/chat/...  {base}/contacts  (instead of https://publicapi.myoperator.co)",
        f"  sandbox UI     {base}/_mock/ui",
        f"  control plane  {base}/_mock/tenants",
        "  default tenant:",
        f"    X-MYOP-COMPANY-ID: {first.company_id}",
        f"    Authorization: Bearer {first.account['api_key']}",
    ]
    if primary:
        lines.append(f"    phone_number_id: {primary['phone_number_id']}")
    speed = f" x{settings.speed:g}" if settings.clock == "real" and settings.speed != 1 else ""
    lines.append(f"  state: {settings.data_dir or 'in memory'}; clock: {settings.clock}{speed}")
    if not is_loopback(settings.host):
        lines.append(f"  WARNING: listening on {settings.host}, beyond this machine: "
                     "/_mock/ needs X-Mock-Control-Token")
    return "\n".join(lines)


def serve(settings: Settings) -> int:
    import gc
    import logging.config

    import uvicorn

    from mock_server import serving
    from mock_server.app import create_app
    from mock_server.control.ui.routes import close_streams

    config = console.logging_config(settings.log_level, settings.log_format)
    logging.config.dictConfig(config)  # before the app is built: what it logs while starting is shown too
    try:
        app = create_app(settings)
    except ValueError as exc:  # a fixtures file that is not one: say why, no traceback
        print(f"myoperator-mock: {exc}", file=sys.stderr)
        return 2
    print(banner(settings, app), flush=True)
    # The fixtures (and a --data-dir's state) live as long as the server: moved out of the collector's
    # generations, a full collection no longer walks them, so it stays short at any size of state.
    gc.collect()
    gc.freeze()

    class Server(uvicorn.Server):
        def handle_exit(self, sig, frame) -> None:
            close_streams(app)  # the sandbox UI's live feeds end now: uvicorn waits for every open response
            super().handle_exit(sig, frame)

    server = Server(serving.config(app, read_timeout=settings.read_timeout, host=settings.host, port=settings.port,
                                   log_level=settings.log_level, access_log=settings.access_log, log_config=config))
    server.run()
    return 0 if server.started else 3  # as uvicorn.run: 3 when it could not start (the port taken, say)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "serve":
        return serve(settings_from(args))
    if args.command == "trigger":
        return trigger(args)
    if args.command == "openapi":
        return write_openapi(args.output, args.base_url)
    if args.command == "schemas":
        return export_schemas(args.directory)
    if args.command == "validate":
        return validate_payload(args.words)
    return export_fixtures(args.path, args.seed)


if __name__ == "__main__":
    sys.exit(main())
