"""Every audit action the code writes has a name for people: the consoles' 最近动态 and 平台审计日志
show 代理人报价, not quote.send. A new action without a label fails here."""

import ast
from pathlib import Path

import pytest
from django_tenants.utils import schema_context

from core.audit_labels import ACTION_LABELS, PREFIX_LABELS, audit_action_label
from core.services import audit_event_record
from tests.conftest import person

ROOT = Path(__file__).resolve().parents[2]


def written_actions() -> tuple[set[str], set[str]]:
    """The ``action=`` literals of every call in the code, and the fixed prefixes of f-string ones."""
    literals: set[str] = set()
    prefixes: set[str] = set()
    for folder in ("platform", "api", "tenants"):
        for path in (ROOT / folder).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text())):
                if not isinstance(node, ast.Call) or "audit_event_record" not in ast.unparse(node.func):
                    continue
                for kw in node.keywords:
                    if kw.arg != "action":
                        continue
                    if isinstance(kw.value, ast.Constant):
                        literals.add(str(kw.value.value))
                    elif isinstance(kw.value, ast.JoinedStr) and isinstance(kw.value.values[0], ast.Constant):
                        prefixes.add(str(kw.value.values[0].value))
    return literals, prefixes


def test_every_action_written_has_a_label() -> None:
    literals, prefixes = written_actions()
    assert {"auth.login", "stock.consume", "tenant.suspend", "support.start"} <= literals
    assert {"quote.", "booking.", "billing."} <= prefixes
    assert sorted(a for a in literals if a not in ACTION_LABELS) == []
    assert sorted(p for p in prefixes if p not in PREFIX_LABELS) == []


def test_labels_by_name_then_by_prefix_else_the_code() -> None:
    assert audit_action_label("quote.send") == "代理人报价"
    assert audit_action_label("stock.consume") == "施工领料"
    assert audit_action_label("commission.plan.archived") == "归档返利分成方案"
    assert audit_action_label("billing.invoice.payment_failed") == "Stripe 账单事件"
    assert audit_action_label("booking.rescheduled") == "预约"
    assert audit_action_label("datang.note") == "datang.note"


@pytest.mark.django_db
def test_the_console_shows_the_label_beside_the_code(api) -> None:
    with schema_context("datang"):
        audit_event_record(actor=person("datang_admin"), action="quote.send", summary="报价单 Q1 代理人报价")
    row = api("datang_admin").get("/api/v1/audit-events/").json()["results"][0]
    assert (row["action"], row["action_label"]) == ("quote.send", "代理人报价")
