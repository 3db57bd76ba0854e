# /monitoring: a linked establishment's periodic monitoring results (issue 16)
cmd-monitoring = File periodic monitoring results
mon-not-linked = /monitoring is for an establishment's account (business, transporter, treatment facility) linked with the code from the agency: type /link and the code.
mon-ask-date = Monitoring results — step 1/4: when were the samples taken? Press “Today”, “Yesterday” or type day/month/year (e.g. { $example }).
btn-mon-today = Today
btn-mon-yesterday = Yesterday
mon-date-bad = “{ $text }” is not a valid date. Type the sampling day as day/month/year, e.g. { $example }.
mon-date-future = The sampling day { $day } is in the future (today is { $today }). Nothing was recorded; type the sampling day again.
mon-date-early = The sampling day { $day } is before { $first }: results are accepted from 2022 on. Nothing was recorded; type the sampling day again.
mon-date-again = Type the sampling day (day/month/year) or press “Today” or “Yesterday”, or /cancel.
mon-ask-results =
    Step 2/4 — The laboratory's results of { $day }: send them in one message, one parameter a line: its name, value and unit. For example:
    COD 80 mg/l
    BOD5 35.5 mg/l
    pH 7.2 -
    A comma or a point for decimals; pH needs no unit. Factors may follow: Kq=0.9 Kf=1.1. At most { $lines } lines of at most { $chars } characters.
mon-results-expected = Please send the results as text, one parameter a line (e.g. “COD 80 mg/l”), or /cancel.
mon-results-again = Nothing was recorded. Please send the results again, one parameter a line (e.g. “COD 80 mg/l”), or /cancel.
mon-results-empty = The message has no result line. Send one parameter a line, e.g. “COD 80 mg/l”.
mon-results-too-long = The message is too long (at most { $max } characters). Nothing was recorded; send a shorter one.
mon-results-too-many = Too many lines: at most { $max } parameters a filing. Nothing was recorded.
mon-line-too-long = Line { $line } (“{ $text }”) is longer than { $max } characters. Nothing was recorded; send the results again, one parameter a line.
mon-line-bad = Line { $line } (“{ $text }”) is not “parameter, value, unit”, e.g. “COD 80 mg/l”. The value must be a number (no “<”). Nothing was recorded; send all the results again.
mon-line-no-unit = Line { $line } (“{ $text }”) has no unit (only pH needs none), e.g. “COD 80 mg/l”. Nothing was recorded; send all the results again.
mon-line-unknown = Line { $line }: the parameter “{ $name }” is not in the limit tables (e.g. { $examples }). Nothing was recorded; send all the results again.
mon-line-range = Line { $line } (“{ $text }”): the value is out of range (0 to { $max }). Nothing was recorded; send all the results again.
mon-line-unit = Line { $line }: { $name } is measured in { $expected }, not “{ $unit }”. Nothing was recorded; send all the results again.
mon-line-factor = Line { $line } (“{ $text }”): the Kq and Kf factors are numbers above 0 and at most { $max }. Nothing was recorded; send all the results again.
mon-line-twice = Line { $line }: { $name } is already on line { $first }. Each parameter once; nothing was recorded.
mon-ask-document = { $count } parameters read. Step 3/4 — Send the laboratory's results sheet as a file (PDF, DOCX or XLSX, at most { $mb } MB), or press “Skip”.
btn-mon-skip = Skip
mon-document-expected = Please send the results sheet as a file (PDF, DOCX or XLSX) or press “Skip” (or type “skip”), or /cancel.
mon-card =
    Step 4/4 — Check before filing:
    Sampling day: { $day }
    Results ({ $count } parameters):
    { $lines }
    Results sheet: { $document }
    Press “File the results” to send them to the agency, or “Cancel”.
mon-card-line = • { $name }: { $value } { $unit }{ $factors }
mon-card-document = a { $kind } file, { $kb } kB
mon-card-no-document = none attached
btn-mon-confirm = File the results
mon-confirm-expected = Press “File the results” to send them, or “Cancel” or /cancel.
mon-filed =
    Recorded: monitoring results sampled on { $day } (ref { $ref }).
    Evaluated against { $table } (version { $version }): { $reason }
    { $rows }
    { $verdict }
mon-row-within = ✅ { $name }: { $value }{ $unit } — within the limit ({ $limit })
mon-row-over = ❗ { $name }: { $value }{ $unit } — OVER the limit, { $factor } times ({ $limit })
mon-limit-max = limit ≤ { $high }{ $unit }
mon-limit-range = limit { $low } to { $high }{ $unit }
mon-limit-permit = — the permit's own limit, stricter than the regulation
mon-limit-permit-unit = — the permit gives its limit in another unit, so the regulation applies
mon-verdict-within = In short: all { $total } parameters within their limits.
mon-verdict-over = In short: { $count }/{ $total } parameters OVER their limits. The agency has these results; the establishment should review its wastewater treatment.
mon-reason-before_successor = sampled before { $successor } came into force ({ $new_from }), so the old regulation applies.
mon-reason-transition = the establishment operated or had its EIA approved before { $existing_before }, so the old regulation stays in force for it until { $until }.
mon-reason-transition_assumed = the establishment's permit records no operating or EIA approval date: it is assumed to operate since before { $existing_before }, so the old regulation applies until { $until } (please have the agency record the permit's discharge terms).
mon-reason-new_facility = the establishment started on or after { $existing_before }, so { $successor } applies.
mon-reason-transition_ended = the transition ended ({ $until }), so { $successor } applies to every establishment.
mon-reason-unknown = under the rules of the limit table in force.
mon-not-evaluable =
    Not evaluable, so the results of { $day } were NOT recorded: the limit table that applies to the establishment on the sampling day has no limit values in the system (tables without values: { $lacking }), and no other table is used in its place.
    Please hand these results to the agency the usual way, or file them again once the agency has loaded the table.
mon-cancelled = Cancelled. Nothing was filed.
mon-line-ambiguous = Line { $line } (“{ $text }”): “{ $value }” can be read two ways. Type { $whole } if you mean that whole number, or { $decimal } if you mean a decimal. Nothing was recorded; send all the results again.
