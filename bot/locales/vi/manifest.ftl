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
mf-transporter-added = Đơn vị vận chuyển thứ { $position }: { $name }. Có đơn vị vận chuyển tiếp theo (chở tiếp chặng sau) không?
mf-btn-add-transporter = Thêm đơn vị vận chuyển
mf-btn-done = Xong
mf-ask-transporter-next = Đơn vị vận chuyển thứ { $position }: gõ tên hoặc mã số đăng ký.
mf-transporter-twice = { $name } đã có trong danh sách vận chuyển; mỗi đơn vị chỉ ghi một lần. Chọn đơn vị khác.
mf-transporters-full = Đã đủ { $max } đơn vị vận chuyển, mức tối đa của một chứng từ.
mf-transporter-more-pick = Bấm “Thêm đơn vị vận chuyển” hoặc “Xong”, hoặc /cancel để huỷ.
mf-ask-facility =
    Đơn vị vận chuyển: { $name }.
    Bước 2/5 — Đơn vị xử lý: gõ tên hoặc mã số đăng ký.
mf-facility-not-treatment = { $name } không phải là đơn vị xử lý chất thải nguy hại có giấy phép. Gõ tên hoặc mã số của một đơn vị xử lý.
mf-facility-unlicensed = Giấy phép của { $name } chưa ghi mã CTNH nào được phép xử lý nên chưa chọn được. Chọn đơn vị xử lý khác.
mf-ask-facility2 = Đơn vị xử lý thứ nhất: { $name }. Chất thải có chuyển tiếp đến một đơn vị xử lý thứ hai không?
mf-btn-add-facility2 = Thêm đơn vị xử lý thứ hai
mf-btn-no-facility2 = Không
mf-facility2-pick = Bấm “Thêm đơn vị xử lý thứ hai” hoặc “Không”, hoặc /cancel để huỷ.
mf-ask-facility2-search = Đơn vị xử lý thứ hai (nhận sau { $name }): gõ tên hoặc mã số đăng ký.
mf-facility2-same = { $name } đã là đơn vị xử lý thứ nhất; đơn vị xử lý thứ hai phải là một đơn vị khác.
mf-facility2-no-common = Giấy phép của { $name } và của { $first } không có mã CTNH chung nào, nên không cùng ghi trên một chứng từ được. Chọn đơn vị khác.
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
mf-show-discrepancy-kg = {"   "}Dòng { $line }: khai báo { $declared } kg → cân được { $measured } kg (lệch { $share }%)
mf-show-discrepancy-code = {"   "}Dòng { $line }: khai báo mã { $declared } → thực nhận mã { $measured }
mf-show-rejected = • Bị từ chối: dòng { $lines } ({ $kg } kg), chuyển theo { $count } chứng từ liên kết
mf-show-copy4 = • Liên 4 đã về chủ nguồn thải ngày { $date }
mf-show-resign = • Đã sửa: chờ ký lại — { $parties }
mf-show-wait-turn = • Chưa đến lượt bạn: đơn vị vận chuyển trước phải ký nhận trước.
mf-btn-open = Xem chứng từ { $number }
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
mf-reason-resign = chứng từ vừa được chủ nguồn thải sửa, các bên đã ký cần ký lại phiên bản mới trước
mf-refused = Chưa ký được chứng từ { $number }: { $reason }.
mf-btn-sign-again = Ký lại { $number }
mf-signed-again = Đã ký lại chứng từ { $number } (phiên bản mới). Trạng thái: { $state }.

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
mf-ask-treat-date =
    Ghi nhận đã xử lý { $numbers } (tiếp nhận ngày { $received }). Xử lý ngày nào?
    Bấm nút hoặc gõ ngày/tháng/năm (ví dụ { $example }); không được là ngày trong tương lai.
mf-btn-yesterday = Hôm qua
mf-treat-date-future = Ngày xử lý không được sau hôm nay ({ $today }).
mf-treat-date-before = Ngày xử lý không được trước ngày tiếp nhận ({ $received }).
mf-treat-date-again = Gõ ngày xử lý (ngày/tháng/năm) hoặc bấm “Hôm nay”/“Hôm qua”, hoặc /cancel để huỷ.
mf-ask-treat-method = Ghi nhận đã xử lý { $numbers } ngày { $date }. Phương pháp xử lý đã áp dụng? (ví dụ: đốt, hoá rắn, tái chế)
mf-treat-method-again = Gõ phương pháp xử lý đã áp dụng, hoặc /cancel để huỷ.
mf-treat-review = Xác nhận đã xử lý { $numbers } bằng “{ $method }” ngày { $date }?
mf-btn-confirm-treat = Xác nhận đã xử lý
mf-treated = Đã ghi nhận xử lý chứng từ { $number }. Trạng thái: { $state }. Chủ nguồn thải sẽ nhận lại liên 4.

## từ chối (đơn vị xử lý)
mf-btn-reject = Từ chối { $number }
mf-not-rejectable = Chứng từ { $number } đang ở trạng thái “{ $state }” nên không từ chối được.
mf-ask-reject-which = Từ chối chứng từ { $number }: từ chối cả lô hay chỉ một số dòng?
mf-btn-reject-all = Cả lô
mf-btn-reject-some = Chọn dòng
mf-reject-which-again = Bấm “Cả lô” hoặc “Chọn dòng”, hoặc /cancel để huỷ.
mf-ask-reject-lines = Chọn các dòng bị từ chối của chứng từ { $number } (bấm để chọn/bỏ chọn), rồi bấm “Xong”:
mf-reject-chosen = Các dòng đã chọn: { $lines }. Bấm thêm để chọn/bỏ chọn, rồi bấm “Xong”.
mf-reject-none-chosen = Chưa chọn dòng nào. Bấm vào các dòng bị từ chối rồi bấm “Xong”.
mf-reject-lines-again = Bấm vào các dòng bị từ chối rồi bấm “Xong”, hoặc /cancel để huỷ.
mf-ask-reject-code = Lý do từ chối thuộc loại nào?
mf-reject-code-again = Chọn loại lý do bằng các nút, hoặc /cancel để huỷ.
mf-rcode-wrong-waste-type = Sai loại chất thải
mf-rcode-not-permitted = Ngoài giấy phép
mf-rcode-packaging = Bao bì, đóng gói
mf-rcode-quantity = Sai khối lượng
mf-rcode-documents = Sai giấy tờ
mf-rcode-capacity = Quá công suất
mf-rcode-other = Lý do khác
mf-ask-reject-reason = Ghi rõ lý do từ chối (chỉ các bên và cơ quan quản lý được xem):
mf-reject-reason-again = Gõ lý do bằng lời (từ 2 đến 200 ký tự), hoặc /cancel để huỷ.
mf-ask-reject-dest = Phần chất thải bị từ chối sẽ chuyển đi đâu?
mf-btn-back-generator = Trả về chủ nguồn thải
mf-btn-alternate = Chuyển đến đơn vị xử lý khác
mf-reject-dest-again = Bấm “Trả về chủ nguồn thải” hoặc “Chuyển đến đơn vị xử lý khác”, hoặc /cancel để huỷ.
mf-ask-alternate = Đơn vị xử lý thay thế: gõ tên hoặc mã số đăng ký.
mf-alternate-self = Đơn vị xử lý thay thế phải là một đơn vị khác với cơ sở của bạn.
mf-alternate-not-licensed = Giấy phép của { $name } không cho phép tiếp nhận mã { $codes }. Chọn đơn vị xử lý khác.
mf-reject-whole = cả lô
mf-reject-to-generator = trả về chủ nguồn thải
mf-reject-review =
    Kiểm tra lại việc từ chối chứng từ { $number }:
    • Từ chối: { $lines }
    • Loại lý do: { $code }
    • Lý do: { $reason }
    • Chuyển đến: { $dest }
    • Chứng từ liên kết mới: { $new_number }
    Xác nhận từ chối?
mf-btn-confirm-reject = Xác nhận từ chối
mf-rejected = Đã ký từ chối chứng từ { $number }. Trạng thái: { $state }. Phần bị từ chối đi theo chứng từ liên kết mới { $new_number } ({ $dest }).

## sửa chứng từ (chủ nguồn thải)
mf-btn-correct = Sửa { $number }
mf-correct-generator-only = Chỉ chủ nguồn thải của chứng từ mới sửa được chứng từ.
mf-not-correctable = Chứng từ { $number } đang ở trạng thái “{ $state }” nên không sửa được nữa.
mf-corr-what =
    Sửa chứng từ { $number }. Các thay đổi đến giờ:
    { $changes }
    Chọn mục cần sửa, hoặc bấm “Xong” khi đã sửa xong.
mf-corr-no-change = (chưa có thay đổi)
mf-btn-corr-plate = Biển số xe
mf-btn-corr-date = Ngày dự kiến
mf-btn-corr-kg = Khối lượng một dòng
mf-btn-corr-transporters = Đơn vị vận chuyển
mf-corr-what-again = Chọn mục cần sửa bằng các nút, bấm “Xong” hoặc “Huỷ”.
mf-corr-nothing = Chưa có thay đổi nào. Chọn mục cần sửa trước khi bấm “Xong”.
mf-corr-ask-plate = Biển số hiện tại: { $current }. Gõ biển số mới (ví dụ: 29C-123.45):
mf-corr-ask-date = Ngày dự kiến hiện tại: { $current }. Gõ ngày mới theo dạng ngày/tháng/năm (ví dụ { $example }):
mf-corr-date-again = Gõ ngày dự kiến mới (ngày/tháng/năm), hoặc /cancel để huỷ.
mf-corr-ask-line = Sửa khối lượng dòng nào?
mf-corr-line-again = Chọn dòng cần sửa bằng các nút, hoặc /cancel để huỷ.
mf-corr-kg-rejected = Chứng từ có dòng đã bị từ chối nên không sửa khối lượng được; phần bị từ chối đã đi theo chứng từ liên kết.
mf-corr-ask-kg = Dòng { $line } ({ $code }): hiện { $current } kg. Gõ khối lượng đúng (kg):
mf-corr-ask-transporter = Ghi lại các đơn vị vận chuyển theo thứ tự. Đơn vị thứ { $position }: gõ tên hoặc mã số đăng ký.
mf-corr-change-plate = • Biển số xe: { $old } → { $new }
mf-corr-change-date = • Ngày dự kiến: { $old } → { $new }
mf-corr-change-kg = • Dòng { $line } ({ $code }): { $old } kg → { $new } kg
mf-corr-change-transporters = • Vận chuyển: { $old } → { $new }
mf-corr-ask-code = Lý do sửa thuộc loại nào?
mf-corr-code-again = Chọn loại lý do bằng các nút, hoặc /cancel để huỷ.
mf-ccode-data-error = Nhập sai số liệu
mf-ccode-route-change = Đổi tuyến vận chuyển
mf-ccode-quantity-change = Đổi khối lượng
mf-ccode-vehicle-change = Đổi xe
mf-ccode-other = Lý do khác
mf-corr-ask-reason = Ghi rõ lý do sửa (chỉ các bên và cơ quan quản lý được xem):
mf-corr-review =
    Kiểm tra lại bản sửa chứng từ { $number } (phiên bản { $version }):
    { $changes }
    • Loại lý do: { $code }
    • Lý do: { $reason }
    Các bên đã ký sẽ phải ký lại phiên bản mới. Xác nhận sửa?
mf-btn-confirm-correct = Xác nhận sửa
mf-corrected = Đã lưu phiên bản { $version } của chứng từ { $number }. Cần ký lại: { $parties }.
mf-corrected-none = Đã lưu phiên bản { $version } của chứng từ { $number }. Chưa bên nào ký nên không ai phải ký lại.

## liên 4 (chủ nguồn thải)
mf-btn-copy4 = Đã nhận liên 4 { $number }
mf-not-copy4 = Chứng từ { $number } đang ở trạng thái “{ $state }”: chỉ xác nhận liên 4 khi đã xử lý xong.
mf-ask-copy4 = Xác nhận đã nhận lại liên 4 của chứng từ { $number } từ đơn vị xử lý?
mf-btn-confirm-copy4 = Xác nhận đã nhận liên 4
mf-copy4-returned = Đã xác nhận liên 4 của chứng từ { $number }. Trạng thái: { $state }.
