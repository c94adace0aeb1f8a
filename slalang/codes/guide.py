"""The guide of every diagnostic code: a short example of the mistake, and how to fix it.

:mod:`slalang.codes` joins it to the catalogue; ``slalang explain`` and the diagnostics page
show both.
"""

from __future__ import annotations

GUIDE: dict[str, tuple[str, str]] = {
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
    "E609": (
        "aggregate share per 60 min ...  # over a source with `interval 1 d`",
        "Judge over a multiple of the data's interval (`per day`), or give the source its "
        "real `interval`.",
    ),
    "E701": (
        "metric schedule_adherence ... from calls  # a contacts source",
        "Read the metric from a source of the kind it needs (`adherence` for adherence).",
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
    "E824": (
        "slalang evaluate demo.sla --data calls.csv --memory-limit 4G",
        "Give a size with its unit (`4GB` or `4GiB`) or a share of the memory (`75%`).",
    ),
    "E825": (
        "slalang evaluate demo.sla --data calls.csv --temp-dir calls.csv",
        "Name a folder you can write to, on a disk with room for the data.",
    ),
    "E826": (
        "slalang evaluate demo.sla --data calls.csv --memory-limit 16MiB",
        "Give a larger `--memory-limit`, a `--temp-dir` on a disk with room, or smaller files.",
    ),
    "E830": (
        "slalang evaluate demo.sla --data calls.csv --store calls.csv",
        "Name a new file or a store an earlier `--store` run wrote; give data as files.",
    ),
    "E831": (
        "slalang evaluate other.sla --data calls.csv --store acme.store",
        "Give each contract a store of its own.",
    ),
    "E832": (
        "slalang evaluate demo.sla --store acme.store   # after editing demo.sla and a stored file",
        "Give the file's current version with `--data`, or start a new store.",
    ),
    "E833": (
        "slalang evaluate demo.sla --data day.csv --store acme.store  # while another run writes",
        "Run again when the other run is done.",
    ),
    "E901": (
        "slalang erlang --calls 100 --aht 180s --service-level 100%",
        "Ask for a level below 100 %, no wait or abandons above 0, or relax the objective.",
    ),
    "E902": (
        "slalang staff c.sla --forecast forecast.csv  # no forecast_aht column",
        "Add `forecast_aht` to the forecast, or give `--aht 300s`.",
    ),
    "E903": (
        "slalang staff c.sla --forecast f.csv  # an abandonment objective, Erlang C",
        "Give the callers' patience (`--patience 120s`) or contact records to estimate it "
        "from (`--contacts calls.csv`).",
    ),
    "E904": (
        "slalang staff c.sla --forecast f.csv  # only FCR and QA objectives",
        "Staff a contract with service-level, speed-of-answer or abandonment objectives.",
    ),
    "E905": (
        "slalang staff c.sla --forecast hourly.csv  # an objective per 30 min",
        "Forecast in the intervals the objectives are judged in (`--interval` or the "
        "forecasts source's `interval`).",
    ),
    "E906": (
        "slalang staff c.sla --forecast f.csv --contacts no-abandons.csv",
        "Give `--patience`, or contact records of the queue with abandons.",
    ),
    "W201": (
        'scope voice = calls where channel == "voice"  # never used',
        "Use the declaration in an objective, or remove it.",
    ),
    "W301": (
        "top_box 4  # beside `method mean`, which ignores it",
        "Remove the setting, or set the one it depends on (`method top_box`).",
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
    "W901": (
        'objective priority_sl { ... where call_type == "priority" }',
        "Staff such objectives by hand, or filter on queue or channel only.",
    ),
    "W902": (
        "a forecast with calls on Sundays, which the calendar closes",
        "Nothing to fix if the calls are meant to be left out; otherwise open the calendar.",
    ),
}
