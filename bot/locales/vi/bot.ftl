## Làng Xanh bot — Vietnamese (the default and the fallback)

start-welcome =
    Xin chào! Đây là Làng Xanh, kênh của Sở Nông nghiệp và Môi trường Hà Nội về môi trường làng nghề, khu và cụm công nghiệp.
    • /report — phản ánh ô nhiễm (nước thải, khói, bụi, tiếng ồn, đốt rác, đổ thải…)
    • /mine — xem phản ánh của bạn và bổ sung thông tin
    • /status tên — tra cứu tình trạng một làng nghề, khu, cụm công nghiệp
    Chọn ngôn ngữ:
start-privacy =
    Cam kết riêng tư: phản ánh của bạn không bao giờ tiết lộ bạn là ai cho doanh nghiệp hay công chúng. Hệ thống chỉ lưu một bí danh; ảnh được xoá thông tin vị trí (EXIF); vị trí công bố được làm tròn khoảng 1 km.
lang-choose = Chọn ngôn ngữ / Choose a language:
lang-set = Đã chọn tiếng Việt.
help =
    Các lệnh:
    /report — gửi phản ánh ô nhiễm
    /mine — phản ánh của tôi
    /status tên — tình trạng một làng nghề, khu, cụm công nghiệp (gõ không dấu cũng được)
    /link MÃ — liên kết tài khoản với cơ sở hoặc cơ quan (mã do Sở cấp)
    /manifest — chứng từ chất thải nguy hại (doanh nghiệp, đơn vị vận chuyển, xử lý)
    /annualreport — báo cáo công tác bảo vệ môi trường hằng năm (tài khoản cơ sở đã liên kết)
    /monitoring — nộp kết quả quan trắc định kỳ (tài khoản cơ sở đã liên kết)
    /subscribe, /subscriptions — nhận tin sự kiện (cán bộ thanh tra, cơ quan)
    /tasks — phản ánh được giao cho tôi (cán bộ thanh tra đã liên kết bằng mã từ không gian làm việc)
    /lang — đổi ngôn ngữ
    /cancel — huỷ thao tác đang làm
cancel-nothing = Không có thao tác nào đang làm. Gõ /help để xem các lệnh.
cancelled = Đã huỷ. Không có gì được gửi đi.
unknown-command = Bot không hiểu lệnh này. Gõ /help để xem các lệnh.
free-text = Để gửi phản ánh, gõ /report. Để tra cứu một địa điểm, gõ /status và tên, ví dụ: /status bat trang. Gõ /help để xem thêm.
unsupported-message = Bot chưa xử lý được loại tin này ở đây. Gõ /help để xem các lệnh.
stale-button = Nút này không còn hiệu lực. Gõ /help để bắt đầu lại.
pick-button = Vui lòng chọn một nút ở trên, hoặc /cancel để huỷ.
text-expected = Vui lòng gửi nội dung bằng chữ, hoặc /cancel để huỷ.
conversation-timeout = Thao tác đã hết thời gian chờ nên đã được huỷ; không có gì được gửi đi.
busy = Bạn đang làm dở { $flow }. Hãy hoàn thành hoặc gõ /cancel trước.
flood = Bạn gửi quá nhiều tin trong thời gian ngắn. Vui lòng chờ một phút rồi thử lại.
private-only = Để giữ kín thông tin cá nhân, lệnh { $command } chỉ dùng trong trò chuyện riêng với bot. Hãy mở trò chuyện riêng: https://t.me/{ $bot }

## errors
err-unavailable = Hệ thống đang bận hoặc tạm ngừng. Vui lòng thử lại sau ít phút; thông tin bạn đã nhập vẫn được giữ.
err-internal = Xin lỗi, đã có lỗi. Chúng tôi đã ghi nhận; vui lòng thử lại.

## photos
photo-expected = Vui lòng gửi một ảnh (JPEG, PNG hoặc WebP), hoặc /cancel để huỷ.
photo-too-big = Ảnh quá lớn (tối đa { $mb } MB). Vui lòng gửi ảnh nhỏ hơn.
photo-unreadable = Không đọc được ảnh này. Vui lòng gửi một ảnh JPEG hoặc PNG khác.
photo-too-many-pixels = Ảnh có độ phân giải quá lớn. Vui lòng gửi ảnh chụp thông thường hoặc ảnh đã thu nhỏ.
photo-quota = Hôm nay bạn đã gửi quá nhiều ảnh. Vui lòng thử lại vào ngày mai, hoặc tiếp tục mà không có ảnh.
text-control-character = Tin nhắn có ký tự điều khiển không hợp lệ. Vui lòng gõ lại bằng chữ thường.

## categories
cat-wastewater = Nước thải
cat-smoke_odour = Khói, mùi
cat-dust = Bụi
cat-noise = Tiếng ồn
cat-open_burning = Đốt lộ thiên
cat-illegal_dumping = Đổ thải trái phép
cat-hazardous_waste = Chất thải nguy hại
cat-other = Khác

## incident states
state-reported = đã tiếp nhận
state-triaged = đã phân loại
state-rejected = không được xử lý
state-merged = đã gộp với phản ánh khác
state-assigned = đã giao cho đơn vị xử lý
state-verified = đã xác minh tại hiện trường
state-resolved = đã xử lý xong
state-reopened = đã mở lại
state-closed = đã đóng

## /report
report-limit = Hôm nay bạn đã gửi { $limit } phản ánh, là mức tối đa trong ngày. Cảm ơn bạn; vui lòng gửi tiếp vào ngày mai.
report-category = Bạn muốn phản ánh về vấn đề gì?
report-category-pick = Vui lòng chọn loại phản ánh bằng các nút, hoặc /cancel để huỷ.
report-where =
    Ô nhiễm ở đâu? Bạn có thể:
    • gửi vị trí (📎 → Vị trí),
    • gõ tên làng nghề, khu, cụm công nghiệp (không dấu cũng được),
    • hoặc gõ địa chỉ.
report-where-length = Vui lòng gõ từ 3 đến 200 ký tự, hoặc gửi vị trí.
report-outside-hanoi = Vị trí này nằm ngoài Hà Nội. Vui lòng gửi vị trí khác hoặc gõ tên địa điểm.
report-where-pick = Có phải một trong các địa điểm này? Nếu không, dùng “{ $text }” làm địa chỉ.
report-where-none = Không tìm thấy địa điểm nào khớp với “{ $text }”. Dùng nội dung này làm địa chỉ, hoặc gõ lại, hoặc gửi vị trí.
report-use-address = Dùng làm địa chỉ
report-site-chosen = Địa điểm: { $name }.
report-describe = Mô tả ngắn gọn điều bạn thấy (thời gian, mùi, màu, nguồn thải…).
report-describe-short = Mô tả quá ngắn; vui lòng viết ít nhất 3 ký tự.
report-describe-long = Mô tả quá dài ({ $length } ký tự); tối đa { $limit } ký tự.
report-photos = Gửi tối đa { $max } ảnh nếu có (ảnh sẽ được xoá thông tin vị trí), hoặc bấm nút nếu không có ảnh.
report-photo-added = Đã nhận ảnh { $count }/{ $max }. Gửi thêm hoặc bấm “Xong”.
report-photos-full = Đã đủ { $max } ảnh.
btn-no-photos = Không có ảnh
btn-photos-done = Xong
where-site = Địa điểm: { $name }
where-point = Vị trí: { $lat }, { $lon }
where-address = Địa chỉ: { $address }
report-review =
    Kiểm tra lại phản ánh:
    • Loại: { $category }
    • { $where }
    • Mô tả: { $description }
    • Ảnh: { $photos }
    Gửi đi?
btn-send = Gửi
btn-cancel = Huỷ
report-confirm-pick = Bấm “Gửi” hoặc “Huỷ”.
report-filed = Đã gửi phản ánh. Mã số: { $ticket }. Hạn phân loại: { $triage_due }. Bạn sẽ nhận tin khi phản ánh đổi trạng thái; xem lại bằng /mine.
report-cancelled = Đã huỷ phản ánh; không có gì được gửi đi.

## /mine
mine-none = Bạn chưa có phản ánh nào. Gõ /report để gửi.
mine-title = Phản ánh của bạn ({ $count }):
mine-line = { $ticket } · { $category } · { $state } · { $date }
mine-detail =
    Mô tả: { $description }
    Ảnh: { $photos } · Hạn xử lý: { $due }
mine-assigned = Đơn vị xử lý: { $unit }
btn-add-info = Bổ sung thông tin
btn-reopen = Mở lại
mine-add-prompt = Gửi thông tin bổ sung: một đoạn chữ hoặc một ảnh.
mine-add-length = Nội dung tối đa { $limit } ký tự.
mine-added = Đã bổ sung thông tin cho { $ticket }.
mine-reopen-reason = Vì sao cần mở lại? (ví dụ: ô nhiễm vẫn tiếp diễn)
mine-reopen-length = Lý do từ 3 đến { $limit } ký tự.
mine-reopen-photo = Gửi một ảnh mới cho thấy tình trạng hiện nay.
mine-reopened = Đã mở lại { $ticket }.

## /status and the site card
status-usage = Gõ /status và tên địa điểm, ví dụ: /status bat trang
status-too-long = Tên tìm kiếm quá dài (tối đa 200 ký tự).
status-none = Không tìm thấy địa điểm nào khớp với “{ $query }”.
status-pick = Có { $count } địa điểm khớp; chọn một:
card-title = { $kind } { $name }
kind-craft_village = Làng nghề
kind-industrial_zone = Khu công nghiệp
kind-industrial_cluster = Cụm công nghiệp
card-trade = Ngành nghề
card-commune = Xã/phường (từ 1/7/2025)
card-unmapped = chưa ánh xạ
card-before-reform = Trước 1/7/2025
card-recognised = Công nhận
card-no = chưa
card-yes = có
card-classified = Phân loại
card-not-assessed = chưa đánh giá
card-classes = { $date }: nước { $water }, khí { $air }, đất { $soil }
card-conditions = Điều kiện Điều 56
card-not-checked = chưa kiểm tra
card-wwtp = Trạm XLNT
card-unknown = không rõ
card-day = ngày
card-establishments = Cơ sở
card-source = Nguồn dữ liệu
card-source-value = { $source } (độ tin cậy { $confidence })
card-last-inspection = Thanh tra gần nhất
card-none-yet = chưa có
card-open-violations = Vi phạm đang mở
card-due = hạn
card-none = không
card-open-incidents = Phản ánh đang mở
card-incidents = { $open } (tổng { $total })
card-manifests = Chứng từ CTNH
card-manifests-value = { $count } chứng từ, { $handed } kg bàn giao, { $treated } kg đã xử lý
card-grid = 12 quý (XLNT/phân loại/điều kiện)
card-indicators-missing = (Chỉ tiêu chưa sẵn sàng; đây là thông tin sổ địa điểm.)

## /link
link-usage = Gõ /link và mã liên kết do Sở cấp, ví dụ: /link 7K3M-9QXA-R2ZD-H6WP
link-bad-code = Mã liên kết gồm 16 chữ cái hoặc chữ số, chia nhóm 4 ký tự (có thể bỏ dấu gạch).
link-done = Đã liên kết tài khoản: { $role } — { $name }.
link-done-role = Đã liên kết tài khoản: { $role }.
role-business = doanh nghiệp/cơ sở phát sinh
role-transporter = đơn vị vận chuyển
role-treatment_facility = đơn vị xử lý
role-inspector = cán bộ thanh tra
role-agency = cơ quan quản lý

## /subscribe
subscribe-forbidden = Chỉ cán bộ thanh tra và cơ quan quản lý đã liên kết (/link) mới đăng ký nhận tin được.
subscribe-types = Chọn loại sự kiện muốn nhận (bấm để chọn/bỏ), rồi bấm “Tiếp”:
family-incident = Phản ánh
family-inspection = Thanh tra
family-violation = Vi phạm
family-manifest = Chứng từ CTNH
family-site = Địa điểm
btn-next = Tiếp
subscribe-types-none = Hãy chọn ít nhất một loại sự kiện.
subscribe-communes = Gõ tên các xã/phường, cách nhau bằng dấu phẩy (ví dụ: Bát Tràng, Hồng Vân), hoặc bấm “Tất cả”.
btn-all-communes = Tất cả xã/phường
subscribe-communes-count = Gõ từ 1 đến 30 tên xã/phường, cách nhau bằng dấu phẩy.
subscribe-communes-unknown = Không có xã/phường tên: { $names }. Kiểm tra lại tên (theo đơn vị hành chính từ 1/7/2025).
subscribe-done = Đã đăng ký { $id }: { $types } — { $communes }. Tin mới sẽ được gửi vào đây.
all-communes = mọi xã/phường
subscriptions-none = Bạn chưa đăng ký nhận tin nào. Gõ /subscribe để đăng ký.
subscriptions-title = Đăng ký nhận tin ({ $count }):
subscription-line = { $id }: { $types } — { $communes }
btn-unsubscribe = Huỷ { $id }
unsubscribed = Đã huỷ đăng ký { $id }.

## pushes
push-incident = Phản ánh { $ticket }: { $state }.
push-reason = Lý do: { $reason }
push-violation-found = Kết quả: đã phát hiện vi phạm và xử lý theo quy định.
push-no-violation = Kết quả: không phát hiện vi phạm.
push-event = 🔔 { $label } · { $commune } · { $time }
push-no-commune = chưa rõ xã/phường
ev-incident_reported = Phản ánh mới
ev-incident_triaged = Phản ánh được phân loại
ev-incident_assigned = Phản ánh được giao xử lý
ev-incident_resolved = Phản ánh đã xử lý
ev-incident_overdue = Phản ánh quá hạn
ev-inspection_scheduled = Lịch thanh tra
ev-inspection_conducted = Đã thanh tra
ev-inspection_concluded = Kết luận thanh tra
ev-violation_recorded = Vi phạm được ghi nhận
ev-violation_sanction_decided = Quyết định xử phạt
ev-violation_closed = Vi phạm đã khắc phục
ev-violation_overdue = Quá hạn khắc phục
ev-manifest_drafted = Chứng từ CTNH mới
ev-manifest_signed_by_generator = Chủ nguồn thải đã ký bàn giao
ev-manifest_signed_by_transporter = Đơn vị vận chuyển đã nhận
ev-manifest_received = Đơn vị xử lý đã tiếp nhận
ev-manifest_treated = CTNH đã được xử lý
ev-manifest_overdue = Chứng từ quá hạn
ev-site_registered = Địa điểm mới
ev-site_classified = Địa điểm được phân loại
ev-site_condition_set = Điều kiện bảo vệ môi trường
ev-site_wwtp_status_set = Trạm xử lý nước thải

## command menu
cmd-report = Phản ánh ô nhiễm
cmd-mine = Phản ánh của tôi
cmd-status = Tình trạng một địa điểm
cmd-link = Liên kết tài khoản
cmd-manifest = Chứng từ chất thải nguy hại
cmd-subscribe = Nhận tin sự kiện
cmd-help = Hướng dẫn
cmd-cancel = Huỷ thao tác

# reason codes of the public stream (issue 13): what a reporter is told instead of staff's words
reason-duplicate = trùng với phản ánh khác
reason-outside_jurisdiction = ngoài phạm vi quản lý
reason-not_environmental = không phải vấn đề môi trường
reason-insufficient_information = chưa đủ thông tin
reason-unfounded = không có cơ sở
reason-abusive = nội dung không phù hợp
reason-resolved = đã giải quyết
reason-no_violation_found = không phát hiện vi phạm
reason-withdrawn = người phản ánh rút lại
reason-reopen_window_expired = hết thời hạn mở lại
reason-other = lý do khác
mine-not-yours = Phản ánh này không phải của bạn, hoặc không còn trong danh sách của bạn. Gõ /mine để xem các phản ánh của bạn.
