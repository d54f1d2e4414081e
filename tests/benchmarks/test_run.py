"""The benchmark's requests stay valid as the API changes, and its grown state is what it says: every
operation ``benchmarks/run.py`` measures answers 2xx, on fresh fixtures and on a grown ``--data-dir``."""

from __future__ import annotations

import importlib.util
import sys
import warnings
from pathlib import Path

import pytest

from mock_server.app import create_app
from mock_server.settings import Settings

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

RUN = Path(__file__).resolve().parents[2] / "benchmarks" / "run.py"
spec = importlib.util.spec_from_file_location("benchmark_run", RUN)
run = importlib.util.module_from_spec(spec)
sys.modules[spec.name] = run  # its dataclasses look their module up
spec.loader.exec_module(run)


@pytest.mark.parametrize("contacts, others, calls", [(0, 0, 0), (40, 15, 15), (30, 0, 20)])
def test_every_measured_operation_answers_2xx_on_a_grown_data_dir(tmp_path, contacts, others, calls):
    run.grown_data_dir(tmp_path, contacts, others, calls)
    app = create_app(Settings(data_dir=tmp_path, clock="manual"))
    with TestClient(app) as client:
        company = run.first_company(client)
        tenant = app.state.ctx.store.tenant(company)
        fresh = create_app(Settings(clock="manual")).state.ctx.store.tenant(company)
        assert len(tenant["contacts"]) == len(fresh["contacts"]) + contacts
        assert len(tenant["calls"]) == len(fresh["calls"]) + calls + 1  # and the call the models were copied from
        assert len(tenant["messages"]) == others + 1
        operations = run.operations(client, company)
        assert len({op.name for op in operations}) == len(operations) == 9
        assert set(run.SEARCHES) <= {op.name for op in operations}  # the scale measurement's
        for op in [*operations, *run.first_asks(operations)]:
            for _ in range(2):  # a write's second request is a new contact, customer, reference
                body = run.numbered(op.body)
                headers = {**op.headers, **({"Content-Type": "application/json"} if body else {})}
                response = client.request(op.method, run.numbered(op.path), content=body, headers=headers)
                assert response.is_success, (op.name, response.text)
        searched = client.post(operations[4].path).json()["data"]
        assert searched["total"] == len([c for c in tenant["calls"] if c["state"] == "ended"])


def test_wrk_latencies_are_read_in_milliseconds():
    assert [run._ms(t) for t in ("850.00us", "4.64ms", "1.20s")] == [0.85, 4.64, 1200.0]
