"""Routes of api/v1/network/ (mounted under /api/v1/ by api/urls.py)."""

from django.urls import path

from api.v1.network import views as network

# On a tenant's host only.
tenant_urlpatterns = [
    path("network/tiers/", network.TierListCreateView.as_view(), name="network-tiers"),
    path("network/agents/", network.AgentListCreateView.as_view(), name="network-agents"),
    path("network/agents/import/", network.AgentImportView.as_view(), name="network-agents-import"),
    path("network/agents/export/", network.AgentExportView.as_view(), name="network-agents-export"),
    path("network/agents/<int:pk>/", network.AgentDetailView.as_view(), name="network-agent"),
    path("network/agents/<int:pk>/move/", network.AgentMoveView.as_view(), name="network-agent-move"),
    path("network/agents/<int:pk>/status/", network.AgentStatusView.as_view(), name="network-agent-status"),
    path("network/tree/", network.TreeView.as_view(), name="network-tree"),
    path("network/settings/", network.NetworkSettingsView.as_view(), name="network-settings"),
    path("network/me/", network.MyDistributorView.as_view(), name="network-me"),
    path("network/my-referral/", network.MyReferralView.as_view(), name="network-my-referral"),
    path("network/referral/<str:code>/", network.ReferralInfoView.as_view(), name="network-referral-info"),
    path("network/join/", network.AgentJoinView.as_view(), name="network-join"),
]
