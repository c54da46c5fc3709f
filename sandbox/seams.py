"""The seams: where a catalogued variation of the sandbox's behaviour may act on a call, and how a
catalogue of them is registered, switched on by name and run.

Why a module of its own: the catalogues (sandbox/faults.py, the deliberate non-conformances, and
sandbox/dialects.py, the legitimate variations) are lists of rows; the machinery that runs them is the
same for every catalogue and belongs in one place, so that the app has one way to let them act and the
clean code paths stay clean.

The seams, in the order a call meets them:
- REQUEST: before authentication: may edit the request headers, the role the method needs, the world,
  or raise an ApiError;
- CALL: after the body is parsed, before it is validated and handled: may edit the body or the
  credential, or raise an ApiError;
- RESPONSE: after the handler (or the error): may edit the status, the body and the headers, and
  reach into the world (for variations that change state after the fact);
- DOMAIN: the handler itself asks `call.faults.active(name)` (or `call.dialects...`), where behaviour
  itself must change.

With nothing switched on, each seam is a loop over an empty tuple.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Generic, TypeVar

from starlette.datastructures import MutableHeaders

from spec import Operation, error_kind, webhooks
from spec.wire import Role

from .errors import ApiError
from .tenants import Tenants
from .world import Credential, World


class Seam(StrEnum):
    REQUEST = "request"
    CALL = "call"
    RESPONSE = "response"
    DOMAIN = "domain"


class UnknownName(ValueError):
    """A name that is not in the catalogue it was looked up in."""


@dataclass
class Incoming:
    """One API request on its way in, as the REQUEST and CALL seams see it."""

    method: str
    verb: str
    headers: MutableHeaders  # a copy of the request's, case-insensitive like the wire's
    role: Role | None  # the role the method needs (spec.wire.required_role); None: either role
    tenants: Tenants
    operation: Operation | None  # None: a method this sandbox does not serve
    world: World | None = None
    credential: Credential | None = None
    raw: bytes = b""
    body: Any = None
    events: list[Any] = field(default_factory=list)  # webhook events the handler raised (sandbox/webhooks.py)


@dataclass
class Outgoing:
    """One API response on its way out, as the RESPONSE seam sees it."""

    incoming: Incoming
    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)
    error: ApiError | None = None
    media_type: str = "application/json"

    @property
    def method(self) -> str:
        return self.incoming.method

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    @property
    def extension(self) -> bool:
        """A response of a proposed extension method (contract: `x-extension`)."""
        return self.incoming.operation is not None and self.incoming.operation.extension

    @property
    def kind(self) -> str | None:
        """The error kind in the body: `{"type": kind}` or a bare string (D24)."""
        return error_kind(self.body)

    def set_kind(self, kind: Any) -> None:
        """Replace the error kind, in the body's own shape."""
        self.body = {**self.body, "type": kind} if isinstance(self.body, dict) else kind


Hook = Callable[[Any], None]


@dataclass(frozen=True)
class Row:
    """One catalogued variation: a kebab-case name, a one-line description, and where it acts."""

    name: str
    description: str
    seam: Seam
    apply: Hook | None = None  # None at the DOMAIN seam: a handler asks `active(name)`


R = TypeVar("R", bound=Row)


class Switches:
    """The rows switched on in one sandbox, and the seams' entry points (in catalogue order)."""

    def __init__(self, rows: Iterable[Row] = ()) -> None:
        self.rows = tuple(rows)
        self.names = frozenset(row.name for row in self.rows)
        self._request = tuple(r.apply for r in self.rows if r.seam is Seam.REQUEST and r.apply)
        self._call = tuple(r.apply for r in self.rows if r.seam is Seam.CALL and r.apply)
        self._response = tuple(r.apply for r in self.rows if r.seam is Seam.RESPONSE and r.apply)

    def __add__(self, other: Switches) -> Switches:
        """Both, this one's hooks first at every seam."""
        return Switches((*self.rows, *other.rows))

    def active(self, name: str) -> bool:
        return name in self.names

    def __bool__(self) -> bool:
        return bool(self.names)

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self.names))

    def on_request(self, incoming: Incoming) -> None:
        for hook in self._request:
            hook(incoming)

    def on_call(self, incoming: Incoming) -> None:
        for hook in self._call:
            hook(incoming)

    def on_response(self, outgoing: Outgoing) -> None:
        for hook in self._response:
            hook(outgoing)


NOTHING = Switches()


class Catalogue(dict[str, R], Generic[R]):
    """Name -> row, in registration order, which is also the order the rows act in when combined."""

    def __init__(self, row: type[R], unknown: type[UnknownName], everything: str | None = None) -> None:
        super().__init__()
        self.row = row
        self.unknown = unknown
        self.everything = everything  # a name that switches on every row at once, if the catalogue has one

    def hook(self, name: str, description: str, *, seam: Seam, **fields: Any) -> Callable[[Hook], Hook]:
        """Register the decorated function as the implementation of row `name` at `seam`."""

        def register(apply: Hook) -> Hook:
            self[name] = self.row(name=name, description=description, seam=seam, apply=apply, **fields)
            return apply

        return register

    def domain(self, name: str, description: str, **fields: Any) -> None:
        """Register a row that a handler implements itself (it asks `active(name)`)."""
        self[name] = self.row(name=name, description=description, seam=Seam.DOMAIN, **fields)

    def switch(self, names: Iterable[str]) -> Switches:
        """The rows named (blank names ignored); an unknown name raises the catalogue's UnknownName."""
        chosen = {n.strip() for n in names if n.strip()}
        if self.everything in chosen:
            chosen = set(self)
        unknown = sorted(chosen - set(self))
        if unknown:
            raise self.unknown(f"unknown {self.row.__name__.lower()}(s): {', '.join(unknown)}; "
                               f"known: {', '.join(self)}")
        return Switches(row for name, row in self.items() if name in chosen)


# -- what hooks read in a rendered body ------------------------------------------------------------


def answers(out: Outgoing, *methods: str) -> bool:
    """A 2xx of one of `methods`."""
    return out.ok and out.method in methods


def fails_with(out: Outgoing, kind: str) -> bool:
    return not out.ok and out.error is not None and out.kind == kind


def procurements_in(body: Any) -> list[dict[str, Any]]:
    """The procurement objects of a 2xx body (itself, its wrapper, its items); none in any other body."""
    if not isinstance(body, dict):
        return []
    if isinstance(body.get("procurement"), dict):
        return [body["procurement"]]
    if isinstance(body.get("items"), list):
        return [p for p in body["items"] if isinstance(p, dict) and "source_items" in p]
    return [body] if "source_items" in body else []


def invoices_in(body: Any) -> list[dict[str, Any]]:
    if not isinstance(body, dict):
        return []
    if isinstance(body.get("invoice"), dict):
        return [body["invoice"]]
    return [i for i in body.get("items") or [] if isinstance(i, dict)]


# -- switching on from the environment (the suite's embedded sandbox) -------------------------------

FAULTS_VARIABLE = "RAILS_SANDBOX_FAULTS"  # comma-separated fault names
DIALECTS_VARIABLE = "RAILS_SANDBOX_DIALECTS"  # comma-separated dialect names, or all
TENANTS_VARIABLE = "RAILS_SANDBOX_TENANTS"  # 0: the tenant header is ignored, one shared world
EXTENSIONS_VARIABLE = "RAILS_SANDBOX_EXTENSIONS"  # 0: the 3 proposed extensions are unknown methods
WORLD_VARIABLE = "RAILS_SANDBOX_WORLD"  # documented (default) or unfamiliar
WEBHOOK_SECRET_VARIABLE = "RAILS_SANDBOX_WEBHOOK_SECRET"  # the key webhook deliveries are signed with
FLAGS = {"": True, "1": True, "true": True, "yes": True, "on": True, "0": False, "false": False, "no": False,
         "off": False}


def names_from_env(value: str | None) -> list[str]:
    """`a,b` -> ["a", "b"] (RAILS_SANDBOX_FAULTS, RAILS_SANDBOX_DIALECTS)."""
    return [n.strip() for n in (value or "").split(",") if n.strip()]


def flag_from_env(value: str | None) -> bool:
    """Unset, 1, true, yes, on: True; 0, false, no, off: False; anything else is refused."""
    text = (value or "").strip().lower()
    if text not in FLAGS:
        raise ValueError(f"not a switch value: {value!r} (use 0 or 1)")
    return FLAGS[text]


def options_from_env(environ: Mapping[str, str]) -> dict[str, Any]:
    """create_app's keyword arguments from the RAILS_SANDBOX_* variables: `create_app(**options_from_env(
    os.environ))` is the sandbox those variables describe (unset: the clean documented sandbox)."""
    return {
        "faults": names_from_env(environ.get(FAULTS_VARIABLE)),
        "dialects": names_from_env(environ.get(DIALECTS_VARIABLE)),
        "tenants": flag_from_env(environ.get(TENANTS_VARIABLE)),
        "extensions": flag_from_env(environ.get(EXTENSIONS_VARIABLE)),
        "world": (environ.get(WORLD_VARIABLE) or "documented").strip(),
        "webhook_secret": environ.get(WEBHOOK_SECRET_VARIABLE) or webhooks.DEFAULT_SECRET,
    }
