## /manifest — chứng từ chất thải nguy hại (tiếng Việt, mặc định)

mf-not-linked =
    Lệnh /manifest dành cho tài khoản đã liên kết với một cơ sở: chủ nguồn thải, đơn vị vận chuyển hoặc đơn vị xử lý chất thải nguy hại.
    Nếu bạn đại diện cho một cơ sở, hãy đề nghị Sở cấp mã liên kết rồi gõ /link MÃ.
mf-menu = Chứng từ chất thải nguy hại — { $name } ({ $role }). Bạn muốn làm gì?
mf-draft-dropped = Chứng từ đang soạn dở đã được bỏ; chưa có gì được gửi đi.
mf-btn-new = Lập chứng từ mới
mf-btn-list = Chứng từ của tôi
mf-btn-await = Chờ tôi ký
mf-btn-cancel = Huỷ
mf-expired = Thao tác này đã kết thúc hoặc đã được huỷ. Gõ /manifest để bắt đầu lại.
mf-cancelled = Đã huỷ; không có chứng từ nào được lập.
mf-cancelled-action = Đã huỷ; chưa có gì được ký.
mf-business-only = Chỉ chủ nguồn thải (doanh nghiệp, cơ sở đã liên kết) mới lập được chứng từ.
mf-not-generator = { $name } chưa được đăng ký là chủ nguồn thải chất thải nguy hại nên chưa lập được chứng từ. Vui lòng liên hệ Sở để cập nhật.

## lập chứng từ mới
mf-ask-transporter = Bước 1/5 — Đơn vị vận chuyển: gõ tên hoặc mã số đăng ký (gõ không dấu cũng được).
mf-search-length = Vui lòng gõ từ { $min } đến { $max } ký tự.
mf-transporter-none = Không tìm thấy đơn vị vận chuyển có giấy phép nào khớp với “{ $query }”. Gõ lại tên hoặc mã số đăng ký.
mf-transporter-pick = Các đơn vị vận chuyển khớp với “{ $query }” — chọn một:
mf-transporter-again = Gõ tên hoặc mã số của đơn vị vận chuyển rồi chọn trong danh sách, hoặc /cancel để huỷ.
mf-pick-again = Lựa chọn này không còn trong danh sách. Gõ lại tên để tìm.
mf-ask-facility =
    Đơn vị vận chuyển: { $name }.
    Bước 2/5 — Đơn vị xử lý: gõ tên hoặc mã số đăng ký.
mf-facility-none = Không tìm thấy đơn vị xử lý có giấy phép nào khớp với “{ $query }”. Gõ lại tên hoặc mã số đăng ký.
mf-facility-pick = Các đơn vị xử lý khớp với “{ $query }” — chọn một:
mf-facility-again = Gõ tên hoặc mã số của đơn vị xử lý rồi chọn trong danh sách, hoặc /cancel để huỷ.
mf-ask-plate =
    Đơn vị xử lý: { $name }.
    Bước 3/5 — Biển số xe vận chuyển (ví dụ: 29C-123.45):
mf-plate-bad = Biển số chưa hợp lệ: cần từ { $min } đến { $max } ký tự, gồm chữ cái và chữ số (có thể có dấu gạch ngang, dấu chấm), ví dụ 29C-123.45.
mf-plate-again = Gõ biển số xe vận chuyển (ví dụ: 29C-123.45), hoặc /cancel để huỷ.
mf-ask-date = Bước 4/5 — Ngày dự kiến bàn giao: gõ theo dạng ngày/tháng/năm (ví dụ { $example }) hoặc bấm “Hôm nay”.
mf-btn-today = Hôm nay
mf-date-bad = “{ $text }” không phải là một ngày hợp lệ. Gõ theo dạng ngày/tháng/năm, ví dụ { $example }.
mf-date-range = Ngày dự kiến phải trong khoảng từ { $start } đến { $end }.
mf-date-again = Gõ ngày dự kiến bàn giao (ngày/tháng/năm) hoặc bấm “Hôm nay”, hoặc /cancel để huỷ.
mf-ask-code = Bước 5/5 — Dòng chất thải số { $line }: gõ mã CTNH (ví dụ: 16 01 06) hoặc vài từ trong tên chất thải (ví dụ: bóng đèn, dầu động cơ).
mf-code-length = Vui lòng gõ mã CTNH hoặc từ { $min } đến { $max } ký tự của tên chất thải.
mf-code-unknown = Mã “{ $code }” không có trong danh mục CTNH đang áp dụng ({ $version }). Kiểm tra lại, hoặc gõ vài từ trong tên chất thải để được gợi ý.
mf-code-none = Không có mã CTNH nào có tên khớp với “{ $query }”. Thử từ khác, hoặc gõ mã dạng 16 01 06.
mf-code-not-licensed = Giấy phép của { $facility } không cho phép tiếp nhận mã { $code }. Chọn mã khác, hoặc gõ /cancel rồi chọn đơn vị xử lý khác.
mf-code-none-licensed = Có mã khớp với “{ $query }” ({ $codes }) nhưng giấy phép của { $facility } không cho phép tiếp nhận các mã này. Chọn mã khác, hoặc gõ /cancel rồi chọn đơn vị xử lý khác.
mf-code-pick = Các mã CTNH phù hợp mà đơn vị xử lý được phép tiếp nhận — chọn một:
mf-code-again = Gõ mã CTNH hoặc tên chất thải, rồi chọn trong các gợi ý; hoặc /cancel để huỷ.
mf-ask-kg =
    { $code } — { $name }.
    Khối lượng bao nhiêu kg? (ví dụ: 12,5)
mf-kg-bad = “{ $text }” không phải là một số. Gõ khối lượng theo kg, ví dụ 12,5.
mf-kg-positive = Khối lượng phải lớn hơn 0 kg.
mf-kg-too-big = Khối lượng mỗi dòng tối đa { $max } kg; khối lượng lớn hơn hãy tách thành nhiều dòng hoặc nhiều chứng từ.
mf-kg-again = Gõ khối lượng theo kg (ví dụ: 12,5), hoặc /cancel để huỷ.
mf-ask-state = Khối lượng: { $kg } kg. Trạng thái tồn tại của chất thải? (theo danh mục thường là: { $usual })
mf-state-pick = Vui lòng chọn trạng thái tồn tại bằng các nút, hoặc /cancel để huỷ.
mf-ask-packaging = Trạng thái: { $state }. Quy cách đóng gói? Gõ (ví dụ: thùng phuy 200 lít) hoặc bấm nút.
mf-packaging-default = Thùng chứa kín có nắp
mf-btn-packaging-default = Thùng chứa kín có nắp
mf-btn-as-before = Như dòng trước: { $value }
mf-packaging-again = Gõ quy cách đóng gói hoặc bấm nút, hoặc /cancel để huỷ.
mf-text-length = Vui lòng gõ từ { $min } đến { $max } ký tự.
mf-ask-method = Đóng gói: { $packaging }. Phương pháp xử lý dự kiến? (ví dụ: đốt, hoá rắn, tái chế, phá dỡ thu hồi)
mf-method-again = Gõ phương pháp xử lý dự kiến, hoặc /cancel để huỷ.
mf-line =
    { $line }. { $code } — { $name }
    {"   "}{ $kg } kg · { $state } · { $packaging } · { $method }
mf-line-added =
    Đã thêm dòng { $line }:
    { $summary }
    Thêm dòng khác hay xem lại chứng từ?
mf-btn-add-line = Thêm dòng
mf-btn-review = Xem lại
mf-lines-full = Chứng từ đã đủ { $max } dòng; hãy xem lại và ký, phần còn lại lập chứng từ khác.
mf-more-pick = Bấm “Thêm dòng”, “Xem lại” hoặc “Huỷ”.
mf-review =
    Kiểm tra lại chứng từ { $number }:
    • Chủ nguồn thải: { $generator }
    • Đơn vị vận chuyển: { $transporter }
    • Đơn vị xử lý: { $facility }
    • Biển số xe: { $plate }
    • Ngày dự kiến bàn giao: { $date }
    • Các dòng chất thải:
    { $lines }
    • Tổng: { $total } kg
    Bấm “Ký và gửi” để lập chứng từ và ký bàn giao. Chưa có gì được gửi đi trước khi bạn bấm.
mf-btn-sign-send = Ký và gửi
mf-review-pick = Bấm “Ký và gửi”, “Thêm dòng” hoặc “Huỷ”.
mf-filed = Đã lập và ký bàn giao chứng từ { $number }. Trạng thái: { $state }. Đơn vị vận chuyển sẽ thấy chứng từ trong mục “Chờ tôi ký”; xem lại bằng /manifest → “Chứng từ của tôi”.

## danh sách và chi tiết
mf-list-none = Chưa có chứng từ nào ghi tên cơ sở của bạn.
mf-list-title = Chứng từ của cơ sở ({ $count }):
mf-list-more = (chỉ hiển thị { $shown } chứng từ mới nhất)
mf-list-line = { $number } · { $state } · { $party }
mf-party-generator = chủ nguồn thải
mf-party-transporter = vận chuyển (thứ { $position })
mf-party-facility = xử lý (thứ { $position })
mf-show =
    Chứng từ { $number } (phiên bản { $version })
    • Trạng thái: { $state }
    • Chủ nguồn thải: { $generator }
    • Vận chuyển: { $transporters }
    • Xử lý: { $facility }
    • Biển số xe: { $plate }
    • Ngày dự kiến bàn giao: { $date }
    • Các dòng chất thải:
    { $lines }
    • Tổng khai báo: { $total } kg
mf-show-received = • Đơn vị xử lý cân thực nhận: { $kg } kg
mf-show-discrepancy = • Sai lệch đang mở ở dòng { $lines }, hạn thống nhất { $due }
mf-show-treated = • Đã xử lý bằng “{ $method }” ngày { $date }
mf-state-draft = bản nháp, chưa ký
mf-state-handed_over = đã bàn giao, chờ đơn vị vận chuyển ký nhận
mf-state-in_transit = đang vận chuyển
mf-state-received = đơn vị xử lý đã tiếp nhận
mf-state-treated = đã xử lý
mf-state-copy4_returned = đã trả liên 4 cho chủ nguồn thải
mf-state-closed = đã đóng
mf-state-cancelled = đã huỷ
mf-state-rejected = bị đơn vị xử lý từ chối
mf-pstate-solid = Rắn
mf-pstate-liquid = Lỏng
mf-pstate-sludge = Bùn
mf-pstate-solid_liquid = Rắn/lỏng
mf-pstate-gas = Khí

## chờ tôi ký (vận chuyển, xử lý)
mf-await-role = Mục “Chờ tôi ký” dành cho đơn vị vận chuyển và đơn vị xử lý.
mf-await-none = Không có chứng từ nào đang chờ bạn ký.
mf-await-title = Chứng từ đang chờ bạn ký ({ $count }):
mf-btn-pickup = Ký nhận { $number }
mf-btn-pickup-all = Ký nhận tất cả ({ $count })
mf-btn-receive = Tiếp nhận { $number }
mf-btn-treat = Đã xử lý { $number }
mf-btn-treat-all = Đã xử lý tất cả ({ $count })
mf-btn-handover = Ký bàn giao { $number }
mf-picked-up = Đã ký nhận chứng từ { $number }. Trạng thái: { $state }.
mf-handed-over = Đã ký bàn giao chứng từ { $number }. Trạng thái: { $state }.
mf-bulk-result = Đã ký { $signed }/{ $total } chứng từ:
mf-bulk-signed-line = • { $number }: đã ký
mf-bulk-failed-line = • { $number }: chưa ký được — { $reason }
mf-reason-twice = bạn đã ký chứng từ này rồi
mf-reason-turn = chưa đến lượt bạn ký
mf-reason-own-signature = chứng từ này không ghi tên cơ sở của bạn ở vị trí này

## tiếp nhận (đơn vị xử lý)
mf-not-receivable = Chứng từ { $number } đang ở trạng thái “{ $state }” nên chưa tiếp nhận được.
mf-ask-measured =
    Tiếp nhận chứng từ { $number } — dòng { $line }/{ $count }: { $code } — { $name }, khai báo { $declared } kg.
    Gõ khối lượng cân được (kg), hoặc bấm nút nếu đúng như khai báo.
mf-btn-same = Đúng như khai báo ({ $kg } kg)
mf-btn-same-all = Các dòng còn lại đúng như khai báo
mf-measured-bad = “{ $text }” không phải là một số. Gõ khối lượng cân được theo kg (0 nếu không nhận được), ví dụ 12,5.
mf-measured-negative = Khối lượng cân được không được là số âm.
mf-measured-again = Gõ khối lượng cân được (kg) hoặc bấm nút, hoặc /cancel để huỷ.
mf-measured-line = { $line }. { $code }: khai báo { $declared } kg → cân được { $measured } kg
mf-flag-discrepancy = ⚠ lệch quá 10%
mf-receive-review =
    Kiểm tra lại việc tiếp nhận chứng từ { $number }:
    { $lines }
    Dòng lệch quá 10% so với khai báo sẽ mở một sai lệch cần chủ nguồn thải và đơn vị xử lý thống nhất. Xác nhận tiếp nhận?
mf-btn-confirm-receive = Xác nhận tiếp nhận
mf-confirm-pick = Bấm một nút ở trên để xác nhận hoặc huỷ, hoặc gõ /cancel.
mf-received = Đã ký tiếp nhận chứng từ { $number }. Trạng thái: { $state }.
mf-received-discrepancy = Có sai lệch so với khai báo ở dòng { $lines }: chủ nguồn thải và đơn vị xử lý cần thống nhất trước ngày { $due }.
mf-next-treat = Khi đã xử lý xong chứng từ { $number }, bấm nút dưới đây:

## xử lý (đơn vị xử lý)
mf-not-treatable = Chứng từ { $number } đang ở trạng thái “{ $state }” nên chưa ghi nhận xử lý được.
mf-ask-treat-method = Ghi nhận đã xử lý { $numbers } ngày { $date }. Phương pháp xử lý đã áp dụng? (ví dụ: đốt, hoá rắn, tái chế)
mf-treat-method-again = Gõ phương pháp xử lý đã áp dụng, hoặc /cancel để huỷ.
mf-treat-review = Xác nhận đã xử lý { $numbers } bằng “{ $method }” ngày { $date }?
mf-btn-confirm-treat = Xác nhận đã xử lý
mf-treated = Đã ghi nhận xử lý chứng từ { $number }. Trạng thái: { $state }. Chủ nguồn thải sẽ nhận lại liên 4.
