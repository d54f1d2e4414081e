"""The myoperator-mock command (and its twin, python -m mock_server)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

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
                       help="seconds an OBD reference_id stays taken (duplicates are refused)")
    serve.add_argument("--log-level", default="info", choices=["critical", "error", "warning", "info", "debug"])
    fixtures = commands.add_parser("fixtures", help="work with fixture files")
    fixture_commands = fixtures.add_subparsers(dest="fixtures_command", required=True)
    export = fixture_commands.add_parser("export", help="write the generated fixtures to a file you can edit")
    export.add_argument("path", type=Path)
    export.add_argument("--seed", type=int, default=DEFAULT_SEED)
    return parser


def export_fixtures(path: Path, seed: int) -> int:
    from mock_server.fixtures import generate

    path.write_text(json.dumps(generate(seed), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {path} (seed {seed}); load it with: myoperator-mock serve --fixtures {path}")
    return 0


def settings_from(args: argparse.Namespace) -> Settings:
    if not 0 < args.speed <= 10_000:
        raise SystemExit("myoperator-mock: --speed must be above 0 and at most 10000")
    return Settings(host=args.host, port=args.port, data_dir=args.data_dir, seed=args.seed,
                    fixtures_path=args.fixtures, clock=args.clock, speed=args.speed, log_level=args.log_level,
                    template_review_seconds=args.template_review_seconds,
                    obd_reference_ttl_seconds=args.obd_reference_ttl)


def banner(settings: Settings, app) -> str:
    ctx = app.state.ctx
    base = settings.public_base_url
    first = next(iter(ctx.store.tenants.values()))
    primary = next((p for p in first["phone_numbers"] if p.get("role") == "primary"), None)
    lines = [
        f"myoperator-mock on {base}",
        f"  public API     {base}/chat/...  {base}/contacts  (instead of https://publicapi.myoperator.co)",
        f"  control plane  {base}/_mock/tenants",
        "  default tenant:",
        f"    X-MYOP-COMPANY-ID: {first.company_id}",
        f"    Authorization: Bearer {first.account['api_key']}",
    ]
    if primary:
        lines.append(f"    phone_number_id: {primary['phone_number_id']}")
    speed = f" x{settings.speed:g}" if settings.clock == "real" and settings.speed != 1 else ""
    lines.append(f"  state: {settings.data_dir or 'in memory'}; clock: {settings.clock}{speed}")
    return "\n".join(lines)


def serve(settings: Settings) -> int:
    import uvicorn

    from mock_server.app import create_app

    try:
        app = create_app(settings)
    except ValueError as exc:  # a fixtures file that is not one: say why, no traceback
        print(f"myoperator-mock: {exc}", file=sys.stderr)
        return 2
    print(banner(settings, app), flush=True)
    uvicorn.run(app, host=settings.host, port=settings.port, log_level=settings.log_level)
    return 0


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "serve":
        return serve(settings_from(args))
    return export_fixtures(args.path, args.seed)


if __name__ == "__main__":
    sys.exit(main())
