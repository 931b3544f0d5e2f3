"""Every role set a view may declare, defined once from the ``Role`` enum.

A view says who may call it with ``allowed_roles = <one of these>``; a view that declares none is
refused to everyone (``api.permissions.HasAllowedRole``), and ``tests/api/test_view_roles.py``
walks every URL to make sure each view declared one (or is explicitly public: ``AllowAny``).

The names say who is in the set. (Before, ``STAFF`` meant admin+agent+finance in quotes and the
catalogue but admin+finance in the mall; each endpoint keeps exactly the people it had, under an
honest name.)
"""

from accounts.models import Role

RoleSet = frozenset[str]


def roles(*members: Role) -> RoleSet:
    return frozenset(str(member) for member in members)


# ---- on a tenant's host ---------------------------------------------------------------------
TENANT_ADMIN = roles(Role.TENANT_ADMIN)
AGENT = roles(Role.AGENT)
OWNER = roles(Role.OWNER)
# The back office: who manages money and the network (was FINANCE in commissions, READERS in
# network, BILLING_READERS in billing, and STAFF in the mall).
ADMIN_FINANCE = roles(Role.TENANT_ADMIN, Role.FINANCE)
# Who sells: admins and agents (SELLERS in quotes, WRITERS in customers).
ADMIN_AGENT = roles(Role.TENANT_ADMIN, Role.AGENT)
# Every member of the tenant's staff (STAFF in quotes and the catalogue).
TENANT_STAFF = roles(Role.TENANT_ADMIN, Role.FINANCE, Role.AGENT)
# Staff and owners: every role inside a tenant.
TENANT_PEOPLE = roles(Role.TENANT_ADMIN, Role.FINANCE, Role.AGENT, Role.OWNER)
# Who sells and who buys: admins, agents and owners (no finance).
ADMIN_AGENT_OWNER = roles(Role.TENANT_ADMIN, Role.AGENT, Role.OWNER)
# The back office and owners (the mall's orders: no agents).
ADMIN_FINANCE_OWNER = roles(Role.TENANT_ADMIN, Role.FINANCE, Role.OWNER)
AGENT_OWNER = roles(Role.AGENT, Role.OWNER)

# ---- on the platform (bare) host ------------------------------------------------------------
PLATFORM_ADMIN = roles(Role.PLATFORM_ADMIN)
SHOP_STAFF = roles(Role.SHOP_STAFF)
INSURER_STAFF = roles(Role.INSURER_STAFF)

# ---- on either --------------------------------------------------------------------------------
# Who unlocks locked-out accounts: the tenant's admin on its host, the platform's on the bare host.
ACCOUNT_ADMINS = roles(Role.TENANT_ADMIN, Role.PLATFORM_ADMIN)
# Anyone signed in, whatever the role (their own account, inbox, session). Same as DRF's
# IsAuthenticated here: a token without any role is refused at authentication (``no_role``).
SIGNED_IN = roles(*Role)

# Which role a person who holds several acts as, when a rule depends on it: the narrowest first.
ACTING_ROLE_ORDER = (Role.OWNER, Role.AGENT, Role.TENANT_ADMIN, Role.FINANCE)
