"""The shell examples of a Markdown page, run as printed against a served simulator (tests/test_docs.py).

A page's ```sh, ```bash and ```console blocks are one script, top to bottom: a variable one block sets, a later
block uses. The only edits are the addresses, so a run sits beside anything already on port 8800 (the server) or
5000 (a webhook receiver): ``127.0.0.1:8800`` and ``localhost:8800`` become the served simulator's, ``5000`` after
``127.0.0.1`` a free port. ``myoperator-mock`` is this checkout's CLI. ``sh``/``bash`` blocks run under
``set -euo pipefail``: a failing command, an unset variable or a curl that cannot connect fails the page. A
``console`` block is commands (``$ …``, continued by a trailing backslash) each followed by the output it prints,
which must be printed exactly (its exit status is part of what it shows, not a failure). A comment that shows an
answer, ``# 200 {"status":"success",…}`` (``…`` standing for anything), must be the body of an answer of that status
the page's requests got (spaces aside), as the server's journal kept them.

A block that cannot run (it installs, or starts a server of its own) is preceded by ``<!-- not run: why -->``.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import re
import shlex
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.server import free_port, start_server, stop

ROOT = Path(__file__).resolve().parent.parent
LANGUAGES = ("sh", "bash", "console")
NOT_RUN = re.compile(r"<!-- not run: (.+?) -->")
FENCE = re.compile(r"^```(\w*)\n(.*?)^```$", re.S | re.M)


@dataclass(frozen=True)
class Block:
    page: str
    line: int  # of the opening fence, 1-based
    language: str
    code: str
    not_run: str | None  # why, when the page says it cannot run

    @property
    def where(self) -> str:
        return f"{self.page}:{self.line}"


def blocks(path: Path) -> list[Block]:
    """The page's shell blocks, in order."""
    text = path.read_text(encoding="utf-8")
    found = []
    for match in FENCE.finditer(text):
        if match.group(1) not in LANGUAGES:
            continue
        before = text[:match.start()].rstrip("\n").rsplit("\n", 1)[-1]
        marker = NOT_RUN.fullmatch(before.strip())
        found.append(Block(path.relative_to(ROOT).as_posix(), text.count("\n", 0, match.start()) + 1,
                           match.group(1), match.group(2), marker.group(1) if marker else None))
    return found


def console_steps(code: str) -> list[tuple[str, str]]:
    """A console block's (command, expected output) pairs."""
    steps: list[tuple[str, list[str]]] = []
    lines = code.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("$ "):
            command = [line[2:]]
            while command[-1].endswith("\\") and i + 1 < len(lines):
                i += 1
                command.append(lines[i])
            steps.append(("\n".join(command), []))
        else:
            assert steps, f"console output before any command: {line!r}"
            steps[-1][1].append(line)
        i += 1
    return [(command, "\n".join(out) + "\n" if out else "") for command, out in steps]


def addresses(code: str, port: int, receiver: int) -> str:
    code = re.sub(r"\b(127\.0\.0\.1|localhost):8800\b", rf"\g<1>:{port}", code)
    return re.sub(r"(127\.0\.0\.1:|\"127\.0\.0\.1\", )5000\b", rf"\g<1>{receiver}", code)


# "# 200 {…}" or "# -> 201 {…}": the status and the body (to its last brace) the command above the comment got
ANSWER = re.compile(r"^\s*#\s*(?:->\s*)?([1-5]\d\d) (\{.*\})")


def documented_answers(page_blocks: list[Block]) -> list[tuple[int, str]]:
    """The answers the page's runnable blocks show of MyOperator's APIs: (status, body with ``…`` for anything).
    Not the control plane's (``/_mock/``), which the journal does not keep."""
    found = []
    for block in page_blocks:
        if block.not_run or block.language == "console":
            continue
        command: list[str] = []  # the lines since the last comment or blank line: the command(s) the comment is of
        lines = block.code.splitlines()
        for n, line in enumerate(lines):
            for more in itertools.takewhile(lambda text: re.match(r"#\s{2,}\S", text), lines[n + 1:]):
                line += more.lstrip("#")  # an answer continued on the comment lines below, indented
            answer = ANSWER.match(line)
            if answer and not any("/_mock/" in text for text in command):
                found.append((int(answer.group(1)), answer.group(2)))
            if not line.strip() or line.lstrip().startswith("#"):
                command = []
            else:
                command.append(line)
    return found


def shows(body: str, answer: str) -> bool:
    """Whether ``answer`` (a server's body) is ``body`` as documented: ``…`` any text, spaces not compared."""
    pattern = ".*?".join(re.escape(part) for part in re.sub(r"\s+", "", body).split("…"))
    return re.fullmatch(pattern, re.sub(r"\s+", "", answer), re.S) is not None


@dataclass
class PageRun:
    returncode: int
    stdout: str
    stderr: str
    console: list[tuple[str, str, str]]  # (command, expected, printed) of every console step
    answers: list[dict]  # the server's journal of the page's requests: method, path, status, response_body…
    port: int
    receiver: int

    def unshown(self, page_blocks: list[Block]) -> list[tuple[int, str]]:
        """The documented answers no request of the page got."""
        return [(status, body) for status, body in documented_answers(page_blocks)
                if not any(a["status"] == status and shows(addresses(body, self.port, self.receiver),
                                                           a["response_body"] or "") for a in self.answers)]

    def failure(self) -> str:
        """What went wrong, for an assertion message: the block that failed and the end of its error output."""
        return "\n".join(self.stderr.splitlines()[-40:])


def script(page_blocks: list[Block], port: int, receiver: int, outputs: Path) -> tuple[str, list[tuple[str, str]]]:
    """The page as one bash script, and its console steps (whose outputs land in ``outputs``/N)."""
    parts = ["set -euo pipefail"]
    steps = []
    for block in page_blocks:
        if block.not_run:
            continue
        parts.append(f"echo {shlex.quote('>>> ' + block.where)} >&2")
        code = addresses(block.code, port, receiver)
        if block.language == "console":
            for command, expected in console_steps(code):
                out = outputs / str(len(steps))
                parts.append(f"{{ {command}\n}} > {shlex.quote(str(out))} 2>&1 || true")
                steps.append((command, expected))
        else:
            parts.append(code)
    parts.append("echo '>>> the end' >&2")
    return "\n".join(parts) + "\n", steps


def run_page(page_blocks: list[Block], tmp: Path, timeout: float = 180) -> PageRun:
    """Serve a simulator (manual clock, default fixtures) and run the page's blocks in ``tmp``, a scratch
    directory for the files they write."""
    port, receiver = free_port(), free_port()
    outputs = tmp / ".console"
    outputs.mkdir(parents=True)
    bin_dir = tmp / ".bin"
    bin_dir.mkdir()
    cli = bin_dir / "myoperator-mock"  # this checkout's CLI, whatever else is on the PATH
    cli.write_text(f"#!/bin/sh\nexec {shlex.quote(sys.executable)} -m mock_server \"$@\"\n", encoding="utf-8")
    cli.chmod(0o755)
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
           "PYTHONPATH": os.pathsep.join(filter(None, (str(ROOT), os.environ.get("PYTHONPATH"))))}
    env.pop("MYOPERATOR_MOCK_CONTROL_TOKEN", None)
    text, steps = script(page_blocks, port, receiver, outputs)
    process = start_server(port)
    try:
        # its own process group: whatever a block leaves running in the background goes with it
        shell = subprocess.Popen(["bash", "-c", text], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                 cwd=tmp, env=env, start_new_session=True)
        try:
            stdout, stderr = shell.communicate(timeout=timeout)
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(shell.pid, signal.SIGKILL)
            shell.wait()
        answers = httpx.get(f"http://127.0.0.1:{port}/_mock/journal", timeout=30).json()["requests"]
    finally:
        stop(process)
    printed = [(outputs / str(n)).read_text(encoding="utf-8") if (outputs / str(n)).exists() else ""
               for n in range(len(steps))]
    return PageRun(shell.returncode, stdout, stderr,
                   [(command, expected, got) for (command, expected), got in zip(steps, printed, strict=True)],
                   answers, port, receiver)
