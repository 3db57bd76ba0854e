"""One module (or package) per conversation flow; each exposes `handlers(settings)`.

The flows' names, their drafts' keys and the command menu live here rather than in the
composition root (bot/app.py), so a flow can ask which other flow holds the chat without
importing the application that imports it."""

# manifest_signals (stateless buttons of the pushes) before manifest, whose open steps would take any button
FLOWS = ("report", "mine", "status", "link", "subscribe", "manifest_signals", "manifest", "tasks", "annualreport",
         "monitoring")
# A conversation's draft lives in user_data under its key; a flow command while another is open is refused.
DRAFTS = {"report": "report", "mine": "mine", "subscribe": "subscription", "manifest": "manifest", "tasks": "task",
          "annualreport": "annualreport", "monitoring": "monitoring"}
COMMANDS = {  # the menu Telegram shows (set on start when connected)
    "report": "cmd-report", "mine": "cmd-mine", "status": "cmd-status", "link": "cmd-link",
    "manifest": "cmd-manifest", "subscribe": "cmd-subscribe", "tasks": "cmd-tasks", "annualreport": "cmd-annualreport",
    "monitoring": "cmd-monitoring",
    "help": "cmd-help", "cancel": "cmd-cancel",
}
