"""Search Logs (POST /search/search) without the web: the query's parameters, and which logs it selects.

Pure rules over call sessions (``calls`` documents) and their AfterCall logs (``call_log.render``),
which the selection reads; the endpoint (``developers.logs``) supplies the sessions, the renderer
and the rendering of the page's hits (``call_log_live.hit``).

- Only finished calls have a call log (it is written after the call): sessions in state ``ended``.
- ``from`` / ``to`` (UTC unix seconds) bound the call's start (``_st``), both inclusive.
- ``search_key`` matches, case-insensitively, the caller's name and number (as ``+919876543210``,
  ``919876543210`` or ``9876543210``), each agent's name, email and number (the ``_rr`` and ``_tt``
  entries of the log's legs) and the texts of the call's comments. A key written like a phone
  number (digits with ``+``, spaces, dashes, dots or parentheses) is also compared by its digits.
- ``filters`` is a ``filter_expr`` expression evaluated over the legacy rendering.
- Newest call first (start time, then call id, both descending); ``log_from`` is an offset into
  that order and ``page_size`` (default 20) is capped at 100.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from typing import Any

from mock_server.developers import filter_expr
from mock_server.developers.params import given
from mock_server.domain.call_log import epoch
from mock_server.refusals import Refusal
from mock_server.store import Collection

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
SEARCH_KEY_MAX = 255
INTEGER = re.compile(r"^\+?[0-9]{1,18}$")
PHONE_LIKE = re.compile(r"^[+0-9 ().-]*[0-9][+0-9 ().-]*$")

TIMESTAMP = "{field} must be a UTC unix timestamp in whole seconds, e.g. 1752573600"
WINDOW = "from must not be later than to"
OFFSET = "log_from must be a whole number of at least 0"
PAGE_SIZE = "page_size must be a whole number of at least 1"
KEY_TEXT = "search_key must be text"
KEY_LONG = f"search_key must be at most {SEARCH_KEY_MAX} characters"

Log = dict[str, Any]
Session = dict[str, Any]


@dataclass(frozen=True)
class Query:
    start: int | None = None  # from
    end: int | None = None  # to
    offset: int = 0  # log_from
    size: int = DEFAULT_PAGE_SIZE  # page_size, capped
    key: str = ""  # search_key, trimmed
    match: Callable[[Log], bool] | None = None  # the compiled filters


@dataclass(frozen=True)
class Page:
    total: int
    logs: list[Log]  # the AfterCall logs of this page's calls
    query: Query


# --- parameters ---------------------------------------------------------------------------------------
def whole_number(value: Any) -> int | None:
    """A non-negative integer from a digit string (a leading + allowed), a JSON integer or an integral float."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    if isinstance(value, float):
        return int(value) if math.isfinite(value) and value.is_integer() and 0 <= value < 1e18 else None
    if isinstance(value, str) and INTEGER.match(value.strip()):
        return int(value.strip())
    return None


def _text(value: Any) -> str | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    return value.strip() if isinstance(value, str) else None


def parse_query(params: dict) -> Query:
    """The query of a Search Logs request; refused with every bad parameter's problem, in parameter order,
    in one message."""
    problems: list[str] = []
    bounds: dict[str, int | None] = {}
    for name in ("from", "to"):
        bounds[name] = whole_number(params[name]) if given(params, name) else None
        if given(params, name) and bounds[name] is None:
            problems.append(TIMESTAMP.format(field=name))
    if bounds["from"] is not None and bounds["to"] is not None and bounds["from"] > bounds["to"]:
        problems.append(WINDOW)
    offset = whole_number(params["log_from"]) if given(params, "log_from") else 0
    if offset is None:
        problems.append(OFFSET)
    size = whole_number(params["page_size"]) if given(params, "page_size") else DEFAULT_PAGE_SIZE
    if not size:  # None or 0
        problems.append(PAGE_SIZE)
    key = _text(params["search_key"]) if given(params, "search_key") else ""
    if key is None:
        problems.append(KEY_TEXT)
    elif len(key) > SEARCH_KEY_MAX:
        problems.append(KEY_LONG)
    match = None
    if given(params, "filters"):
        try:
            match = filter_expr.compile(params["filters"])
        except filter_expr.FilterExpressionError as error:
            problems.append(str(error))
    if problems or offset is None or not size or key is None:  # each None / 0 above added its problem
        raise Refusal("400", "; ".join(problems))
    return Query(start=bounds["from"], end=bounds["to"], offset=offset, size=min(size, MAX_PAGE_SIZE),
                 key=key, match=match)


# --- search_key --------------------------------------------------------------------------------------
def _agents(log: Log) -> Iterable[dict]:
    for leg in log.get("_ld") or ():
        yield from leg.get("_rr") or ()
        yield from leg.get("_tt") or ()


def haystacks(session: Session, log: Log) -> tuple[list[str], list[str]]:
    """(texts, numbers) a search key is looked for in: texts casefolded, numbers as digit strings."""
    texts = [log.get("_cm") or "", log.get("_cl") or ""]
    numbers = [(log.get("_cl") or "").removeprefix("+"), log.get("_cr") or ""]
    for agent in _agents(log):
        texts += [agent.get("_na") or "", agent.get("_em") or "", agent.get("_nr") or ""]
        numbers += [(agent.get("_nr") or "").removeprefix("+"), agent.get("_ct") or ""]
    texts += [c.get("text") or "" for c in session.get("comments") or ()]
    return [t.casefold() for t in texts if t], [n for n in numbers if n]


def matches_key(session: Session, log: Log, key: str) -> bool:
    """Whether ``key`` (already trimmed; "" matches every log) is found in the call's searchable fields."""
    if not key:
        return True
    texts, numbers = haystacks(session, log)
    wanted = key.casefold()
    if any(wanted in text for text in texts):
        return True
    if PHONE_LIKE.match(key):
        digits = re.sub(r"[^0-9]", "", key)
        return any(digits in number for number in numbers)
    return False


# --- selection ---------------------------------------------------------------------------------------
def _finished_by_start(session: Session) -> tuple[int, str, str] | None:
    """A finished call's place in the ordered index Search Logs reads (None: an unfinished one is left out)."""
    if session.get("state") != "ended":
        return None
    return epoch(session["started_at"]), session["started_at"], session["id"]


def search(calls: Collection, query: Query, render: Callable[[Session], Log],
           searchable: Callable[[Session], Log], reads: Hashable = None) -> Page:
    """The page of legacy logs the query selects, newest call first, and how many match in all.

    The finished calls are an ordered index by start, so the window is a range of it. Without a key or
    filters every call of the window matches, and only the page is rendered. A key is looked for in each
    call's ``searchable`` part (the caller and the agents, a tenth of a rendering) once: the calls it finds
    are a selection (``Collection.selection``) kept in step with the calls, so asked again (paged through)
    the key costs only the page; ``reads`` names what else ``searchable`` reads (the users' names), so that
    a change there makes a new selection. Filters read the whole rendering, so with filters each call of
    the window the key let through is rendered once."""
    finished = (calls.selection((query.key, reads), "finished_by_start", _finished_by_start,
                                lambda session: matches_key(session, searchable(session), query.key)) if query.key
                else calls.ordered("finished_by_start", _finished_by_start))
    window = finished.between(None if query.start is None else (query.start,),
                              None if query.end is None else (query.end + 1,)).reversed()
    chosen = slice(query.offset, query.offset + query.size)
    if query.match is None:
        return Page(total=len(window), logs=[render(session) for session in window[chosen]], query=query)
    found = [session for session in window if query.match(render(session))]
    return Page(total=len(found), logs=[render(session) for session in found[chosen]], query=query)


def body(page: Page, hit: Callable[[Log], dict]) -> dict[str, Any]:
    """The success body as observed live (OBSERVED A.5): how many match, and this page's hits. It
    carries no paging values: a client pages with ``log_from`` until a page comes back short."""
    return {"status": "success", "code": 200, "data": {"total": page.total, "hits": [hit(log) for log in page.logs]}}
