"""A tenant schema builds no index another one already serves (docs/scaling.md, "Provisioning").

Every index is built again for every new tenant (each one a new file synced to disk), so an index
no query needs is paid for a thousand times over. Two kinds crept in through Django's defaults and
were dropped (issue 21): the index Django puts on every foreign key, when the column already leads a
unique constraint or another index of the table, and Django's ``varchar_pattern_ops`` twin
(``*_like``) of a unique or indexed varchar column, which only ``LIKE 'prefix%'`` uses."""

import pytest
from django.db import connection

# Still there, in apps other work owns (commissions, core's event tables): not new ones.
KNOWN_COVERED = {
    "commissions_statement_period_id_a3fe95f0",
    "commissions_volumetier_plan_id_d6c31ae8",
}
# core_auditevent.action is filtered by prefix (tenants.selectors, action__startswith): it keeps its twin.
KNOWN_LIKE = {
    "core_auditevent_action_b3c9b7a8_like",
    "commissions_plan_name_a41eff89_like",
    "core_eventcursor_consumer_13801901_like",
}


def _index_names(sql: str) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(sql, ["datang"])
        return {name for (name,) in cursor.fetchall()}


@pytest.mark.django_db
def test_no_index_repeats_the_leading_columns_of_another(datang) -> None:
    covered = _index_names(
        "WITH idx AS ("
        "  SELECT i.indexrelid, i.indrelid, ic.relname, string_to_array(i.indkey::text, ' ') AS keys,"
        "   i.indisunique, i.indpred IS NULL AS whole, ic.relam,"
        "   pg_get_indexdef(i.indexrelid) LIKE '%%pattern_ops%%' AS pattern"
        "  FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid"
        "  WHERE ic.relnamespace = %s::regnamespace)"
        " SELECT a.relname FROM idx a WHERE NOT a.indisunique AND a.whole AND NOT a.pattern"
        " AND a.relam = (SELECT oid FROM pg_am WHERE amname = 'btree') AND EXISTS (SELECT 1 FROM idx b WHERE b.indrelid = a.indrelid"
        "  AND b.indexrelid <> a.indexrelid AND b.whole AND NOT b.pattern AND b.relam = a.relam"
        "  AND b.keys[1:cardinality(a.keys)] = a.keys)"
    )
    assert covered <= KNOWN_COVERED, (
        f"indexes another index of their table already serves: {covered - KNOWN_COVERED}"
    )
    # what issue 21 dropped stays dropped, for example
    assert "quotes_quote_customer_id_5bad60d2" not in covered
    assert "network_distributor_parent_id_c106a4b4" not in covered


@pytest.mark.django_db
def test_no_prefix_search_index_but_the_ones_known(datang) -> None:
    like = _index_names(
        "SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid"
        " WHERE c.relnamespace = %s::regnamespace AND pg_get_indexdef(i.indexrelid) LIKE '%%_pattern_ops%%'"
    )
    assert like <= KNOWN_LIKE, f"varchar_pattern_ops indexes no query needs: {like - KNOWN_LIKE}"
    assert "core_auditevent_action_b3c9b7a8_like" in like  # the one a query uses
    assert "quotes_quote_number_140c95b8_like" not in like
