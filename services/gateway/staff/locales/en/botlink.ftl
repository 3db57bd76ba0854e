# An inspector's link code for the Telegram bot (issue 15): "My account" and an admin on an inspector's account
bot-code-title = Use the Telegram bot in the field
bot-code-text = Issue a one-time link code: scan the QR code with your phone to open the bot; it will know who you are and send you the reports assigned to you (/tasks).
bot-code-submit = Issue a bot link code
bot-code-once = The code is shown only once. Scan the QR code with your phone or send /start { $code } to the bot.
