"""The scenario engine: declarative call and message lifecycles (``scenarios/*.yaml``) played on the clock.

- ``steps``: what a step is (``Step``), what a scenario may say (``Vocabulary``: actions and parameter kinds),
  and the basic kinds;
- ``loader``: scenario files, checked when loaded;
- ``runner``: runs (``start_run``), their steps as clock jobs, failures;
- ``call_rules``: which scenario an OBD request plays; ``message_rules``: which lifecycle a sent message plays
  (the actions and parameter kinds are ``mock_server.steps``);
- ``overrides``: control-plane overrides of those rules.

``register_actions(ctx)`` registers the clock job that runs a due step, and loads the scenario files so a bad
one stops the server at start.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mock_server.engine import runner
from mock_server.engine.runner import RunRefused, UnknownScenario, start_run

if TYPE_CHECKING:
    from mock_server.context import AppContext
    from mock_server.engine.steps import Vocabulary

__all__ = ["RunRefused", "UnknownScenario", "register_actions", "start_run"]


def register_actions(ctx: AppContext, vocabulary: Vocabulary) -> None:
    """Give the engine the actions and parameter kinds scenarios may use (``mock_server.steps.VOCABULARY``)."""
    ctx.vocabulary = vocabulary
    runner.catalog(ctx)  # a bad scenario file fails here, naming the file and the place
    runner.register_actions(ctx)
