"""Serializers shared by several API modules."""

from rest_framework import serializers


class RemovedSerializer(serializers.Serializer):
    """What a DELETE did: ``deleted``, or ``archived`` when the row is still referenced (a plan that
    paid commission, a product in a pack)."""

    outcome = serializers.ChoiceField(choices=["deleted", "archived"])
