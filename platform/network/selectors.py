"""Reads of the network. The upline and subtree queries are what the commission engine uses."""

from datetime import datetime
from typing import Any

from django.db.models import Count, Q, QuerySet

from network.models import Distributor, NetworkPath, Tier


def _open_at(at: datetime) -> Q:
    return Q(valid_from__lte=at) & (Q(valid_to__isnull=True) | Q(valid_to__gt=at))


def upline_at(*, distributor_id: int, at: datetime) -> list[Distributor]:
    """The chain above ``distributor_id`` as it stood at ``at``: parent first, top last. One query."""
    paths = (
        NetworkPath.objects.filter(_open_at(at), descendant_id=distributor_id, depth__gt=0)
        .select_related("ancestor", "ancestor__tier")
        .order_by("depth")
    )
    return [path.ancestor for path in paths]


def distributor_of(user: Any) -> Distributor | None:
    """The user's own place in this tenant's network (an agent, or a customer who refers), if any."""
    return Distributor.objects.select_related("tier", "parent").filter(user_id=user.pk).first()


def subtree_of(*, distributor_id: int, include_self: bool = True) -> QuerySet[Distributor]:
    """Everyone below ``distributor_id`` now (and the node itself unless told otherwise). One query."""
    paths = NetworkPath.objects.filter(ancestor_id=distributor_id, valid_to__isnull=True)
    if not include_self:
        paths = paths.filter(depth__gt=0)
    return Distributor.objects.filter(id__in=paths.values("descendant_id"))


def subtree_ids(*, distributor_id: int) -> list[int]:
    """Ids of the node and everyone below it now, from the closure table alone (no join)."""
    return list(
        NetworkPath.objects.filter(ancestor_id=distributor_id, valid_to__isnull=True).values_list(
            "descendant_id", flat=True
        )
    )


def is_in_subtree(*, node_id: int, root_id: int) -> bool:
    return NetworkPath.objects.filter(
        ancestor_id=root_id, descendant_id=node_id, valid_to__isnull=True
    ).exists()


def distributors_for_console(
    *, search: str = "", tier_id: int | None = None, status: str = "", kind: str = ""
) -> QuerySet[Distributor]:
    rows = Distributor.objects.select_related("tier", "parent")
    if search:
        rows = rows.filter(
            Q(name__icontains=search) | Q(mobile__contains=search) | Q(licence_no__icontains=search)
        )
    if tier_id:
        rows = rows.filter(tier_id=tier_id)
    if status:
        rows = rows.filter(status=status)
    if kind:
        rows = rows.filter(kind=kind)
    return rows.order_by("tier__rank", "id")


def tiers() -> QuerySet[Tier]:
    return Tier.objects.annotate(distributor_count=Count("distributors")).order_by("rank")


def org_tree(*, root_id: int | None = None) -> list[dict[str, Any]]:
    """The organisation as nested nodes with the size of each node's team (itself excluded).
    Two queries: the nodes, and the team sizes from the closure table."""
    nodes = subtree_of(distributor_id=root_id) if root_id else Distributor.objects.all()
    nodes = nodes.select_related("tier").order_by("id")
    team_sizes = dict(
        NetworkPath.objects.filter(valid_to__isnull=True, depth__gt=0)
        .values("ancestor_id")
        .annotate(n=Count("descendant_id"))
        .values_list("ancestor_id", "n")
    )
    by_id: dict[int, dict[str, Any]] = {}
    for d in nodes:
        by_id[d.id] = {
            "id": d.id,
            "name": d.name,
            "mobile": d.mobile,
            "kind": d.kind,
            "status": d.status,
            "tier": d.tier.name if d.tier else "",
            "parent_id": d.parent_id,
            "team_size": team_sizes.get(d.id, 0),
            "premium": "0.00",  # filled once policies exist (issue 6)
            "children": [],
        }
    roots = []
    for node in by_id.values():
        parent = by_id.get(node["parent_id"]) if node["parent_id"] else None
        if parent is not None and node["id"] != root_id:
            parent["children"].append(node)
        else:
            roots.append(node)
    return roots
