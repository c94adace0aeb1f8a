"""Canonical data sets: the fields every data profile maps a vendor export onto.

Each source kind of the language (:data:`slalang.lang.schema.SOURCE_KINDS`) has a
canonical table here, with a storage type, a unit and a meaning per field. The
evaluators only ever read canonical tables; ``docs/data.md`` documents them and
is checked against this module by the tests.

Types: ``text``, ``integer``, ``number`` (floating point), ``boolean``,
``timestamp`` (local wall-clock time in the contract's time zone, no offset),
``date``. Durations are ``number`` in seconds.
"""

from __future__ import annotations

import attrs

OUTCOMES = ("answered", "abandoned", "flow_out", "callback", "not_offered")
"""What happened to a contact. ``not_offered`` contacts (hung up in the IVR,
voicemail) never reached the queue and count nowhere; the others were offered."""

CHANNELS = ("voice", "chat", "email", "sms", "social")

TIME_FIELDS = {
    "contacts": "queued_at", "intervals": "interval_start", "forecasts": "interval_start",
    "audits": "audited_at", "surveys": "responded_at", "adherence": "date",
}  # fmt: skip
"""The field each data set's records are placed in time by (periods are cut on it)."""


@attrs.frozen
class Field:
    """One canonical field."""

    name: str
    type: str
    unit: str
    doc: str
    required: bool = False
    required_for: tuple[str, ...] = ()
    """With ``required``: the outcomes a record needs the value for (empty: every record)."""


@attrs.frozen
class Table:
    """A canonical data set."""

    kind: str
    doc: str
    fields: tuple[Field, ...]

    def field(self, name: str) -> Field | None:
        """Return a field by name."""
        return next((f for f in self.fields if f.name == name), None)

    @property
    def names(self) -> tuple[str, ...]:
        """The field names, in canonical order."""
        return tuple(f.name for f in self.fields)


def _f(
    name: str, type_: str, unit: str, doc: str, *, required: bool = False,
    required_for: tuple[str, ...] = (),
) -> Field:  # fmt: skip
    return Field(name, type_, unit, doc, required, required_for)


CONTACTS = Table(
    "contacts",
    "Contact records: one row per call, chat or email offered (or not) to the queue.",
    (
        _f("contact_id", "text", "", "identifier of the contact in the export", required=True),
        _f("channel", "text", "", "voice, chat, email, sms or social"),
        _f("queue", "text", "", "queue, skill or split the contact was offered to"),
        _f("call_type", "text", "", "the export's call type or service code"),
        _f("site", "text", "", "the site or team that handled it"),
        _f("priority", "integer", "", "queue priority"),
        _f("customer_id", "text", "", "who called; empty for unidentified callers"),
        _f("agent", "text", "", "the agent who handled it; empty if nobody did"),
        _f("direction", "text", "", "inbound or outbound"),
        _f("reason", "text", "", "contact reason or disposition code"),
        _f("arrived_at", "timestamp", "", "when the contact reached the contact center (IVR)"),
        _f("queued_at", "timestamp", "",
           "when it was offered to the agent queue; periods and intervals are cut on this",
           required=True),
        _f("answered_at", "timestamp", "", "when an agent answered"),
        _f("ended_at", "timestamp", "", "when the contact ended"),
        _f("outcome", "text", "", "answered, abandoned, flow_out, callback or not_offered",
           required=True),
        _f("wait", "number", "s", "queue wait: until answer, abandon, flow-out or callback; "
           "may be empty for a contact that was not answered (an unknown wait)",
           required=True, required_for=("answered",)),
        _f("ring", "number", "s",
           "ringing at the agent before an answer, the last part of the wait"),
        _f("talk", "number", "s", "talk time of an answered contact"),
        _f("hold", "number", "s", "hold time of an answered contact"),
        _f("acw", "number", "s", "after-contact work of an answered contact"),
        _f("resolved", "boolean", "", "the agent marked the contact resolved"),
        _f("csat", "integer", "points",
           "the customer's satisfaction rating of the contact, on the survey's scale; empty "
           "when the contact was not rated"),
        _f("nps", "integer", "points",
           "the customer's likelihood to recommend, 0 to 10; empty when not answered"),
    ),
)  # fmt: skip

INTERVALS = Table(
    "intervals",
    "ACD interval reports: one row per queue and interval, counts and totals pre-aggregated. "
    "Bucketed counts are named after their threshold in seconds: `answered_within_20` counts "
    "contacts answered with a wait of at most 20 s.",
    (
        _f("queue", "text", "", "queue, skill or split"),
        _f("channel", "text", "", "voice, chat, email, sms or social"),
        _f("interval_start", "timestamp", "", "start of the interval", required=True),
        _f("offered", "integer", "contacts", "contacts offered to the queue", required=True),
        _f("answered", "integer", "contacts", "contacts answered", required=True),
        _f("abandoned", "integer", "contacts", "contacts abandoned in queue", required=True),
        _f("short_abandoned", "integer", "contacts",
           "abandoned under the source's short-abandon threshold"),
        _f("answered_within_T", "integer", "contacts",
           "answered with a wait of at most T seconds, one column per threshold T"),
        _f("abandoned_within_T", "integer", "contacts",
           "abandoned with a wait of at most T seconds, one column per threshold T"),
        _f("total_wait", "number", "s", "summed queue wait of answered contacts"),
        _f("total_talk", "number", "s", "summed talk time"),
        _f("total_hold", "number", "s", "summed hold time"),
        _f("total_acw", "number", "s", "summed after-contact work"),
        _f("total_handle", "number", "s", "summed handle time (talk + hold + acw)"),
        _f("available_time", "number", "s", "summed agent time available and idle"),
        _f("forecast_offered", "number", "contacts", "the client's forecast for the interval"),
    ),
)  # fmt: skip

AUDITS = Table(
    "audits",
    "QA audits: one row per evaluated contact; one column per criterion of the form, with "
    "`yes`, `no` or `na` (not applicable).",
    (
        _f("audit_id", "text", "", "identifier of the audit", required=True),
        _f("contact_id", "text", "", "the audited contact"),
        _f("agent", "text", "", "the audited agent"),
        _f("queue", "text", "", "queue of the audited contact"),
        _f("channel", "text", "", "channel of the audited contact"),
        _f("evaluator", "text", "", "who audited"),
        _f("audited_at", "timestamp", "", "when the audited contact took place",
           required=True),
        _f("<criterion>", "text", "", "yes, no or na: one column per criterion the source lists"),
    ),
)  # fmt: skip

SURVEYS = Table(
    "surveys",
    "Survey responses: one row per answered post-contact survey.",
    (
        _f("response_id", "text", "", "identifier of the response", required=True),
        _f("contact_id", "text", "", "the surveyed contact"),
        _f("queue", "text", "", "queue of the surveyed contact"),
        _f("channel", "text", "", "channel of the surveyed contact"),
        _f("agent", "text", "", "agent of the surveyed contact"),
        _f("responded_at", "timestamp", "", "when the surveyed contact took place",
           required=True),
        _f("csat", "integer", "points", "satisfaction score on the survey's scale"),
        _f("nps", "integer", "points", "likelihood to recommend, 0 to 10"),
        _f("resolved", "boolean", "", "the customer says the issue was resolved"),
    ),
)  # fmt: skip

ADHERENCE = Table(
    "adherence",
    "Schedule adherence: one row per agent and day.",
    (
        _f("agent", "text", "", "the agent", required=True),
        _f("team", "text", "", "the agent's team"),
        _f("queue", "text", "", "the agent's main queue"),
        _f("date", "date", "", "the scheduled day", required=True),
        _f("scheduled_minutes", "number", "min", "minutes scheduled in productive states",
           required=True),
        _f("adherent_minutes", "number", "min", "scheduled minutes spent in the scheduled state",
           required=True),
        _f("worked_minutes", "number", "min", "minutes actually worked, whenever"),
    ),
)  # fmt: skip

FORECASTS = Table(
    "forecasts",
    "The client's volume forecast: one row per queue and interval.",
    (
        _f("queue", "text", "", "queue, skill or split"),
        _f("channel", "text", "", "voice, chat, email, sms or social"),
        _f("interval_start", "timestamp", "", "start of the interval", required=True),
        _f("forecast_offered", "number", "contacts", "forecast offered contacts",
           required=True),
        _f("forecast_aht", "number", "s",
           "forecast average handle time of the interval's contacts (for staffing)"),
    ),
)  # fmt: skip

TABLES: dict[str, Table] = {
    t.kind: t for t in (CONTACTS, INTERVALS, AUDITS, SURVEYS, ADHERENCE, FORECASTS)
}


def where_field_belongs(name: str, kind: str) -> str:
    """A hint for a field that table ``kind`` lacks: the tables that do have it, if any."""
    others = [t.kind for t in TABLES.values() if t.kind != kind and t.field(name) is not None]
    if not others:
        return ""
    tables = " and ".join(f"`{other}`" for other in others)
    return f"`{name}` is a field of {tables} records; map it in a profile of that kind"
