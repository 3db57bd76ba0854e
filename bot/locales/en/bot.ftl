## Làng Xanh bot — English (on request; Vietnamese fills any gap)

start-welcome =
    Hello! This is Làng Xanh, the Hanoi Department of Agriculture and Environment's channel on the environment of craft villages, industrial zones and clusters.
    • /report — report pollution (wastewater, smoke, dust, noise, burning, dumping…)
    • /mine — your reports, and adding information to them
    • /status name — the status of a craft village, industrial zone or cluster
    Choose a language:
start-privacy =
    Privacy promise: a report never reveals who sent it to the business or the public. The system keeps only a pseudonym; photos are stripped of their location data (EXIF); published locations are rounded to about 1 km.
lang-choose = Chọn ngôn ngữ / Choose a language:
lang-set = English selected.
help =
    Commands:
    /report — report pollution
    /mine — my reports
    /status name — status of a craft village, industrial zone or cluster (accents optional)
    /link CODE — link your account to an establishment or agency (code issued by the Department)
    /manifest — hazardous-waste manifests (businesses, transporters, facilities)
    /annualreport — annual environmental protection report (establishments' linked accounts)
    /monitoring — file periodic monitoring results (establishments' linked accounts)
    /subscribe, /subscriptions — event notifications (inspectors, agencies)
    /tasks — reports assigned to me (inspectors linked with a code from the staff workspace)
    /lang — change language
    /cancel — cancel what you are doing
cancel-nothing = Nothing is in progress. Type /help for the commands.
cancelled = Cancelled. Nothing was sent.
unknown-command = The bot does not know that command. Type /help for the commands.
free-text = To report pollution, type /report. To look up a place, type /status and its name, e.g. /status bat trang. Type /help for more.
unsupported-message = The bot cannot handle this kind of message here. Type /help for the commands.
stale-button = That button is no longer active. Type /help to start again.
pick-button = Please choose one of the buttons above, or /cancel.
text-expected = Please send text, or /cancel.
conversation-timeout = This timed out and was cancelled; nothing was sent.
busy = You are in the middle of { $flow }. Finish it or type /cancel first.
flood = You are sending too many messages. Please wait a minute and try again.
private-only = To keep personal data private, { $command } works only in a private chat with the bot. Open one: https://t.me/{ $bot }

## errors
err-unavailable = The system is busy or down. Please try again in a few minutes; what you entered is kept.
err-internal = Sorry, something went wrong. It has been logged; please try again.

## photos
photo-expected = Please send a photo (JPEG, PNG or WebP), or /cancel.
photo-too-big = The photo is too large (at most { $mb } MB). Please send a smaller one.
photo-unreadable = This photo cannot be read. Please send another JPEG or PNG.
photo-too-many-pixels = The photo's resolution is too high. Please send an ordinary photo or a smaller copy.
photo-quota = You have sent too many photos today. Please try again tomorrow, or go on without a photo.
text-control-character = The message holds an invalid control character. Please type it again as plain text.

## categories
cat-wastewater = Wastewater
cat-smoke_odour = Smoke, odour
cat-dust = Dust
cat-noise = Noise
cat-open_burning = Open burning
cat-illegal_dumping = Illegal dumping
cat-hazardous_waste = Hazardous waste
cat-other = Other

## incident states
state-reported = received
state-triaged = triaged
state-rejected = not taken up
state-merged = merged with another report
state-assigned = assigned to a unit
state-verified = verified on site
state-resolved = resolved
state-reopened = reopened
state-closed = closed

## /report
report-limit = You have sent { $limit } reports today, the daily maximum. Thank you; please send more tomorrow.
report-category = What would you like to report?
report-category-pick = Please choose a category with the buttons, or /cancel.
report-where =
    Where is it? You can:
    • send a location (📎 → Location),
    • type the name of a craft village, industrial zone or cluster (accents optional),
    • or type an address.
report-where-length = Please type 3 to 200 characters, or send a location.
report-outside-hanoi = That location is outside Hanoi. Please send another one or type a place name.
report-where-pick = Is it one of these places? If not, use “{ $text }” as the address.
report-where-none = No place matches “{ $text }”. Use it as the address, type again, or send a location.
report-use-address = Use as address
report-site-chosen = Place: { $name }.
report-describe = Describe briefly what you saw (when, smell, colour, source…).
report-describe-short = The description is too short; please write at least 3 characters.
report-describe-long = The description is too long ({ $length } characters); at most { $limit }.
report-photos = Send up to { $max } photos if you have any (their location data is removed), or press the button if none.
report-photo-added = Photo { $count }/{ $max } received. Send more or press “Done”.
report-photos-full = You already sent { $max } photos.
btn-no-photos = No photos
btn-photos-done = Done
where-site = Place: { $name }
where-point = Location: { $lat }, { $lon }
where-address = Address: { $address }
report-review =
    Please check your report:
    • Category: { $category }
    • { $where }
    • Description: { $description }
    • Photos: { $photos }
    Send it?
btn-send = Send
btn-cancel = Cancel
report-confirm-pick = Press “Send” or “Cancel”.
report-filed = Report sent. Ticket: { $ticket }. Triage due: { $triage_due }. You will get a message when its state changes; see it again with /mine.
report-cancelled = Report cancelled; nothing was sent.

## /mine
mine-none = You have no reports yet. Type /report to send one.
mine-title = Your reports ({ $count }):
mine-line = { $ticket } · { $category } · { $state } · { $date }
mine-detail =
    Description: { $description }
    Photos: { $photos } · Resolution due: { $due }
mine-assigned = Handled by: { $unit }
btn-add-info = Add information
btn-reopen = Reopen
mine-add-prompt = Send the additional information: a text or a photo.
mine-add-length = At most { $limit } characters.
mine-added = Information added to { $ticket }.
mine-reopen-reason = Why should it be reopened? (e.g. the pollution goes on)
mine-reopen-length = The reason takes 3 to { $limit } characters.
mine-reopen-photo = Send a new photo showing the situation now.
mine-reopened = { $ticket } reopened.

## /status and the site card
status-usage = Type /status and a place name, e.g. /status bat trang
status-too-long = The search is too long (at most 200 characters).
status-none = No place matches “{ $query }”.
status-pick = { $count } places match; choose one:
card-title = { $kind } { $name }
kind-craft_village = Craft village
kind-industrial_zone = Industrial zone
kind-industrial_cluster = Industrial cluster
card-trade = Trade
card-commune = Commune/ward (from 1/7/2025)
card-unmapped = not mapped
card-before-reform = Before 1/7/2025
card-recognised = Recognised
card-no = no
card-yes = yes
card-classified = Classification
card-not-assessed = not assessed
card-classes = { $date }: water { $water }, air { $air }, soil { $soil }
card-conditions = Art. 56 conditions
card-not-checked = not checked
card-wwtp = Wastewater plant
card-unknown = unknown
card-day = day
card-establishments = Establishments
card-source = Data source
card-source-value = { $source } (confidence { $confidence })
card-last-inspection = Last inspection
card-none-yet = none yet
card-open-violations = Open violations
card-due = due
card-none = none
card-open-incidents = Open reports
card-incidents = { $open } (total { $total })
card-manifests = Hazardous-waste manifests
card-manifests-value = { $count } manifests, { $handed } kg handed over, { $treated } kg treated
card-grid = 12 quarters (WWTP/classified/conditions)
card-indicators-missing = (Indicators not available yet; these are the registry's facts.)

## /link
link-usage = Type /link and the link code issued by the Department, e.g. /link 7K3M-9QXA-R2ZD-H6WP
link-bad-code = A link code has 16 letters or digits in groups of four (the dashes are optional).
link-done = Account linked: { $role } — { $name }.
link-done-role = Account linked: { $role }.
role-business = business / waste generator
role-transporter = transporter
role-treatment_facility = treatment facility
role-inspector = inspector
role-agency = agency

## /subscribe
subscribe-forbidden = Only inspectors and agencies with a linked account (/link) can subscribe.
subscribe-types = Choose the event types (press to select/unselect), then “Next”:
family-incident = Reports
family-inspection = Inspections
family-violation = Violations
family-manifest = Manifests
family-site = Places
btn-next = Next
subscribe-types-none = Choose at least one event type.
subscribe-communes = Type commune/ward names separated by commas (e.g. Bát Tràng, Hồng Vân), or press “All”.
btn-all-communes = All communes
subscribe-communes-count = Type 1 to 30 commune names separated by commas.
subscribe-communes-unknown = No commune/ward named: { $names }. Check the names (units in force from 1/7/2025).
subscribe-done = Subscribed { $id }: { $types } — { $communes }. New events will be sent here.
all-communes = all communes
subscriptions-none = You have no subscriptions. Type /subscribe to add one.
subscriptions-title = Subscriptions ({ $count }):
subscription-line = { $id }: { $types } — { $communes }
btn-unsubscribe = Remove { $id }
unsubscribed = Subscription { $id } removed.

## pushes
push-incident = Report { $ticket }: { $state }.
push-reason = Reason: { $reason }
push-violation-found = Outcome: a violation was found and is being dealt with.
push-no-violation = Outcome: no violation found.
push-event = 🔔 { $label } · { $commune } · { $time }
push-no-commune = commune unknown
ev-incident_reported = New report
ev-incident_triaged = Report triaged
ev-incident_assigned = Report assigned
ev-incident_resolved = Report resolved
ev-incident_overdue = Report overdue
ev-inspection_scheduled = Inspection scheduled
ev-inspection_conducted = Inspection conducted
ev-inspection_concluded = Inspection concluded
ev-violation_recorded = Violation recorded
ev-violation_sanction_decided = Sanction decided
ev-violation_closed = Violation remedied
ev-violation_overdue = Remedy overdue
ev-manifest_drafted = New manifest
ev-manifest_signed_by_generator = Generator signed the hand-over
ev-manifest_signed_by_transporter = Transporter picked up
ev-manifest_received = Facility received
ev-manifest_treated = Waste treated
ev-manifest_overdue = Manifest overdue
ev-site_registered = New place
ev-site_classified = Place classified
ev-site_condition_set = Environmental conditions
ev-site_wwtp_status_set = Wastewater plant

## command menu
cmd-report = Report pollution
cmd-mine = My reports
cmd-status = Status of a place
cmd-link = Link account
cmd-manifest = Hazardous-waste manifests
cmd-subscribe = Event notifications
cmd-help = Help
cmd-cancel = Cancel

# reason codes of the public stream (issue 13): what a reporter is told instead of staff's words
reason-duplicate = a duplicate of another report
reason-outside_jurisdiction = outside our jurisdiction
reason-not_environmental = not an environmental matter
reason-insufficient_information = not enough information
reason-unfounded = unfounded
reason-abusive = inappropriate content
reason-resolved = resolved
reason-no_violation_found = no violation found
reason-withdrawn = withdrawn by the reporter
reason-reopen_window_expired = the time to reopen has passed
reason-other = another reason
mine-not-yours = This report is not yours, or no longer in your list. Type /mine to see your reports.
