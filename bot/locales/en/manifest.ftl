## /manifest — hazardous-waste manifests (English)

mf-not-linked =
    /manifest is for accounts linked to an establishment: a hazardous-waste generator, transporter or treatment facility.
    If you act for one, ask the Department for a link code and type /link CODE.
mf-menu = Hazardous-waste manifests — { $name } ({ $role }). What would you like to do?
mf-draft-dropped = The manifest you were drafting has been dropped; nothing was sent.
mf-btn-new = New manifest
mf-btn-list = My manifests
mf-btn-await = Awaiting my signature
mf-btn-cancel = Cancel
mf-expired = This has already ended or was cancelled. Type /manifest to start again.
mf-cancelled = Cancelled; no manifest was filed.
mf-cancelled-action = Cancelled; nothing was signed.
mf-business-only = Only a waste generator (a linked business or establishment) can file manifests.
mf-not-generator = { $name } is not registered as a hazardous-waste generator, so it cannot file manifests yet. Please contact the Department to update the registry.

## new manifest
mf-ask-transporter = Step 1/5 — Transporter: type its name or registration code (accents optional).
mf-search-length = Please type between { $min } and { $max } characters.
mf-transporter-none = No licensed transporter matches “{ $query }”. Type the name or registration code again.
mf-transporter-pick = Transporters matching “{ $query }” — choose one:
mf-transporter-again = Type the transporter's name or code and choose it from the list, or /cancel.
mf-pick-again = That choice is no longer in the list. Type the name again to search.
mf-ask-facility =
    Transporter: { $name }.
    Step 2/5 — Treatment facility: type its name or registration code.
mf-facility-none = No licensed treatment facility matches “{ $query }”. Type the name or registration code again.
mf-facility-pick = Treatment facilities matching “{ $query }” — choose one:
mf-facility-again = Type the treatment facility's name or code and choose it from the list, or /cancel.
mf-ask-plate =
    Treatment facility: { $name }.
    Step 3/5 — Vehicle plate (e.g. 29C-123.45):
mf-plate-bad = That plate is not valid: it needs { $min } to { $max } characters, letters and digits (dashes and dots allowed), e.g. 29C-123.45.
mf-plate-again = Type the vehicle plate (e.g. 29C-123.45), or /cancel.
mf-ask-date = Step 4/5 — Planned hand-over date: type it as day/month/year (e.g. { $example }) or press “Today”.
mf-btn-today = Today
mf-date-bad = “{ $text }” is not a valid date. Type it as day/month/year, e.g. { $example }.
mf-date-range = The planned date must be between { $start } and { $end }.
mf-date-again = Type the planned hand-over date (day/month/year) or press “Today”, or /cancel.
mf-ask-code = Step 5/5 — Waste line { $line }: type the waste code (e.g. 16 01 06) or a few words of the waste's name (e.g. fluorescent, engine oil).
mf-code-length = Please type a waste code, or { $min } to { $max } characters of the waste's name.
mf-code-unknown = Code “{ $code }” is not in the waste catalogue in force ({ $version }). Check it, or type a few words of the waste's name for suggestions.
mf-code-none = No waste code has a name matching “{ $query }”. Try other words, or type a code such as 16 01 06.
mf-code-not-licensed = { $facility }'s licence does not permit waste code { $code }. Choose another code, or /cancel and choose another facility.
mf-code-none-licensed = Codes match “{ $query }” ({ $codes }) but { $facility }'s licence permits none of them. Choose another code, or /cancel and choose another facility.
mf-code-pick = Matching codes the facility is licensed for — choose one:
mf-code-again = Type a waste code or name and choose one of the suggestions, or /cancel.
mf-ask-kg =
    { $code } — { $name }.
    How many kg? (e.g. 12.5)
mf-kg-bad = “{ $text }” is not a number. Type the quantity in kg, e.g. 12.5.
mf-kg-positive = The quantity must be more than 0 kg.
mf-kg-too-big = A line holds at most { $max } kg; split a larger quantity into several lines or manifests.
mf-kg-again = Type the quantity in kg (e.g. 12.5), or /cancel.
mf-ask-state = Quantity: { $kg } kg. Physical state of the waste? (the catalogue usually says: { $usual })
mf-state-pick = Please choose the physical state with the buttons, or /cancel.
mf-ask-packaging = State: { $state }. Packaging? Type it (e.g. 200-litre drum) or press the button.
mf-packaging-default = Thùng chứa kín có nắp
mf-btn-packaging-default = Sealed container with lid (“Thùng chứa kín có nắp”)
mf-btn-as-before = As the previous line: { $value }
mf-packaging-again = Type the packaging or press the button, or /cancel.
mf-text-length = Please type between { $min } and { $max } characters.
mf-ask-method = Packaging: { $packaging }. Planned treatment method? (e.g. incineration, solidification, recycling, dismantling and recovery)
mf-method-again = Type the planned treatment method, or /cancel.
mf-line =
    { $line }. { $code } — { $name }
    {"   "}{ $kg } kg · { $state } · { $packaging } · { $method }
mf-line-added =
    Line { $line } added:
    { $summary }
    Add another line, or review the manifest?
mf-btn-add-line = Add another line
mf-btn-review = Review
mf-lines-full = The manifest has { $max } lines, the most here; review and sign it, and file the rest on another manifest.
mf-more-pick = Press “Add another line”, “Review” or “Cancel”.
mf-review =
    Please check manifest { $number }:
    • Generator: { $generator }
    • Transporter: { $transporter }
    • Treatment facility: { $facility }
    • Vehicle plate: { $plate }
    • Planned hand-over: { $date }
    • Waste lines:
    { $lines }
    • Total: { $total } kg
    Press “Sign and send” to file the manifest and sign the hand-over. Nothing is sent before you press it.
mf-btn-sign-send = Sign and send
mf-review-pick = Press “Sign and send”, “Add another line” or “Cancel”.
mf-filed = Manifest { $number } filed and signed at hand-over. State: { $state }. The transporter will see it under “Awaiting my signature”; see it again with /manifest → “My manifests”.

## lists and one manifest
mf-list-none = No manifest names your establishment yet.
mf-list-title = Your establishment's manifests ({ $count }):
mf-list-more = (only the newest { $shown } are shown)
mf-list-line = { $number } · { $state } · { $party }
mf-party-generator = generator
mf-party-transporter = transporter (no. { $position })
mf-party-facility = treatment facility (no. { $position })
mf-show =
    Manifest { $number } (version { $version })
    • State: { $state }
    • Generator: { $generator }
    • Transporters: { $transporters }
    • Treatment facility: { $facility }
    • Vehicle plate: { $plate }
    • Planned hand-over: { $date }
    • Waste lines:
    { $lines }
    • Total declared: { $total } kg
mf-show-received = • Weighed at the facility: { $kg } kg
mf-show-discrepancy = • Open discrepancy on line { $lines }, to be agreed by { $due }
mf-show-treated = • Treated by “{ $method }” on { $date }
mf-state-draft = draft, not signed
mf-state-handed_over = handed over, awaiting the transporter's signature
mf-state-in_transit = in transit
mf-state-received = received by the facility
mf-state-treated = treated
mf-state-copy4_returned = copy 4 returned to the generator
mf-state-closed = closed
mf-state-cancelled = cancelled
mf-state-rejected = rejected by the facility
mf-pstate-solid = Solid
mf-pstate-liquid = Liquid
mf-pstate-sludge = Sludge
mf-pstate-solid_liquid = Solid/liquid
mf-pstate-gas = Gas

## awaiting my signature (transporter, facility)
mf-await-role = “Awaiting my signature” is for transporters and treatment facilities.
mf-await-none = No manifest is awaiting your signature.
mf-await-title = Manifests awaiting your signature ({ $count }):
mf-btn-pickup = Sign pickup { $number }
mf-btn-pickup-all = Sign all ({ $count })
mf-btn-receive = Receive { $number }
mf-btn-treat = Mark treated { $number }
mf-btn-treat-all = Mark all treated ({ $count })
mf-btn-handover = Sign hand-over { $number }
mf-picked-up = Pickup of manifest { $number } signed. State: { $state }.
mf-handed-over = Hand-over of manifest { $number } signed. State: { $state }.
mf-bulk-result = Signed { $signed } of { $total } manifests:
mf-bulk-signed-line = • { $number }: signed
mf-bulk-failed-line = • { $number }: not signed — { $reason }
mf-reason-twice = you have signed it already
mf-reason-turn = it is not your turn to sign
mf-reason-own-signature = it does not name your establishment in that place

## receipt (treatment facility)
mf-not-receivable = Manifest { $number } is “{ $state }”, so it cannot be received yet.
mf-ask-measured =
    Receiving manifest { $number } — line { $line }/{ $count }: { $code } — { $name }, declared { $declared } kg.
    Type the weighed quantity (kg), or press the button if it is as declared.
mf-btn-same = As declared ({ $kg } kg)
mf-btn-same-all = All remaining lines as declared
mf-measured-bad = “{ $text }” is not a number. Type the weighed quantity in kg (0 if nothing arrived), e.g. 12.5.
mf-measured-negative = The weighed quantity cannot be negative.
mf-measured-again = Type the weighed quantity (kg) or press a button, or /cancel.
mf-measured-line = { $line }. { $code }: declared { $declared } kg → weighed { $measured } kg
mf-flag-discrepancy = ⚠ off by more than 10%
mf-receive-review =
    Please check the receipt of manifest { $number }:
    { $lines }
    A line more than 10% off the declared quantity opens a discrepancy the generator and the facility must agree on. Confirm the receipt?
mf-btn-confirm-receive = Confirm receipt
mf-confirm-pick = Press a button above to confirm or cancel, or type /cancel.
mf-received = Receipt of manifest { $number } signed. State: { $state }.
mf-received-discrepancy = The quantities differ from the declaration on line { $lines }: the generator and the facility must agree by { $due }.
mf-next-treat = When manifest { $number } has been treated, press the button below:

## treatment (treatment facility)
mf-not-treatable = Manifest { $number } is “{ $state }”, so its treatment cannot be recorded yet.
mf-ask-treat-method = Recording the treatment of { $numbers } on { $date }. Which treatment method was used? (e.g. incineration, solidification, recycling)
mf-treat-method-again = Type the treatment method used, or /cancel.
mf-treat-review = Confirm that { $numbers } was treated by “{ $method }” on { $date }?
mf-btn-confirm-treat = Confirm treated
mf-treated = Treatment of manifest { $number } recorded. State: { $state }. Copy 4 goes back to the generator.
