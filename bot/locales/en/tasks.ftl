# Inspectors in the field (/tasks), the push on assignment, /mine's before/after, /start site_<id> (issue 15)
cmd-tasks = Assigned reports (inspectors)
tasks-linked = Account linked: { $role } — { $email }. Type /tasks to see the reports assigned to you.
tasks-not-linked = /tasks is for inspectors linked with a code from “My account” in the staff workspace.
tasks-none = No report is assigned to you at the moment.
tasks-title = Reports assigned to you ({ $first }–{ $last } of { $total }), urgent and overdue first:
tasks-line = { $marks }{ $ticket } · { $category } · { $priority } · due { $due } · { $state }
tasks-prev = ◀ Previous
tasks-next = Next ▶
tasks-priority-low = low priority
tasks-priority-normal = normal
tasks-priority-high = high priority
tasks-priority-urgent = urgent
tasks-card =
    { $ticket } · { $category } · { $priority }
    State: { $state }
    Due: { $due }
    { $place }
    Report: { $description }
    Reporter's photos: { $photos }
tasks-btn-verify = Verify on site
tasks-btn-note = Add a note
tasks-btn-resolve = Resolved
tasks-btn-view = View
tasks-not-yours = This report is not assigned to you.
tasks-wrong-state = That cannot be done while the report is “{ $state }”.
tasks-verify-location = Send your current location (📎 → Location) to confirm you are on site.
tasks-too-far = You are about { $distance } m from the reported place (within { $radius } m is needed). Get closer and send your location again, or /cancel.
tasks-verify-photo = Location received. Send a photo taken on site.
tasks-verify-finding = Write the finding (what you saw on site).
tasks-text-length = Between 3 and { $limit } characters.
tasks-verified = The finding for { $ticket } is recorded.
tasks-note-prompt = Send the note.
tasks-noted = Note added to { $ticket }.
tasks-resolve-photo = Send an “after” photo taken on site.
tasks-resolve-note = Write a few lines for the reporter: how it was resolved.
tasks-resolved = { $ticket } is marked resolved. The reporter will be notified.
tasks-push = Report { $ticket } ({ $category }) is assigned to you, due { $due }.
mine-before = Before: your photo ({ $n }/{ $count })
mine-after = After: the inspector's photo when resolved ({ $n }/{ $count })
start-site-bad = That site link is not valid. Type /status and a place name to search.
start-site-unknown = No such site. Type /status and a place name to search.
