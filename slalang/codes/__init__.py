"""The catalogue of diagnostic codes: one entry per code, in stable bands.

Bands: ``E0xx`` reading and syntax, ``E1xx`` structure, ``E2xx`` names,
``E3xx`` units and types, ``E4xx`` levels, ``E5xx`` credits and account at
risk, ``E6xx`` windows and calendars, ``E7xx`` data fields, ``E8xx`` data
profiles and data, ``E9xx`` staffing (``slalang erlang`` and ``slalang staff``);
warnings use the same bands with a ``W``.
``docs/diagnostics.md`` is generated from this table and the invalid-contract
cases (``python -m slalang.docgen``).
"""

from __future__ import annotations

import attrs

from slalang.codes.guide import GUIDE
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
        Code(
            "E601",
            _E,
            "bad interval length",
            "An interval is a whole number of minutes that divides the day (5, 15, 30, 60 min, "
            "..., 1 d).",
        ),
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
        Code(
            "E609",
            _E,
            "period finer than the data",
            "An objective over an interval report is judged over periods that are not a "
            "multiple of the report's interval (hours of a daily summary), or a relief "
            "compares intervals shorter than its forecast's.",
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
            "count calls answered within 20 s, or a setting only single contact records can "
            "honour, such as `population offered` or `attribution event` from interval reports.",
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
            "always allowed in their tables). Each field belongs to the tables listed in "
            "`docs/data.md`, and the help names the other tables that have it: survey ratings "
            "can be on contact records (fields `csat` and `nps`) or in a surveys source, QA "
            "answers only in an audits source.",
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
            "(a corrupt Parquet file, for example); or a pattern (`exports/2026-*.csv`) matches "
            "no file. A folder is not read as a whole: the help gives the pattern of its "
            "files. Single bad rows are reported as data problems instead, with their line "
            "numbers.",
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
            "the column is absent, or empty in every row. A rating for `csat` or `nps` can be "
            "on contact records or in a surveys source, as field `csat` or `nps` in either.",
        ),
        Code(
            "E824",
            _E,
            "bad memory limit",
            "`--memory-limit` (`memory_limit=` in the API) is DuckDB's memory limit for the "
            "evaluation: a number with a unit (`B`, `KB`, `MB`, `GB`, `TB` are powers of 1000; "
            "`KiB`, `MiB`, `GiB`, `TiB` powers of 1024), a share of the memory from `1%` to "
            "`100%`, or in the API a number of bytes. It must be at least 16 MiB. A unit "
            "without its `B` (`4G`) is refused: it does not say which of the two it means.",
        ),
        Code(
            "E825",
            _E,
            "temporary folder unusable",
            "`--temp-dir` (`temp_dir=` in the API) is the folder DuckDB writes the data that "
            "does not fit in memory to. It is created if it does not exist; it must not be a "
            "file, and slalang must be able to create it and write to it. The check is made "
            "before any data is read.",
        ),
        Code(
            "E826",
            _E,
            "out of memory",
            "DuckDB could not fit a step of the evaluation in its memory limit, even writing "
            "what it could to the temporary folder. The message names the step (loading a "
            "source, and the file, or evaluating) and the limit. A delimited file (CSV, TSV) "
            "is streamed by DuckDB's reader, but one that reader cannot read as it is (quoted "
            "line breaks, mixed line endings, stray quotes; see docs/data.md) is read whole "
            "into memory before it is split into lines, so the limit must then be larger than "
            "the file, by up to as much again; several smaller files (a pattern such as "
            "`exports/*.csv`) need less.",
        ),
        # --- history store --------------------------------------------------------------
        Code(
            "E830",
            _E,
            "not a history store",
            "`--store PATH` names the DuckDB file that keeps a contract's evaluated history. "
            "The file must be one an earlier `--store` run wrote, in the store format this "
            "slalang reads (docs/history.md), or not exist yet (it is then created). The "
            "store keeps figures of files, so the data must be files, not tables in memory.",
        ),
        Code(
            "E831",
            _E,
            "store of another contract",
            "A history store holds the history of one contract, named by its id. A store "
            "written for another contract is refused rather than mixed with this one's.",
        ),
        Code(
            "E832",
            _E,
            "stored file cannot be counted again",
            "When the contract, one of its data profiles or slalang changes, every file the "
            "store holds is counted again from its path, so that no verdict mixes figures "
            "of two versions. A stored file that no longer exists, or whose bytes are not "
            "the ones the store counted, cannot be: the run stops.",
        ),
        Code(
            "E833",
            _E,
            "store busy",
            "Another run is writing the same history store. A run waits for it (up to a "
            "minute) and then stops with this error rather than write at the same time.",
        ),
        # --- staffing -------------------------------------------------------------------
        Code(
            "E901",
            _E,
            "targets cannot be met",
            "No number of agents meets the targets or the objective: a service level of "
            "100 %, no wait at all, no abandons at all, or a pooled or share objective that "
            "even the largest staffing tried cannot reach. A queueing model only approaches "
            "such levels; it never reaches them.",
        ),
        Code(
            "E902",
            _E,
            "no handle time",
            "A forecast interval has calls but no average handle time: the forecast has no "
            "`forecast_aht` for it and no `--aht` was given. Agents cannot be worked out "
            "without the work each call brings.",
        ),
        Code(
            "E903",
            _E,
            "the model cannot predict the objective",
            "An abandonment objective needs a model in which callers abandon. Erlang C has no "
            "abandons, so it would predict no abandonment at all and every such objective "
            "met: a silent wrong answer. Erlang A needs the callers' patience, given or "
            "estimated from contact records.",
        ),
        Code(
            "E904",
            _E,
            "nothing to staff",
            "No objective of the contract can be staffed from the forecast: none is a "
            "service level, an average speed of answer or an abandonment rate whose filters "
            "the forecast's queue and channel can decide, or the forecast holds no interval "
            "those objectives judge.",
        ),
        Code(
            "E905",
            _E,
            "forecast intervals do not fit",
            "The forecast's intervals do not fit what the contract judges: an objective is "
            "judged per interval of another length than the forecast's, or a forecast "
            "interval does not start on a multiple of its length, or a queue's interval "
            "appears twice.",
        ),
        Code(
            "E906",
            _E,
            "patience cannot be estimated",
            "The patience of a queue's callers is estimated from contact records as the total "
            "time waited (by answered and abandoned callers) over the number of abandons. "
            "A queue whose records have no abandon, or no waiting time, gives no estimate.",
        ),
        # --- warnings ------------------------------------------------------------------
        Code(
            "W201",
            _W,
            "declared but never used",
            "A source, scope, calendar or relief that no objective uses.",
        ),
        Code(
            "W301",
            _W,
            "setting without effect",
            "A setting that only matters together with another one: `top_box` with `method "
            "mean`, `repeat_window`, `customer_key` or `same_issue_only` without `method "
            "repeat_contact`, `short_abandons_in_denominator true` without a `short_abandon`. "
            "Both evaluators ignore it, so it is probably a mistake. A setting written with its "
            "default value (as `slalang fmt --explicit` writes them) is not reported.",
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
        Code(
            "W901",
            _W,
            "objective not staffed",
            "A service-level, speed-of-answer or abandonment objective the plan leaves out: "
            "its filters name fields a forecast does not have (a forecast knows only queue "
            "and channel), its period cannot be cut from the forecast, or it reads no data "
            "the forecast covers. The plan does not make sure it is met.",
        ),
        Code(
            "W902",
            _W,
            "forecast calls out of hours",
            "The forecast has calls in intervals the contract's calendar closes. No agents are "
            "planned for them: the objectives leave out-of-hours contacts out.",
        ),
    )
}

CATALOGUE: dict[str, Code] = {
    code: attrs.evolve(entry, example=GUIDE[code][0], fix=GUIDE[code][1])
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
