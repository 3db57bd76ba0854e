# An inspector's link code for the Telegram bot (issue 15): "My account" and an admin on an inspector's account
bot-code-title = Dùng bot Telegram khi đi hiện trường
bot-code-text = Cấp một mã liên kết dùng một lần: quét mã QR bằng điện thoại để mở bot, bot sẽ biết bạn là ai và gửi cho bạn các phản ánh được giao (lệnh /tasks).
bot-code-submit = Cấp mã liên kết bot
bot-code-once = Mã chỉ hiển thị một lần. Quét mã QR bằng điện thoại hoặc gửi lệnh /start { $code } tới bot.
