"""What the language knows: source kinds and their fields, metrics and their knobs.

This table is the single place where settings, their value shapes and their
documented defaults live. The checks validate contracts against it, the
formatter prints defaults from it (``slalang fmt --explicit``), and the
language reference documents it.
"""

from __future__ import annotations

from decimal import Decimal

import attrs

from slalang.lang import model as m
from slalang.lang.canonical import TABLES
from slalang.lang.units import Dimension


@attrs.frozen
class Spec:
    """The shape of a setting's value.

    ``kind`` is one of: enum, text, duration, percent, count, money, points,
    number, bool, ref, list, date_range, timezone, currency, field.
    """

    kind: str
    choices: tuple[str, ...] = ()
    ops: tuple[str, ...] = ()
    ref: str = ""
    item: Spec | None = None
    none_allowed: bool = False
    low: Decimal | None = None
    high: Decimal | None = None

    def describe(self) -> str:
        """Say in words what values fit."""
        if self.kind == "enum":
            return "one of " + ", ".join(f"`{c}`" for c in self.choices)
        if self.kind == "list" and self.item is not None:
            return f"a list of {self.item.describe()}"
        if self.kind == "duration" and self.ops:
            return "a duration such as `20 s`, optionally after " + " or ".join(
                f"`{op}`" for op in self.ops
            )
        words = {
            "text": "a quoted string",
            "duration": "a duration such as `30 min`",
            "percent": "a percentage such as `80 %`",
            "count": "a whole number",
            "money": "an amount of money such as `250000 USD`",
            "points": "points such as `85 points`",
            "number": "a number",
            "bool": "`true` or `false`",
            "ref": f"the id of a {self.ref}",
            "date_range": "a date range such as `2026-01-01 to 2026-12-31`",
            "timezone": 'an IANA time zone such as `"America/Chicago"`',
            "currency": "an ISO 4217 currency code such as `USD`",
            "field": "a field name",
            "share_or_money": "a percentage of the at-risk amount, or an amount of money",
        }
        return words.get(self.kind, self.kind)


def enum(*choices: str) -> Spec:
    """A choice among bare words."""
    return Spec("enum", choices=choices)


TEXT = Spec("text")
BOOL = Spec("bool")
DURATION = Spec("duration", low=Decimal(0))
PERCENT = Spec("percent", low=Decimal(0), high=Decimal(100))
COUNT = Spec("count", low=Decimal(0))
NUMBER = Spec("number")
THRESHOLD = Spec("duration", ops=("<=", "<"), low=Decimal(0))
OPTIONAL_THRESHOLD = Spec("duration", ops=("<", "<="), none_allowed=True, low=Decimal(0))


def ref(kind: str) -> Spec:
    """A reference to a declared calendar, source, objective or QA criterion."""
    return Spec("ref", ref=kind)


def list_of(item: Spec) -> Spec:
    """A bracketed list of values of one shape."""
    return Spec("list", item=item)


@attrs.frozen
class Knob:
    """A setting with its value shape, its documented default and a one-line meaning."""

    name: str
    spec: Spec
    default: str | None
    doc: str
    required: bool = False


# ---------------------------------------------------------------------------
# Sources
# ---------------------------------------------------------------------------


_FILTER_TYPES = {"text": "text", "integer": "number", "boolean": "bool", "date": "time",
                 "timestamp": "time"}  # fmt: skip


def fields_of(kind: str) -> dict[str, str]:
    """The filterable fields of a canonical table, by type (text, number, duration, bool, time)."""
    table = TABLES[kind]
    result: dict[str, str] = {}
    for field in table.fields:
        if field.name.startswith("<"):
            continue
        if field.type == "number":
            result[field.name] = "duration" if field.unit == "s" else "number"
        else:
            result[field.name] = _FILTER_TYPES[field.type]
    return result


@attrs.frozen
class SourceKind:
    """A kind of data set, its canonical fields (name -> type) and settings."""

    name: str
    doc: str
    fields: dict[str, str]
    knobs: tuple[Knob, ...]


_COMMON_SOURCE_KNOBS = (
    Knob("profile", TEXT, None, "the data profile that maps a vendor export onto these fields"),
    Knob("fields", list_of(Spec("field")), "[]", "extra text fields the export carries"),
    Knob("channel", enum("voice", "chat", "email", "sms", "social"), None,
         "the channel of every record, when the export has no channel column"),
    Knob("malformed_tolerance", PERCENT, "1 %",
         "a period is not judged (status incomplete) when more than this share of its rows "
         "are malformed"),
)  # fmt: skip

SOURCE_KINDS: dict[str, SourceKind] = {
    s.name: s
    for s in (
        SourceKind(
            "contacts",
            "contact records: one row per call, chat or email",
            fields_of("contacts"),
            _COMMON_SOURCE_KNOBS,
        ),
        SourceKind(
            "intervals",
            "ACD interval reports: one row per queue and interval, pre-aggregated",
            fields_of("intervals"),
            (
                *_COMMON_SOURCE_KNOBS,
                Knob("interval", DURATION, "30 min", "the length of one report interval"),
                Knob("thresholds", list_of(DURATION), "[20 s]",
                     "the waits T for which `answered within T` counts are reported"),
                Knob("abandon_thresholds", list_of(DURATION), "[]",
                     "the waits T for which `abandoned within T` counts are reported"),
                Knob("short_abandon", OPTIONAL_THRESHOLD, "< 5 s",
                     "what the export counts as a short abandon"),
            ),
        ),
        SourceKind(
            "audits",
            "QA audits: one row per evaluated contact, answers yes / no / n/a per criterion",
            fields_of("audits"),
            (
                *_COMMON_SOURCE_KNOBS,
                Knob("criteria", list_of(Spec("field")), None,
                     "the criteria of the QA form", required=True),
                Knob("fatal", list_of(ref("criterion")), "[]",
                     "criteria whose failure fails the whole audit"),
            ),
        ),
        SourceKind(
            "surveys",
            "survey responses: one row per answered post-contact survey",
            fields_of("surveys"),
            _COMMON_SOURCE_KNOBS,
        ),
        SourceKind(
            "adherence",
            "schedule adherence: one row per agent and day",
            fields_of("adherence"),
            _COMMON_SOURCE_KNOBS,
        ),
        SourceKind(
            "forecasts",
            "the client's volume forecast: one row per queue and interval",
            fields_of("forecasts"),
            (
                *_COMMON_SOURCE_KNOBS,
                Knob("interval", DURATION, "30 min", "the length of one forecast interval"),
            ),
        ),
    )
}  # fmt: skip

# ---------------------------------------------------------------------------
# Metrics
# ---------------------------------------------------------------------------

VARIANTS: dict[str, dict[str, str]] = {
    "F1": {"abandons_within_threshold": "failure", "abandons_after_threshold": "failure",
           "short_abandon": "none"},
    "F2": {"abandons_within_threshold": "excluded", "abandons_after_threshold": "failure",
           "short_abandon": "none"},
    "F3": {"abandons_within_threshold": "success", "abandons_after_threshold": "failure",
           "short_abandon": "none"},
    "F4": {"abandons_within_threshold": "excluded", "abandons_after_threshold": "excluded",
           "short_abandon": "none"},
    "F5": {"abandons_within_threshold": "failure", "abandons_after_threshold": "failure",
           "short_abandon": "< 5 s"},
}  # fmt: skip
"""The service-level variants of DOMAIN.md 1.1 as presets of the abandon knobs."""

DEFAULT_VARIANT = "F1"

_CALENDAR = Knob("calendar", ref("calendar"), None,
                 "hours of operation; contacts outside them are excluded "
                 "(default: the contract's calendar, else all hours count)")  # fmt: skip
_WAIT_START = Knob("wait_start", enum("queue_entry", "vru_exit", "arrival"), "queue_entry",
                   "where the measured wait starts")  # fmt: skip
_WAIT_END = Knob("wait_end", enum("answer", "ringing"), "answer", "where the measured wait ends")
_SHORT = Knob(
    "short_abandon",
    OPTIONAL_THRESHOLD,
    "none",
    "abandons with a wait under this are removed from numerator and denominator",
)


@attrs.frozen
class Metric:
    """A metric kind: where it can be computed, what it yields, its knobs."""

    name: str
    doc: str
    sources: tuple[str, ...]
    result: Dimension
    knobs: tuple[Knob, ...]
    low: Decimal | None = None
    high: Decimal | None = None

    def knob(self, name: str) -> Knob | None:
        """Return the knob with this name, if the metric has it."""
        return next((k for k in self.knobs if k.name == name), None)


METRICS: dict[str, Metric] = {
    metric.name: metric
    for metric in (
        Metric(
            "service_level",
            "share of offered contacts answered within a threshold (DOMAIN 1.1)",
            ("contacts", "intervals"),
            Dimension.PERCENT,
            (
                Knob("threshold", THRESHOLD, None, "the answer threshold T; `<= 20 s` by default "
                     "counts a wait of exactly T as answered within T", required=True),
                Knob("variant", enum(*VARIANTS), DEFAULT_VARIANT,
                     "a preset of the abandon knobs: F1 abandons count as failures, F2 abandons "
                     "within T ignored, F3 abandons within T count as successes, F4 answered "
                     "calls only, F5 short abandons removed"),
                Knob("abandons_within_threshold", enum("failure", "excluded", "success"),
                     "failure", "how abandons with a wait within T count (default from variant)"),
                Knob("abandons_after_threshold", enum("failure", "excluded"), "failure",
                     "how abandons with a wait beyond T count (default from variant)"),
                _SHORT,
                Knob("denominator", enum("offered", "events"), "offered",
                     "`offered`: contacts that entered the queue in the period; `events`: "
                     "contacts that reached answer, abandon or T in the period"),
                _WAIT_START,
                _WAIT_END,
                Knob("flow_outs", enum("failure", "excluded"), "failure",
                     "contacts that left the queue unanswered to another queue"),
                Knob("callbacks", enum("failure", "excluded", "success_within_threshold"),
                     "excluded", "contacts that asked for a call-back"),
                Knob("attribution", enum("arrival", "event"), "arrival",
                     "which interval a contact belongs to"),
                Knob("rounding", Spec("count", none_allowed=True, low=Decimal(0),
                                      high=Decimal(6)), "none",
                     "decimals of the percentage before it is compared"),
                _CALENDAR,
            ),
        ),
        Metric(
            "abandonment_rate",
            "share of offered contacts abandoned in queue (DOMAIN 1.2)",
            ("contacts", "intervals"),
            Dimension.PERCENT,
            (
                _SHORT,
                Knob("short_abandons_in_denominator", BOOL, "false",
                     "keep short abandons in the denominator"),
                Knob("denominator", enum("offered", "events"), "offered", "the base"),
                _WAIT_START,
                _CALENDAR,
            ),
        ),
        Metric(
            "average_speed_of_answer",
            "mean queue wait of answered contacts, zero waits included (DOMAIN 1.3)",
            ("contacts", "intervals"),
            Dimension.DURATION,
            (
                Knob("population", enum("answered", "offered"), "answered",
                     "whose waits are averaged"),
                _WAIT_START,
                _WAIT_END,
                _CALENDAR,
            ),
        ),
        Metric(
            "average_handle_time",
            "mean handle time of answered contacts (DOMAIN 1.4)",
            ("contacts", "intervals"),
            Dimension.DURATION,
            (
                Knob("components", list_of(enum("talk", "hold", "acw")), "[talk, hold, acw]",
                     "which parts of the contact count as handle time"),
                Knob("short_call", OPTIONAL_THRESHOLD, "none",
                     "answered contacts shorter than this are left out"),
                _CALENDAR,
            ),
        ),
        Metric(
            "occupancy",
            "handle time over handle plus available time (DOMAIN 1.6)",
            ("intervals",),
            Dimension.PERCENT,
            (_CALENDAR,),
        ),
        Metric(
            "schedule_adherence",
            "adherent minutes over scheduled minutes (DOMAIN 1.6)",
            ("adherence",),
            Dimension.PERCENT,
            (Knob("grace", DURATION, "0 min",
                  "of each row's minutes out of adherence, up to this many count as adherent "
                  "(a late start or early end within the grace)"),),
        ),
        Metric(
            "response_time",
            "share of deferred contacts (email) answered within a threshold",
            ("contacts",),
            Dimension.PERCENT,
            (
                Knob("threshold", THRESHOLD, None, "the response threshold, often in "
                     "`business_hours`", required=True),
                _CALENDAR,
            ),
        ),
        Metric(
            "csat",
            "customer satisfaction from survey ratings, as top-box share or mean score "
            "(DOMAIN 1.7); the ratings are survey responses or ratings on contact records",
            ("surveys", "contacts"),
            Dimension.PERCENT,
            (
                Knob("method", enum("top_box", "mean"), "top_box",
                     "`top_box`: share of responses at or above `top_box`; `mean`: mean score"),
                Knob("scale", Spec("count", low=Decimal(2), high=Decimal(10)), "5",
                     "the highest score of the survey scale; a rating above it (or below 0) "
                     "is set aside as outside the scale"),
                Knob("top_box", Spec("count", low=Decimal(1), high=Decimal(10)), "4",
                     "the lowest score that counts as satisfied"),
            ),
        ),
        Metric(
            "nps",
            "net promoter score: % promoters (9-10) minus % detractors (0-6), -100 to 100; "
            "from survey responses or answers on contact records",
            ("surveys", "contacts"),
            Dimension.NUMBER,
            (),
            low=Decimal(-100),
            high=Decimal(100),
        ),
        Metric(
            "fcr",
            "first-contact resolution (DOMAIN 1.5)",
            ("contacts", "surveys"),
            Dimension.PERCENT,
            (
                Knob("method", enum("agent_flag", "survey", "repeat_contact"), None,
                     "how resolution is known", required=True),
                Knob("repeat_window", DURATION, "7 d",
                     "with `repeat_contact`: a contact is resolved when the same customer does "
                     "not contact again within this window"),
                Knob("customer_key", Spec("field"), "customer_id",
                     "the field that identifies a customer"),
                Knob("same_issue_only", BOOL, "false",
                     "only a repeat with the same reason counts"),
            ),
        ),
        Metric(
            "qa_criterion",
            "share of audited contacts meeting one QA criterion, n/a excluded, a failed fatal "
            "criterion failing the whole audit",
            ("audits",),
            Dimension.PERCENT,
            (
                Knob("criterion", ref("criterion"), None, "the criterion measured",
                     required=True),
                Knob("fatal_fails_audit", BOOL, "true",
                     "a failed fatal criterion of the source fails this criterion too"),
            ),
        ),
        Metric(
            "quality_index",
            "weighted quality score of two parts, customer impact and business impact, "
            "0 to 100 points",
            ("audits",),
            Dimension.POINTS,
            (
                Knob("customer_impact", list_of(ref("criterion")), None,
                     "criteria of the customer-impact part", required=True),
                Knob("business_impact", list_of(ref("criterion")), None,
                     "criteria of the business-impact part", required=True),
                Knob("customer_impact_weight", PERCENT, "50 %", "weight of customer impact"),
                Knob("business_impact_weight", PERCENT, "50 %", "weight of business impact"),
                Knob("scoring", enum("points", "all_criteria"), "points",
                     "`points`: each part of an audit scores its criteria met over its criteria "
                     "answered; `all_criteria`: a part scores 1 when none of its criteria "
                     "failed, else 0"),
            ),
            low=Decimal(0),
            high=Decimal(100),
        ),
    )
}  # fmt: skip

METRIC_ALIASES = {"asa": "average_speed_of_answer", "aht": "average_handle_time"}

# ---------------------------------------------------------------------------
# Other blocks
# ---------------------------------------------------------------------------

HEADER_KNOBS: tuple[Knob, ...] = (
    Knob("client", TEXT, None, "the client buying the service", required=True),
    Knob("vendor", TEXT, None, "the vendor providing it", required=True),
    Knob("effective", Spec("date_range"), None, "first and last day the contract applies"),
    Knob("timezone", Spec("timezone"), None, "the IANA time zone periods are cut in",
         required=True),
    Knob("currency", Spec("currency"), None, "the currency of charges and credits"),
    Knob("monthly_charges", Spec("money"), None, "the monthly invoice credits are a share of"),
    Knob("calendar", ref("calendar"), None, "the hours of operation every objective uses "
         "unless it names another"),
)  # fmt: skip

CREDIT_KNOBS: tuple[Knob, ...] = (
    Knob("at_risk", PERCENT, None, "share of monthly charges at risk", required=True),
    Knob("pool", PERCENT, "100 %", "share of the at-risk amount the service levels draw on"),
    Knob("cap", Spec("share_or_money", low=Decimal(0), high=Decimal(100)), "100 %",
         "monthly cap, as a share of the at-risk amount (or an amount of money)"),
    Knob("annual_cap", Spec("share_or_money", low=Decimal(0), high=Decimal(100)), None,
         "yearly cap on the credits due, as a share of twelve months' at-risk amount (or an "
         "amount of money); years are contract years from `effective`, else calendar years"),
    Knob("trigger", enum("below_minimum", "missed"), "below_minimum",
         "what earns a credit: falling below the minimum level, or missing the expected one"),
    Knob("earn_back", Spec("count", none_allowed=True, low=Decimal(1)), "none",
         "a credit is waived when the objective meets its expected level in each of the next "
         "N periods"),
)  # fmt: skip

RISK_KNOBS: tuple[Knob, ...] = (
    Knob(
        "watch_margin",
        Spec("count", low=Decimal(1)),
        "1",
        "the account is on watch when this many more misses would fire a rule",
    ),
    Knob(
        "without_data",
        enum("skipped", "missed", "met"),
        "skipped",
        "how a period in which no objective a rule names has data counts: left out (neither a "
        "miss nor a period met), as a miss, or as met",
    ),
)

TREND_KNOBS: tuple[Knob, ...] = (
    Knob("over", enum("days", "weeks"), "days", "the periods each objective's trend is "
         "followed over"),
    Knob("worsening", Spec("count", low=Decimal(2)), "5",
         "flag a figure that worsened in this many consecutive periods, by more than its "
         "noise"),
    Knob("slope_over", Spec("count", low=Decimal(2)), "7",
         "flag a figure whose least-squares line over this many last periods reaches the "
         "expected or minimum level before its window ends"),
)  # fmt: skip

RELIEF_KNOBS: tuple[Knob, ...] = (
    Knob("volume_above_forecast", PERCENT, None,
         "an interval whose offered volume exceeds the forecast by more than this is excused",
         required=True),
    Knob("forecast", ref("source"), None, "the source of forecast volumes", required=True),
    Knob("interval", DURATION, "30 min", "the interval the forecast is compared in"),
    Knob("applies_to", list_of(ref("objective")), None, "the objectives it excuses",
         required=True),
)  # fmt: skip

CALENDAR_KNOBS: tuple[Knob, ...] = (
    Knob("timezone", Spec("timezone"), None, "defaults to the contract's time zone"),
    Knob("out_of_hours", enum("excluded", "included"), "excluded",
         "what happens to contacts arriving outside opening hours"),
)  # fmt: skip

PERIODS = ("interval", "day", "week", "month", "quarter", "contract_year")
AGGREGATIONS = ("pooled", "mean", "weighted_mean", "share", "floor")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
EXCLUSION_KINDS = ("outage", "force_majeure", "maintenance", "stabilization")
DEFAULT_WINDOW = "month"
DEFAULT_AGGREGATE = "pooled"


def metric_named(name: str) -> Metric | None:
    """Return a metric by name or alias (``asa``, ``aht``)."""
    return METRICS.get(METRIC_ALIASES.get(name, name))


def explicit_defaults(objective: m.Objective) -> list[tuple[str, str]]:
    """Return ``(knob, default text)`` for every defaulted knob the objective leaves out.

    Knobs without a default (required ones, references) are not listed. For a
    service level, the abandon knobs take the defaults of the written variant.
    """
    if objective.metric is None:
        return []
    metric = metric_named(objective.metric.text)
    if metric is None:
        return []
    written = {setting.name.text for setting in objective.settings}
    preset: dict[str, str] = {}
    if metric.name == "service_level":
        variant = objective.setting("variant")
        name = variant.value.name if variant and isinstance(variant.value, m.Ident) else ""
        preset = VARIANTS.get(name, VARIANTS[DEFAULT_VARIANT])
    result = []
    for knob in metric.knobs:
        if knob.name in written or knob.default is None:
            continue
        result.append((knob.name, preset.get(knob.name, knob.default)))
    if objective.window is None:
        result.insert(0, ("window", DEFAULT_WINDOW))
    if objective.aggregate is None:
        result.insert(1 if objective.window is None else 0, ("aggregate", DEFAULT_AGGREGATE))
    return result
