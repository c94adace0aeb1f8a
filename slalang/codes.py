"""The catalogue of diagnostic codes: one entry per code, in stable bands.

Bands: ``E0xx`` reading and syntax, ``E1xx`` structure, ``E2xx`` names,
``E3xx`` units and types, ``E4xx`` levels, ``E5xx`` credits and account at
risk, ``E6xx`` windows and calendars, ``E7xx`` data fields, ``E8xx`` data
profiles and data; warnings use the same bands with a ``W``.
``docs/diagnostics.md`` is generated from this table and the invalid-contract
cases (``python -m slalang.docgen``).
"""

from __future__ import annotations

import attrs

from slalang.diagnostics import Diagnostic, Label, Severity
from slalang.source import Span


@attrs.frozen
class Code:
    """A documented diagnostic code.

    Attributes:
        code: the code, such as ``E201``.
        severity: error or warning.
        title: a few words.
        explanation: what the diagnostic means, in a few sentences.
        example: a short piece of a contract, profile or command that gets the code.
        fix: one sentence saying how to fix it.
    """

    code: str
    severity: Severity
    title: str
    explanation: str
    example: str = ""
    fix: str = ""


_E = Severity.ERROR
_W = Severity.WARNING

_ENTRIES: dict[str, Code] = {
    c.code: c
    for c in (
        # --- reading and syntax -------------------------------------------------
        Code(
            "E001",
            _E,
            "syntax error",
            "The parser met a token it did not expect here. "
            "The message lists what the grammar allows at that point.",
        ),
        Code(
            "E002",
            _E,
            "unexpected character",
            "A character that is not part of the language, outside a string or comment.",
        ),
        Code(
            "E003",
            _E,
            "unterminated string",
            'A string opened with `"` is not closed on the same line.',
        ),
        Code(
            "E004",
            _E,
            "invalid UTF-8",
            "Contract files must be UTF-8 text; the byte offset of the "
            "first invalid sequence is reported.",
        ),
        Code(
            "E005",
            _E,
            "control character",
            "A NUL byte or another control character other than tab, "
            "carriage return and line feed.",
        ),
        Code(
            "E006",
            _E,
            "file too large",
            "Contract files are limited to 1 MiB; larger files are not parsed.",
        ),
        Code(
            "E007",
            _E,
            "nesting too deep",
            "Brackets, parentheses and braces may nest at most 64 levels, counting each `not` "
            "of a chain such as `not not x` as one level too.",
        ),
        Code("E008", _E, "unclosed block", "The file ends before a `{` is closed by its `}`."),
        Code("E009", _E, "cannot read file", "The file does not exist or cannot be read."),
        # --- structure ----------------------------------------------------------
        Code(
            "E101",
            _E,
            "statement repeated",
            "A statement that may appear once in a block "
            "(for example `metric` or `window`) appears twice; the first one is used.",
        ),
        Code(
            "E102",
            _E,
            "duplicate id",
            "Two declarations of the same kind family share an id. "
            "Sources, scopes, calendars, objectives, reliefs and templates each need a unique id.",
        ),
        Code(
            "E103",
            _E,
            "missing statement",
            "A required statement is missing, for example an objective without `metric` or "
            "without an `expected` level, or a file without a `contract` header.",
        ),
        Code(
            "E104",
            _E,
            "block repeated",
            "A contract has at most one `contract` header, one `credits` "
            "block and one `account_at_risk` block.",
        ),
        Code(
            "E105",
            _E,
            "invalid literal",
            "A date, time or number that cannot exist, such as `2026-02-30` or `25:00`.",
        ),
        Code("E106", _E, "setting repeated", "The same setting is written twice in one block."),
        # --- names --------------------------------------------------------------
        Code(
            "E201",
            _E,
            "unknown reference",
            "A name that should refer to a declared source, scope, "
            "calendar, objective, relief or template does not.",
        ),
        Code("E202", _E, "unknown setting", "The setting is not one this block accepts."),
        Code("E203", _E, "unknown metric", "The metric kind is not one slalang knows."),
        Code(
            "E204",
            _E,
            "unknown source kind",
            "Sources are `contacts`, `intervals`, `audits`, `surveys`, `adherence` or `forecasts`.",
        ),
        Code(
            "E205",
            _E,
            "unknown choice",
            "The value is not one of the choices this setting accepts.",
        ),
        Code(
            "E206",
            _E,
            "unknown field",
            "A filter names a field that records of this source do not have.",
        ),
        Code("E207", _E, "unknown weekday", "Weekdays are `monday` to `sunday`."),
        Code(
            "E208",
            _E,
            "wrong number of arguments",
            "An `apply` passes a different number of arguments "
            "than the template declares parameters.",
        ),
        Code(
            "E209",
            _E,
            "unknown period or method",
            "Periods are `interval`, `day`, `week`, `month`, "
            "`quarter`, `contract_year` or a length such as `30 min`; aggregation methods are "
            "`pooled`, `mean`, `weighted_mean`, `share` and `floor`.",
        ),
        Code(
            "E210", _E, "unknown time zone", "Time zones are IANA names such as `America/Chicago`."
        ),
        Code("E211", _E, "unknown unit", "The unit after a number is not one slalang knows."),
        Code("E212", _E, "scope cycle", "Scopes that build on each other form a cycle."),
        Code(
            "E213",
            _E,
            "unknown currency",
            "Currencies are ISO 4217 codes of three capital letters.",
        ),
        Code(
            "E214",
            _E,
            "unknown holiday set",
            '`holidays` names a country (ISO code such as `US`), a subdivision of it (`"TX"`) '
            "or a financial market (`NYSE`) that the holiday calendars do not know.",
        ),
        # --- units and types ------------------------------------------------------
        Code(
            "E301",
            _E,
            "unit mismatch",
            "The quantity has a unit of another dimension than the one "
            "expected here (a duration where a percentage is needed, for example).",
        ),
        Code(
            "E302",
            _E,
            "wrong kind of value",
            "The value has another shape than the setting needs "
            "(a list where a number is needed, for example).",
        ),
        Code(
            "E303",
            _E,
            "currency mismatch",
            "Money is written in a currency other than the contract's.",
        ),
        Code(
            "E304",
            _E,
            "out of range",
            "A percentage above 100 % or below 0 %, or a number outside "
            "the range its setting allows.",
        ),
        Code(
            "E305",
            _E,
            "operator not allowed",
            "The comparison operator makes no sense here "
            "(for example `==` in a level, or `>` in a threshold).",
        ),
        Code(
            "E306",
            _E,
            "filter type mismatch",
            "A filter compares a field with a value of another type.",
        ),
        Code(
            "E307",
            _E,
            "setting contradicts variant",
            "A service-level knob written next to a "
            "`variant` says the opposite of what the variant sets.",
        ),
        Code(
            "E308",
            _E,
            "weights do not add up",
            "The two parts of a quality index must weigh 100 % together.",
        ),
        # --- levels -----------------------------------------------------------------
        Code(
            "E401",
            _E,
            "minimum stricter than expected",
            "The minimum level is harder to reach than "
            "the expected level; the minimum must be the looser of the two.",
        ),
        Code("E402", _E, "empty band", "The low end of a `between` band is above its high end."),
        Code(
            "E403",
            _E,
            "levels disagree in direction",
            "The expected and minimum levels point in "
            "different directions (one `>=`, the other `<=`).",
        ),
        Code(
            "E404",
            _E,
            "direction against the metric",
            "A level asks for the metric to go the wrong way, such as abandonment `>= 5 %`.",
        ),
        # --- credits and account at risk ------------------------------------------
        Code(
            "E501",
            _E,
            "allocations exceed the pool",
            "The allocation percentages of critical "
            "service levels add up to more than 100 % of the pool.",
        ),
        Code(
            "E502",
            _E,
            "allocation missing or misplaced",
            "A critical service level needs an "
            "allocation when the contract has credits; a key measurement carries none.",
        ),
        Code(
            "E503",
            _E,
            "impossible risk rule",
            "A risk rule that can never fire or is malformed, such as `5 of last 3 months`.",
        ),
        Code(
            "E504",
            _E,
            "rule needs a minimum",
            "A `below minimum` rule names an objective that has no minimum level.",
        ),
        # --- windows and calendars --------------------------------------------------
        Code("E601", _E, "bad interval length", "Intervals are 15, 30 or 60 minutes long."),
        Code(
            "E602",
            _E,
            "period not finer than window",
            "The `per` period of an aggregation must be "
            "shorter than the objective's window and divide it.",
        ),
        Code("E603", _E, "empty opening hours", "Opening hours must end after they start."),
        Code(
            "E604",
            _E,
            "range ends before it starts",
            "A date range or exclusion ends before it starts.",
        ),
        Code(
            "E605",
            _E,
            "aggregation incomplete",
            "`share` needs `per` and `meeting`; `mean`, "
            "`weighted_mean` and `floor` need `per`; `pooled` takes neither.",
        ),
        Code(
            "E606",
            _E,
            "day listed twice",
            "A weekday is given opening hours twice, or is both open and closed.",
        ),
        Code(
            "E607",
            _E,
            "minimum volume period mismatch",
            "A `min_volume ... per` period must be the "
            "window or the aggregation period of the objective.",
        ),
        Code(
            "E608",
            _E,
            "holiday set without contract dates",
            "A calendar with `holidays` needs the contract's `effective` dates: they fix the "
            "years whose holidays count.",
        ),
        # --- data fields --------------------------------------------------------------
        Code(
            "E701",
            _E,
            "metric not computable from source",
            "The metric cannot be computed from this "
            "kind of source (CSAT from interval reports, for example).",
        ),
        Code(
            "E702",
            _E,
            "field the source cannot have",
            "The objective needs a data field that its "
            "source cannot provide, such as a 30 s service level from interval reports that only "
            "count calls answered within 20 s.",
        ),
        # --- data profiles and data ---------------------------------------------------
        Code(
            "E801",
            _E,
            "profile not found",
            "The data profile named by a source is neither a bundled profile nor a readable "
            "file. Bare names refer to profiles shipped with slalang (see `docs/data.md`); a "
            "name with a `/` or ending in `.yaml` is a path relative to the contract's folder. "
            "`slalang check` reports it at the contract's `profile` line.",
        ),
        Code(
            "E802",
            _E,
            "profile is not valid YAML",
            "A profile must be one YAML document; the parser stopped at the position shown.",
        ),
        Code(
            "E803",
            _E,
            "unexpected profile entry",
            "A profile setting that does not exist, a repeated key, or a value of the wrong "
            "shape (a list where a mapping is needed, a number where text is needed).",
        ),
        Code(
            "E804",
            _E,
            "missing profile entry",
            "Every profile needs `name`, `kind`, `format` and `fields`; every `exclude` and "
            "`validate` rule needs `when` and `reason`.",
        ),
        Code(
            "E805",
            _E,
            "bad profile value",
            "A profile setting has a value it cannot take: an unknown table kind, file format "
            "or encoding, a delimiter longer than one character, a literal that does not fit "
            "its field's type, or a `type` that contradicts the canonical one.",
        ),
        Code(
            "E806",
            _E,
            "unknown canonical field",
            "A profile maps a field the canonical table does not have. Extra fields need a "
            "`type` (and QA criteria and interval buckets such as `answered_within_20` are "
            "always allowed in their tables).",
        ),
        Code(
            "E807",
            _E,
            "field without a single source",
            "Each mapped field takes its value from exactly one of `column`, `value` or `expr`.",
        ),
        Code(
            "E808",
            _E,
            "bad expression",
            "An expression in a profile does not parse, uses a function wrongly, mixes types "
            "that have no common type, or reads a text constant as a number, date or timestamp "
            "that it can never be (`Date + ' ' + Time`); the position points inside the "
            "expression, and the message names the field and the expression.",
        ),
        Code(
            "E809",
            _E,
            "unknown profile time zone",
            "The `timezone` of a profile must be an IANA name such as `Asia/Jerusalem`.",
        ),
        Code(
            "E810",
            _E,
            "required field not mapped",
            "Every required field of the canonical table (for contacts: `contact_id`, "
            "`queued_at`, `outcome`, `wait`) must be mapped by the profile.",
        ),
        Code(
            "E811",
            _E,
            "column missing from the data",
            "The profile reads a column that the data file does not have (by its header, or "
            "its schema for Parquet, JSON lines and YAML). Nothing is loaded.",
        ),
        Code(
            "E812",
            _E,
            "data file unreadable",
            "The data file does not exist, is not a file, or its reader failed as a whole "
            "(a corrupt Parquet file, for example). Single bad rows are reported as data "
            "problems instead, with their line numbers.",
        ),
        Code(
            "E820",
            _E,
            "data not bound to sources",
            "`slalang evaluate` needs data for every source the objectives read: one `--data "
            "PATH` for a contract with a single source, otherwise `--data SOURCE=PATH` for each.",
        ),
        Code(
            "E821",
            _E,
            "profile of another kind",
            "The source's data profile feeds another canonical table than the source's kind "
            "(an interval profile for a `contacts` source, for example). `slalang check` "
            "reports it at the `profile` line, and an evaluation refuses it.",
        ),
        Code(
            "E822",
            _E,
            "malformed rows with --strict",
            "With `--strict`, any malformed data row fails the evaluation; without it, such rows "
            "are reported with their line and reason and set aside.",
        ),
        Code(
            "E823",
            _E,
            "data lacks a field an objective needs",
            "An objective reads a field (a filter field, `resolved` for agent-flag FCR, a QA "
            "criterion, a bucketed interval count...) that its source's data does not provide: "
            "the column is absent, or empty in every row.",
        ),
        # --- warnings ------------------------------------------------------------------
        Code(
            "W201",
            _W,
            "declared but never used",
            "A source, scope, calendar or relief that no objective uses.",
        ),
        Code(
            "W501",
            _W,
            "critical without credits",
            "The contract has monthly charges and critical "
            "service levels, which carry credits, but no `credits` block.",
        ),
        Code(
            "W601",
            _W,
            "date outside the contract",
            "A holiday or exclusion lies outside the contract's effective dates.",
        ),
        Code(
            "W602",
            _W,
            "not a holiday",
            "`not holiday` names a date that none of the calendar's holiday sets holds, so it "
            "changes nothing.",
        ),
    )
}

_GUIDE: dict[str, tuple[str, str]] = {
    # code: (a short example of the mistake, how to fix it)
    "E001": (
        "expected >=",
        "Finish or correct the statement as the message says (here: `expected >= 80 %`).",
    ),
    "E002": ("threshold <= 20 s;", "Remove the character; statements end at the end of the line."),
    "E003": ('client "Acme Telecom', 'Close the string with `"` on the same line.'),
    "E004": ('client "Acme Télécom"  # saved as Latin-1', "Save the file as UTF-8."),
    "E005": (
        'vendor "BlueDesk<NUL>BPO"',
        "Delete the control character; only tab, CR and LF may appear.",
    ),
    "E006": (
        "a contract file of more than 1 MiB",
        "Split the contract, or remove what it does not need.",
    ),
    "E007": (
        'where ((((...(channel == "voice")...))))',
        "Flatten the expression: fewer brackets or `not`s.",
    ),
    "E008": (
        'objective speed "Speed of answer" {  # no closing brace',
        "Add `}` on a line of its own at the end of the block.",
    ),
    "E009": (
        "slalang check no-such-folder/missing.sla",
        "Check the path, and that the file can be read.",
    ),
    "E101": (
        "metric service_level ... metric abandonment_rate",
        "Keep one of the statements; the first one is used.",
    ),
    "E102": (
        "source calls: contacts ... source calls: contacts",
        "Give each declaration its own id.",
    ),
    "E103": (
        'contract demo "Demo contract" {  # no vendor',
        "Add the missing statement the message names.",
    ),
    "E104": ("account_at_risk { ... } account_at_risk { ... }", "Merge the blocks into one."),
    "E105": (
        "effective 2026-02-30 to 2026-12-31",
        "Write a date or time that exists (YYYY-MM-DD, HH:MM).",
    ),
    "E106": ('client "Acme" ... client "Acme"', "Keep one of the settings."),
    "E201": (
        "from call",
        "Use the id of a declared source, scope, calendar, objective or template.",
    ),
    "E202": ("treshold <= 20 s", "Use a setting this block accepts; docs/language.md lists them."),
    "E203": ("metric service_levle", "Use a metric slalang knows, such as `service_level`."),
    "E204": ("source calls: contact", "Use one of the source kinds, such as `contacts`."),
    "E205": ("variant F9", "Use one of the choices the message lists."),
    "E206": (
        'scope voice = calls where chanel == "voice"',
        "Use a field of the source's records, or declare it in the source's `fields`.",
    ),
    "E207": (
        "open monday to fryday 08:00-20:00",
        "Spell the weekday in full, `monday` to `sunday`.",
    ),
    "E208": (
        'apply queue_objectives("billing", "sales") as billing',
        "Pass one argument per parameter of the template.",
    ),
    "E209": (
        "window montly",
        "Use a period such as `day` or `month`, or an aggregation method slalang knows.",
    ),
    "E210": (
        'timezone "America/Chicagoo"',
        "Use an IANA time zone name such as `America/Chicago`.",
    ),
    "E211": ("threshold <= 20 secs", "Use a unit slalang knows, such as `s`, `min` or `%`."),
    "E212": (
        "scope voice = callbacks where ...; scope callbacks = voice where ...",
        "Base one of the scopes on a source.",
    ),
    "E213": ("currency EURO", "Use an ISO 4217 code such as `EUR` or `USD`."),
    "E214": ("holidays USX", "Use a holiday set the calendars know, such as `US` or `NYSE`."),
    "E301": (
        "expected >= 80 s  # a service level",
        "Write the level in the unit the metric is measured in (`80 %`).",
    ),
    "E302": ("client Acme", 'Write the value in the form the setting needs (`client "Acme"`).'),
    "E303": (
        "monthly_charges 250_000 EUR  # currency USD",
        "Write amounts in the contract's currency.",
    ),
    "E304": ("expected >= 120%", "Write a value inside the allowed range."),
    "E305": (
        "threshold == 20 s",
        "Use an operator the setting allows (`<=` or `<` for a threshold).",
    ),
    "E306": (
        'scope urgent = calls where priority == "high"',
        "Compare the field with a value of its type (`priority >= 2`).",
    ),
    "E307": (
        "variant F1 ... abandons_within_threshold excluded",
        "Drop the variant or the setting that contradicts it.",
    ),
    "E308": (
        "customer_impact_weight 60% ... business_impact_weight 50%",
        "Make the two weights add up to 100 %.",
    ),
    "E401": (
        "expected >= 80% ... minimum >= 85%",
        "Make the minimum easier to reach than the expected level.",
    ),
    "E402": (
        "expected between 420 s and 240 s",
        "Write the low end first: `between 240 s and 420 s`.",
    ),
    "E403": (
        "expected <= 240 s ... minimum >= 200 s",
        "Write both levels with the same direction of operator.",
    ),
    "E404": (
        "metric abandonment_rate ... expected >= 5%",
        "Turn the operator round (`<= 5 %`): lower is better for this metric.",
    ),
    "E501": (
        "critical allocation 60% ... critical allocation 50%",
        "Lower the allocations so that they add up to 100 % at most.",
    ),
    "E502": (
        "critical  # with a credits block, no allocation",
        "Write `critical allocation <percent>`, or make the objective `key`.",
    ),
    "E503": (
        "rule speed missed in 5 of last 3 months",
        "Make the first number at most the second.",
    ),
    "E504": (
        "rule speed below minimum in 2 consecutive months",
        "Give the objective a `minimum` level, or write the rule with `missed`.",
    ),
    "E601": ("aggregate share per 20 min meeting >= 80%", "Use intervals of 15, 30 or 60 minutes."),
    "E602": (
        "window month ... aggregate floor per month",
        "Aggregate per a period finer than the window (interval or day in a month).",
    ),
    "E603": (
        "open monday to friday 20:00-08:00",
        "Write the earlier time first; use 24:00 for midnight.",
    ),
    "E604": ("effective 2026-12-31 to 2026-01-01", "Write the earlier date first."),
    "E605": (
        "aggregate share per 30 min",
        "Add what the method needs: `aggregate share per 30 min meeting >= 80 %`.",
    ),
    "E606": ("closed friday, saturday, sunday  # friday also open", "Describe each weekday once."),
    "E607": (
        "window month ... min_volume 10 calls per day",
        "Write `min_volume N` for the window, or `per` the aggregation period.",
    ),
    "E608": (
        "holidays US  # no effective dates in the header",
        "Add `effective FIRST to LAST` to the contract header.",
    ),
    "E701": (
        "metric csat ... from calls  # a contacts source",
        "Read the metric from a source of the kind it needs (`surveys` for CSAT).",
    ),
    "E702": (
        "threshold <= 30 s  # intervals that count within 20 s",
        "Use a threshold the source counts, or measure from contact records.",
    ),
    "E801": (
        'profile "anonymous-bnak"',
        "Name a bundled profile (docs/data.md lists them) or give the path of a profile file.",
    ),
    "E802": ("contact_id: {column: id", "Correct the YAML at the position shown."),
    "E803": ('delimeter: ";"', "Use a setting a profile accepts, with a value of the right shape."),
    "E804": ("name: demo  # no format", "Add the missing entry the message names."),
    "E805": ("kind: calls", "Use one of the values the message lists."),
    "E806": (
        "queue_name: {column: queue}",
        "Map a canonical field, or give an extra field a `type`.",
    ),
    "E807": (
        'wait: {column: wait, expr: "number(wait_ms) / 1000"}',
        "Keep exactly one of `column`, `value` and `expr`.",
    ),
    "E808": (
        "queued_at: {expr: \"timestamp(Date + ' ' + Time, '%d/%m/%Y %H:%M')\"}",
        "Correct the expression at the position shown (here: `concat(Date, ' ', Time)`).",
    ),
    "E809": ("timezone: Asia/Jerusalam", "Use an IANA time zone name such as `Asia/Jerusalem`."),
    "E810": (
        "fields: {contact_id: ..., queued_at: ..., outcome: ...}  # no wait",
        "Map the required field with a `column`, `value` or `expr`.",
    ),
    "E811": (
        "wait: {column: wait}  # the file has wait_time",
        "Read a column the file has, or mark the field `optional: true`.",
    ),
    "E812": (
        "slalang evaluate demo.sla --data no-such-export.csv",
        "Check the data file's path, and that it is a readable file.",
    ),
    "E820": (
        "slalang evaluate demo.sla --data cals=calls.csv",
        "Give `--data SOURCE=PATH` for each source the objectives read.",
    ),
    "E821": (
        'source calls: contacts { profile "interval-csv" }',
        "Name a profile of the source's kind, or change the source's kind.",
    ),
    "E822": (
        "slalang evaluate demo.sla --data calls.csv --strict",
        "Fix the rows listed, or evaluate without `--strict`.",
    ),
    "E823": (
        "metric fcr ... method agent_flag  # no resolved column",
        "Map the field in the source's profile, or change the objective.",
    ),
    "W201": (
        'scope voice = calls where channel == "voice"  # never used',
        "Use the declaration in an objective, or remove it.",
    ),
    "W501": (
        "critical  # monthly charges, no credits block",
        "Add a `credits` block, or make the objective `key`.",
    ),
    "W601": (
        'holiday 2027-01-01 "New Year\'s Day"  # the contract ends in 2026',
        "Move the date inside the contract's term, or remove it.",
    ),
    "W602": (
        'not holiday 2026-07-04 "Independence Day"',
        "Remove the line, or name a date that is one of the calendar's holidays.",
    ),
}

CATALOGUE: dict[str, Code] = {
    code: attrs.evolve(entry, example=_GUIDE[code][0], fix=_GUIDE[code][1])
    for code, entry in _ENTRIES.items()
}
"""Every diagnostic code, in band order, with its explanation, an example and the fix."""


def diag(
    code: str,
    message: str,
    span: Span | None,
    *,
    label: str = "",
    help: str = "",
    path: tuple[str, ...] = (),
    related: tuple[Label, ...] = (),
) -> Diagnostic:
    """Build a diagnostic whose severity comes from the catalogue."""
    return Diagnostic(
        code=code,
        severity=CATALOGUE[code].severity,
        message=message,
        span=span,
        label=label,
        help=help,
        path=path,
        related=related,
    )
