# /annualreport: a linked establishment's annual environmental protection report (issue 16)
cmd-annualreport = Annual environmental protection report
ar-usage = Type /annualreport, or /annualreport and a year, e.g. /annualreport 2025.
ar-not-linked = /annualreport is for an establishment's account (business, transporter, treatment facility) linked with the code from the agency: type /link and the code.
ar-status-open =
    Annual environmental protection report { NUMBER($year, useGrouping: 0) }: not filed yet.
    Due before { $due }.
ar-status-overdue =
    Annual environmental protection report { NUMBER($year, useGrouping: 0) }: NOT filed, overdue (it was due before { $due }).
    You can still send it: it will be recorded as late.
ar-status-filed =
    Annual environmental protection report { NUMBER($year, useGrouping: 0) }: filed on { $filed }, { $late ->
        [yes] late
       *[no] on time
    } (due before { $due }).{ $corrections ->
        [0] {""}
       *[other] {" "}Corrections: { $corrections }.
    }
btn-ar-send = Send the { NUMBER($year, useGrouping: 0) } report
btn-ar-correct = Send a correction for { NUMBER($year, useGrouping: 0) }
ar-send-document = Send the { NUMBER($year, useGrouping: 0) } report as a file (PDF, DOCX or XLSX, at most { $mb } MB), or /cancel.
ar-document-expected = Please send the report as a file (PDF, DOCX or XLSX) — not a photo or text — or /cancel.
ar-too-big = The file is too large: at most { $mb } MB. Please send a smaller file (e.g. a compressed PDF).
ar-kind-pdf = PDF
ar-kind-docx = Word (DOCX)
ar-kind-xlsx = Excel (XLSX)
ar-filed =
    Recorded: annual environmental protection report { NUMBER($year, useGrouping: 0) } ({ $kind }, { $kb } kB), { $late ->
        [yes] LATE
       *[no] on time
    } — it was due before { $due }.
ar-corrected =
    Recorded: a correction of the { NUMBER($year, useGrouping: 0) } annual environmental protection report ({ $kind }, { $kb } kB). The report itself stays recorded as { $late ->
        [yes] late
       *[no] on time
    } (due before { $due }).
ar-cancelled = Cancelled. Nothing was filed.
