# Manifest pushes to the parties (bot/pushes/manifests.py) and their buttons
# (bot/flows/manifest_signals.py).

mfp-party-generator = The generator
mfp-party-transporter = Transporter { $position }
mfp-party-facility = Facility { $position }

mfp-btn-view = View manifest
mfp-btn-sign-again = Sign again
mfp-btn-agree = Agree to the figures
mfp-btn-escalate = Ask the agency to decide

# -- the next party's turn
mfp-pickup-awaits = Manifest { $number }: the generator has signed the hand-over. The waste awaits your pickup; sign when you take it.
mfp-leg-awaits = Manifest { $number }: { $previous } has signed. Leg { $leg } is yours; sign when you take the waste.
mfp-arrival-awaits = Manifest { $number }: { $previous } has signed and is bringing the waste to your facility. Weigh it and sign on arrival.
mfp-facility2-turn = Manifest { $number }: facility 1 has signed the receipt. Your facility (facility 2) may now take its step.

# -- rejection
mfp-rejected-full = Manifest { $number }: the facility rejected the whole load (reason: { $reason }). A new manifest was made for the rejected waste.
mfp-rejected-part = Manifest { $number }: the facility rejected line(s) { $lines } (reason: { $reason }). A new manifest was made for them.
mfp-reject-reason-wrong_waste_type = wrong waste type
mfp-reject-reason-not_permitted = not in the licence
mfp-reject-reason-packaging = packaging not acceptable
mfp-reject-reason-quantity = wrong quantity
mfp-reject-reason-documents = documents missing
mfp-reject-reason-capacity = no capacity left
mfp-reject-reason-other = other reason

# -- correction, signing again
mfp-resign = Manifest { $number } was corrected (version { $version }): { $changed } — { $reason }. { $party } must sign this version again before the next steps.
mfp-field-transporters = transporters
mfp-field-facility_1 = facility 1
mfp-field-facility_2 = facility 2
mfp-field-vehicle_plate = vehicle plate
mfp-field-lines = waste lines
mfp-field-planned_date = planned date
mfp-correct-reason-data_error = a data error fixed
mfp-correct-reason-route_change = route changed
mfp-correct-reason-quantity_change = quantity changed
mfp-correct-reason-vehicle_change = vehicle changed
mfp-correct-reason-other = other reason
mfp-signed-again = ✅ You signed version { $version } again.
mfp-stale = This message belongs to version { $pressed }; the manifest is now version { $current }. Use the latest message.

# -- discrepancies
mfp-discrepancy = Manifest { $number }: the weights measured at receipt differ from the declared ones:
    { $lines }
    When both the generator and the facility agree, the figures stand; otherwise ask the agency to decide.
mfp-disc-weight = • Line { $line }: declared { $declared } kg, measured { $measured } kg ({ $share }% apart)
mfp-disc-code = • Line { $line }: declared code { $declared }, found { $measured }
mfp-disc-more = • … and { $count } more line(s) (view the manifest)
mfp-discrepancy-reminder = Manifest { $number }: { $party } has agreed to the measured figures. They stand only when you agree too:
    { $lines }
mfp-agreed-waiting = ✅ You agreed to the figures. Waiting for the other side: the figures stand only when both sides agree.
mfp-agreed-both = ✅ Both sides agreed: the measured figures stand.
mfp-escalated-done = 📨 The agency has been asked to decide on the discrepancy.
mfp-discrepancy-agreed = Manifest { $number }: the generator and the facility both agreed; the measured figures stand.
mfp-discrepancy-escalated = Manifest { $number }: the discrepancy has gone to the agency to decide.
mfp-note-agreed = Agreed to the measured figures (via Telegram)
mfp-note-escalated = Asked the agency to decide on the discrepancy (via Telegram)
mfp-bad-button = This button is no longer valid.
mfp-refused-role = Your account cannot do this: the button is for a party named on the manifest (link your account with /link).
mfp-refused-party = Your establishment is not the party asked on this manifest; the button works only for the party it was sent to.
mfp-refused-twice = This has already been done; nothing more to do.
mfp-refused-settled = The discrepancy of this manifest is already settled.
mfp-refused-turn = It is not your establishment's turn on this manifest yet.
