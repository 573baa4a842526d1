"""Who may do what: admin everything; operator reads everything but the accounts, edits
registrations and runs their actions; viewer only reads the programme's data. sqladmin asks
this backend for every page, button and action (``identity``, ``action``)."""
from __future__ import annotations

from sqladmin.authorization import GrantsAuthorizationBackend, WILDCARD
from starlette.exceptions import HTTPException
from starlette.requests import Request

# Views holding the programme's data (their identities).
DATA = ("registration", "interview-slot", "interview-booking", "workshop-session", "workshop-registration",
        "broadcast")
READ = ("list", "details")
EVERYONE = {("password", "list")}  # one's own password page
# The agenda's, the workshops' and the broadcasts' own pages (backoffice.views.agenda_pages,
# broadcast_pages): read, or act ("edit").
PAGES = ("agenda", "workshop-attendance", "broadcasts", "broadcasts-new", "dashboard")  # dashboard: read only
# The path's steps and the duplicates (backoffice.views.path_pages): read, or act ("edit").
PAGES += ("registration-path", "duplicates")
# Companies, vacancies and a vacancy's matching (backoffice.views.company_pages, match_pages).
PAGES += ("companies", "vacancies", "vacancy-match")
# The chat's programme information (backoffice.views.info_pages, #15).
PAGES += ("programme-info",)
# Pages only operators and admins see (backoffice.views.import_pages, company_import: viewers get 403).
ACTING_PAGES = ("import", "companies-import")
# The documents job seekers sent (backoffice.views.document_pages): viewers see the list, not the files.
ACTING_PAGES += ("documents",)
# The office inbox (backoffice.views.inbox_pages): every role reads, operators reply (#15).
PAGES += ("inbox",)

GRANTS: dict[str, set[tuple[str, str]]] = {
    "admin": {(WILDCARD, WILDCARD)},
    "operator": {(view, action) for view in DATA for action in (*READ, "export")}
    | {("registration", "edit"), ("registration", "action:mark-reviewed"), ("office-audit", "list"), ("office-audit", "details")}
    | {(page, action) for page in PAGES + ACTING_PAGES for action in ("list", "edit")}
    | EVERYONE,
    "viewer": {(view, action) for view in DATA for action in READ} | {(page, "list") for page in PAGES} | EVERYONE,
}


class RoleAuthorization(GrantsAuthorizationBackend):
    async def get_grants(self, request: Request) -> set[tuple[str, str]]:
        operator = getattr(request.state, "operator", None)
        return GRANTS.get(operator.role, set()) if operator else set()


def can(request: Request, identity: str, action: str) -> bool:
    """For our own pages and templates."""
    operator = getattr(request.state, "operator", None)
    if operator is None:
        return False
    grants = GRANTS.get(operator.role, set())
    return any(g in grants for g in ((identity, action), (WILDCARD, action), (identity, WILDCARD),
                                      (WILDCARD, WILDCARD)))


def require(request: Request, identity: str, action: str = "edit") -> None:
    """403 unless the operator may: our pages' POST handlers start with it."""
    if not can(request, identity, action):
        raise HTTPException(status_code=403)
