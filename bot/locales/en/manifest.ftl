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
mf-transporter-added = Transporter { $position }: { $name }. Is there a next transporter (a further leg)?
mf-btn-add-transporter = Add another transporter
mf-btn-done = Done
mf-ask-transporter-next = Transporter { $position }: type its name or registration code.
mf-transporter-twice = { $name } is already among the transporters; each appears once. Choose another.
mf-transporters-full = That makes { $max } transporters, the most a manifest holds.
mf-transporter-more-pick = Press “Add another transporter” or “Done”, or /cancel.
mf-facility-not-treatment = { $name } is not a licensed hazardous-waste treatment facility. Type the name or code of a treatment facility.
mf-facility-unlicensed = { $name }'s licence lists no waste code it may treat, so it cannot be chosen. Choose another facility.
mf-ask-facility2 = First treatment facility: { $name }. Does the waste go on to a second facility?
mf-btn-add-facility2 = Add a second facility
mf-btn-no-facility2 = No
mf-facility2-pick = Press “Add a second facility” or “No”, or /cancel.
mf-ask-facility2-search = Second treatment facility (after { $name }): type its name or registration code.
mf-facility2-same = { $name } is already the first facility; the second must be another one.
mf-facility2-no-common = { $name }'s licence and { $first }'s share no waste code, so they cannot be on one manifest. Choose another facility.
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
mf-show-discrepancy-kg = {"   "}Line { $line }: declared { $declared } kg → weighed { $measured } kg ({ $share }% off)
mf-show-discrepancy-code = {"   "}Line { $line }: declared code { $declared } → received code { $measured }
mf-show-rejected = • Rejected: line(s) { $lines } ({ $kg } kg), moved on { $count } linked manifest(s)
mf-show-copy4 = • Copy 4 back with the generator on { $date }
mf-show-resign = • Corrected: waiting to be signed again by — { $parties }
mf-show-wait-turn = • Not your turn yet: the earlier transporter must sign its pickup first.
mf-btn-open = Open manifest { $number }
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
mf-reason-resign = the generator has just corrected the manifest: the parties who had signed must sign the new version again first
mf-refused = Manifest { $number } could not be signed: { $reason }.
mf-btn-sign-again = Sign again { $number }
mf-signed-again = Signed manifest { $number } again (the new version). State: { $state }.

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
mf-ask-treat-date =
    Recording the treatment of { $numbers } (received on { $received }). On which date was it treated?
    Press a button or type day/month/year (e.g. { $example }); it cannot be in the future.
mf-btn-yesterday = Yesterday
mf-treat-date-future = The treatment date cannot be after today ({ $today }).
mf-treat-date-before = The treatment date cannot be before the receipt ({ $received }).
mf-treat-date-again = Type the treatment date (day/month/year) or press “Today”/“Yesterday”, or /cancel.
mf-ask-treat-method = Recording the treatment of { $numbers } on { $date }. Which treatment method was used? (e.g. incineration, solidification, recycling)
mf-treat-method-again = Type the treatment method used, or /cancel.
mf-treat-review = Confirm that { $numbers } was treated by “{ $method }” on { $date }?
mf-btn-confirm-treat = Confirm treated
mf-treated = Treatment of manifest { $number } recorded. State: { $state }. Copy 4 goes back to the generator.

## rejection (facility)
mf-btn-reject = Reject { $number }
mf-not-rejectable = Manifest { $number } is “{ $state }”, so it cannot be rejected.
mf-ask-reject-which = Rejecting manifest { $number }: the whole load or some lines?
mf-btn-reject-all = Whole load
mf-btn-reject-some = Choose lines
mf-reject-which-again = Press “Whole load” or “Choose lines”, or /cancel.
mf-ask-reject-lines = Choose the rejected lines of manifest { $number } (press to select/unselect), then “Done”:
mf-reject-chosen = Lines chosen: { $lines }. Press more to select/unselect, then “Done”.
mf-reject-none-chosen = No line is chosen yet. Press the rejected lines, then “Done”.
mf-reject-lines-again = Press the rejected lines, then “Done”, or /cancel.
mf-ask-reject-code = What kind of reason is it?
mf-reject-code-again = Choose the kind of reason with the buttons, or /cancel.
mf-rcode-wrong-waste-type = Wrong waste type
mf-rcode-not-permitted = Not permitted by the licence
mf-rcode-packaging = Packaging
mf-rcode-quantity = Wrong quantity
mf-rcode-documents = Wrong documents
mf-rcode-capacity = No capacity
mf-rcode-other = Other reason
mf-ask-reject-reason = Say the reason in words (only the parties and the authorities see it):
mf-reject-reason-again = Type the reason in words (2 to 200 characters), or /cancel.
mf-ask-reject-dest = Where does the rejected waste go?
mf-btn-back-generator = Back to the generator
mf-btn-alternate = To another treatment facility
mf-reject-dest-again = Press “Back to the generator” or “To another treatment facility”, or /cancel.
mf-ask-alternate = Alternate treatment facility: type its name or registration code.
mf-alternate-self = The alternate facility must be another establishment than yours.
mf-alternate-not-licensed = { $name }'s licence does not permit code(s) { $codes }. Choose another facility.
mf-reject-whole = the whole load
mf-reject-to-generator = back to the generator
mf-reject-review =
    Check the rejection of manifest { $number }:
    • Rejected: { $lines }
    • Kind of reason: { $code }
    • Reason: { $reason }
    • Goes to: { $dest }
    • New linked manifest: { $new_number }
    Confirm the rejection?
mf-btn-confirm-reject = Confirm rejection
mf-rejected = Rejection of manifest { $number } signed. State: { $state }. The rejected waste travels on the new linked manifest { $new_number } ({ $dest }).

## correction (generator)
mf-btn-correct = Correct { $number }
mf-correct-generator-only = Only the manifest's generator can correct it.
mf-not-correctable = Manifest { $number } is “{ $state }”, so it can no longer be corrected.
mf-corr-what =
    Correcting manifest { $number }. Changes so far:
    { $changes }
    Choose what to change, or press “Done” when finished.
mf-corr-no-change = (no change yet)
mf-btn-corr-plate = Vehicle plate
mf-btn-corr-date = Planned date
mf-btn-corr-kg = A line's quantity
mf-btn-corr-transporters = Transporters
mf-corr-what-again = Choose what to change with the buttons, or press “Done” or “Cancel”.
mf-corr-nothing = Nothing has changed yet. Choose something to change before “Done”.
mf-corr-ask-plate = Current plate: { $current }. Type the new plate (e.g. 29C-123.45):
mf-corr-ask-date = Current planned date: { $current }. Type the new date as day/month/year (e.g. { $example }):
mf-corr-date-again = Type the new planned date (day/month/year), or /cancel.
mf-corr-ask-line = Which line's quantity?
mf-corr-line-again = Choose the line with the buttons, or /cancel.
mf-corr-kg-rejected = Some lines of this manifest were rejected, so quantities cannot be corrected; the rejected part travels on the linked manifest.
mf-corr-ask-kg = Line { $line } ({ $code }): now { $current } kg. Type the right quantity (kg):
mf-corr-ask-transporter = Name the transporters again, in order. Transporter { $position }: type its name or registration code.
mf-corr-change-plate = • Vehicle plate: { $old } → { $new }
mf-corr-change-date = • Planned date: { $old } → { $new }
mf-corr-change-kg = • Line { $line } ({ $code }): { $old } kg → { $new } kg
mf-corr-change-transporters = • Transporters: { $old } → { $new }
mf-corr-ask-code = What kind of reason is it?
mf-corr-code-again = Choose the kind of reason with the buttons, or /cancel.
mf-ccode-data-error = Data entry error
mf-ccode-route-change = Route change
mf-ccode-quantity-change = Quantity change
mf-ccode-vehicle-change = Vehicle change
mf-ccode-other = Other reason
mf-corr-ask-reason = Say the reason in words (only the parties and the authorities see it):
mf-corr-review =
    Check the correction of manifest { $number } (version { $version }):
    { $changes }
    • Kind of reason: { $code }
    • Reason: { $reason }
    The parties who had signed will have to sign the new version again. Confirm?
mf-btn-confirm-correct = Confirm correction
mf-corrected = Version { $version } of manifest { $number } saved. To sign again: { $parties }.
mf-corrected-none = Version { $version } of manifest { $number } saved. Nobody had signed, so nobody has to sign again.

## copy 4 (generator)
mf-btn-copy4 = Copy 4 returned { $number }
mf-not-copy4 = Manifest { $number } is “{ $state }”: copy 4 is confirmed once the waste is treated.
mf-ask-copy4 = Confirm that copy 4 of manifest { $number } is back from the treatment facility?
mf-btn-confirm-copy4 = Confirm copy 4 returned
mf-copy4-returned = Copy 4 of manifest { $number } confirmed. State: { $state }.
