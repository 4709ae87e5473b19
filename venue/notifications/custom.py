"""A venue's own words in its guest mail: the subject, and the text before (``intro``) and
after (``outro``) the details, per kind and language. The details, the manage/cancel
link and the policy lines stay generated.

An override is a tiny Jinja2 template over plain strings, checked twice:

* **On save** (``check``), by reading its syntax tree: only text, the offered variables
  (``VARIABLES``), ``if``/``else``, ``~``, comparisons and a few string filters. Any
  attribute or item access, call, loop, assignment, arithmetic, include or unknown name
  is refused with the field and the reason, before anything runs.
* **When rendered** (``render_field``), in an ``ImmutableSandboxedEnvironment`` with no
  globals, no safe attribute, no safe callable, arithmetic refused, undefined names an
  error, and the output capped. Whatever still fails there (a row written before a rule
  tightened) raises :class:`OverrideFailed`; the renderer falls back to the default.

The override is plain text: in the HTML part it is escaped as a whole (the variables and
the venue's own words alike) and its paragraphs become ``<p>``.
"""

from __future__ import annotations

from typing import Any

from jinja2 import StrictUndefined, TemplateSyntaxError, nodes
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError
from markupsafe import Markup, escape

# The kinds a venue may reword (the guest's mail about a booking).
KINDS: tuple[str, ...] = ("confirmation", "receipt", "reminder", "cancellation", "waitlist_offer")
FIELDS: tuple[str, ...] = ("subject", "intro", "outro")
MAX_SOURCE = {"subject": 200, "intro": 4000, "outro": 4000}
MAX_OUTPUT = {"subject": 300, "intro": 8000, "outro": 8000}

# What an override may say, each a plain string (empty when the mail has no such thing).
VARIABLES: dict[str, str] = {
    "guest_name": "the guest's name",
    "venue_name": "the venue's name",
    "venue_phone": "the venue's phone number",
    "day": 'the day, e.g. "Saturday 21 November"',
    "date_time": 'day and time with the zone, e.g. "Saturday 21 November 2026, 22:00 GMT"',
    "time": 'the start time, e.g. "22:00"',
    "end_time": 'the end time, e.g. "04:00"',
    "party_size": "the number of guests",
    "tables": 'the tables, e.g. "T1, T2"',
    "minimum": "the minimum spend (or an appointment's price), formatted",
    "deposit": "the deposit, formatted",
    "amount": "the amount paid (receipt), formatted",
    "service": "an appointment's service",
    "staff": "who performs an appointment",
    "offer_expires": "until when a waitlist offer is held (waitlist offer)",
}
FILTERS = frozenset({"upper", "lower", "title", "capitalize", "trim", "default", "d"})
TESTS = frozenset({"none", "defined", "undefined"})
_ALLOWED = (
    nodes.Template,
    nodes.Output,
    nodes.TemplateData,
    nodes.Name,
    nodes.Const,
    nodes.If,
    nodes.Not,
    nodes.And,
    nodes.Or,
    nodes.Compare,
    nodes.Operand,
    nodes.Filter,
    nodes.Test,
    nodes.CondExpr,
    nodes.Concat,
)
_REFUSED = {
    nodes.Getattr: "attribute access is not allowed",
    nodes.Getitem: "attribute access is not allowed",
    nodes.Call: "calls are not allowed",
    nodes.For: "loops are not allowed",
    nodes.Macro: "macros are not allowed",
    nodes.Assign: "assignments are not allowed",
    nodes.AssignBlock: "assignments are not allowed",
    nodes.Include: "includes are not allowed",
    nodes.Extends: "extends is not allowed",
    nodes.Import: "imports are not allowed",
    nodes.FromImport: "imports are not allowed",
    nodes.BinExpr: "arithmetic is not allowed",
    nodes.UnaryExpr: "arithmetic is not allowed",
}


class OverrideFailed(Exception):
    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


class _Sandbox(ImmutableSandboxedEnvironment):
    """Nothing but the offered strings: no attribute, no method, no arithmetic."""

    intercepted_binops = frozenset({"+", "-", "*", "/", "//", "%", "**"})
    intercepted_unops = frozenset({"+", "-"})

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        return False

    def is_safe_callable(self, obj: Any) -> bool:
        return False

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        raise SecurityError("arithmetic is not allowed")

    def call_unop(self, context: Any, operator: str, arg: Any) -> Any:
        raise SecurityError("arithmetic is not allowed")


_sandbox = _Sandbox(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=False)
_sandbox.globals.clear()
_sandbox.filters = {k: v for k, v in _sandbox.filters.items() if k in FILTERS}
_sandbox.tests = {k: v for k, v in _sandbox.tests.items() if k in TESTS}


def _refusal(node: nodes.Node) -> str | None:
    for kind, reason in _REFUSED.items():
        if isinstance(node, kind):
            return reason
    if not isinstance(node, _ALLOWED):
        return f"{type(node).__name__.lower()} is not allowed"
    if isinstance(node, nodes.Name) and (node.ctx != "load" or node.name not in VARIABLES):
        return f"unknown variable '{node.name}'"
    if isinstance(node, nodes.Filter):
        if node.name not in FILTERS:
            return f"the filter '{node.name}' is not allowed"
        if not all(isinstance(a, nodes.Const) for a in node.args) or node.kwargs:
            return f"the filter '{node.name}' takes only plain values"
        if node.dyn_args is not None or node.dyn_kwargs is not None:
            return "calls are not allowed"
    if isinstance(node, nodes.Test) and node.name not in TESTS:
        return f"the test '{node.name}' is not allowed"
    if isinstance(node, nodes.Const) and not isinstance(node.value, str | int | bool | None):
        return "only text and whole numbers are allowed"
    return None


def check(field: str, source: str) -> None:
    """Refuse, naming the reason, anything but text and the offered variables; then
    render it with sample values as sending would. Raises :class:`OverrideFailed`."""
    if len(source) > MAX_SOURCE[field]:
        raise OverrideFailed(field, f"at most {MAX_SOURCE[field]} characters")
    try:
        tree = _sandbox.parse(source)
    except TemplateSyntaxError as exc:
        raise OverrideFailed(field, f"syntax error on line {exc.lineno}: {exc.message}") from None
    for node in [tree, *tree.find_all(nodes.Node)]:
        reason = _refusal(node)
        if reason:
            raise OverrideFailed(field, reason)
    render_field(field, source, SAMPLE)


def render_field(field: str, source: str, values: dict[str, str]) -> str:
    """The override rendered in the sandbox; :class:`OverrideFailed` if it cannot be."""
    try:
        out = _sandbox.from_string(source).render(values)
    except SecurityError as exc:
        raise OverrideFailed(field, f"refused: {exc}") from None
    except TemplateSyntaxError as exc:
        raise OverrideFailed(field, f"syntax error on line {exc.lineno}: {exc.message}") from None
    except Exception as exc:  # an undefined name, a filter on the wrong thing, ...
        raise OverrideFailed(field, f"{type(exc).__name__}: {exc}") from None
    if len(out) > MAX_OUTPUT[field]:
        raise OverrideFailed(field, f"renders longer than {MAX_OUTPUT[field]} characters")
    if field == "subject":
        out = " ".join(out.split())
        if not out:
            raise OverrideFailed(field, "renders empty")
    return out


def offered_values(values: dict[str, Any]) -> dict[str, str]:
    """The offered variables, as plain strings, from a message's template values."""
    res = values.get("reservation") or {}
    appointment = values.get("appointment") or {}
    guest = values.get("guest") or {}
    venue = values.get("venue") or {}

    def s(value: Any) -> str:
        return "" if value is None else str(value)

    return {
        "guest_name": s(guest.get("name")),
        "venue_name": s(venue.get("name")),
        "venue_phone": s(venue.get("phone")),
        "day": s(values.get("day")),
        "date_time": s(values.get("starts")),
        "time": s(values.get("time")),
        "end_time": s(values.get("ends")),
        "party_size": s(res.get("party_size")),
        "tables": ", ".join(str(t) for t in res.get("tables") or ()),
        "minimum": s(values.get("minimum")),
        "deposit": s(values.get("deposit")),
        "amount": s(values.get("amount_text")),
        "service": s(appointment.get("service")),
        "staff": s(appointment.get("staff")),
        "offer_expires": s(values.get("offer_expires")),
    }


SAMPLE: dict[str, str] = {
    "guest_name": "Ada Lovelace",
    "venue_name": "The Venue",
    "venue_phone": "020 7946 0000",
    "day": "Saturday 21 November",
    "date_time": "Saturday 21 November 2026, 22:00 GMT",
    "time": "22:00",
    "end_time": "04:00",
    "party_size": "4",
    "tables": "T1",
    "minimum": "£400.00",
    "deposit": "£100.00",
    "amount": "£100.00",
    "service": "",
    "staff": "",
    "offer_expires": "22:15 GMT",
}


def to_html(text: str) -> Markup:
    """Plain text as HTML: everything escaped, blank lines between paragraphs."""
    paragraphs = [p.strip() for p in text.replace("\r\n", "\n").split("\n\n") if p.strip()]
    return Markup("\n").join(
        Markup("<p>{}</p>").format(Markup("<br>").join(escape(line) for line in p.split("\n")))
        for p in paragraphs
    )
