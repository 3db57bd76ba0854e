"""Import and export of the registry as spreadsheets (issue 16): plain Python, no transport.

columns.py  the columns of each sheet and the header mapping (Vietnamese or English names)
reading.py  reading an XLSX or CSV file that may be hostile (sizes, zip bombs, formulas)
rows.py     each row into a sites contract (RegisterSite / RegisterEstablishment)
plan.py     what applying would do (create / amend / unchanged), and applying it
export.py   the registry (or the indicators) out as XLSX or CSV, and the empty templates
"""
