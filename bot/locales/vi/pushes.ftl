# Tin đẩy về chứng từ chất thải nguy hại đến các bên (bot/pushes/manifests.py) và các nút của chúng
# (bot/flows/manifest_signals.py).

mfp-party-generator = Chủ nguồn thải
mfp-party-transporter = Đơn vị vận chuyển { $position }
mfp-party-facility = Cơ sở xử lý { $position }

mfp-btn-view = Xem chứng từ
mfp-btn-sign-again = Ký lại
mfp-btn-agree = Đồng ý số liệu
mfp-btn-escalate = Đề nghị cơ quan xử lý

# -- đến lượt bên tiếp theo
mfp-pickup-awaits = Chứng từ số { $number }: chủ nguồn thải đã ký bàn giao. Chất thải đang chờ bạn đến nhận; hãy ký khi nhận hàng.
mfp-leg-awaits = Chứng từ số { $number }: { $previous } đã ký nhận. Đến lượt bạn vận chuyển chặng { $leg }; hãy ký khi nhận hàng.
mfp-arrival-awaits = Chứng từ số { $number }: { $previous } đã ký nhận và đang chở chất thải đến cơ sở của bạn. Hãy cân và ký nhận khi hàng đến.
mfp-facility2-turn = Chứng từ số { $number }: cơ sở xử lý 1 đã ký nhận. Đến lượt cơ sở của bạn (cơ sở xử lý 2) thực hiện bước của mình.

# -- từ chối
mfp-rejected-full = Chứng từ số { $number }: cơ sở xử lý đã từ chối toàn bộ lô hàng (lý do: { $reason }). Một chứng từ mới đã được lập cho chất thải bị từ chối.
mfp-rejected-part = Chứng từ số { $number }: cơ sở xử lý đã từ chối dòng { $lines } (lý do: { $reason }). Một chứng từ mới đã được lập cho các dòng này.
mfp-reject-reason-wrong_waste_type = sai loại chất thải
mfp-reject-reason-not_permitted = không có trong giấy phép
mfp-reject-reason-packaging = bao bì không đạt
mfp-reject-reason-quantity = khối lượng không đúng
mfp-reject-reason-documents = thiếu giấy tờ
mfp-reject-reason-capacity = hết công suất tiếp nhận
mfp-reject-reason-other = lý do khác

# -- sửa chứng từ, ký lại
mfp-resign = Chứng từ số { $number } đã được sửa (phiên bản { $version }): { $changed } — { $reason }. { $party } cần ký lại phiên bản này trước các bước tiếp theo.
mfp-field-transporters = đơn vị vận chuyển
mfp-field-facility_1 = cơ sở xử lý 1
mfp-field-facility_2 = cơ sở xử lý 2
mfp-field-vehicle_plate = biển số xe
mfp-field-lines = danh sách chất thải
mfp-field-planned_date = ngày dự kiến
mfp-correct-reason-data_error = sửa sai sót dữ liệu
mfp-correct-reason-route_change = đổi tuyến vận chuyển
mfp-correct-reason-quantity_change = đổi khối lượng
mfp-correct-reason-vehicle_change = đổi phương tiện
mfp-correct-reason-other = lý do khác
mfp-signed-again = ✅ Bạn đã ký lại phiên bản { $version }.
mfp-stale = Tin nhắn này thuộc phiên bản { $pressed }; chứng từ nay là phiên bản { $current }. Hãy dùng tin nhắn mới nhất.

# -- chênh lệch số liệu
mfp-discrepancy = Chứng từ số { $number }: số liệu cân khi tiếp nhận chênh lệch với số khai:
    { $lines }
    Cả chủ nguồn thải và cơ sở xử lý cùng đồng ý thì số liệu được chốt; nếu không, đề nghị cơ quan quản lý xử lý.
mfp-disc-weight = • Dòng { $line }: khai { $declared } kg, cân được { $measured } kg (lệch { $share }%)
mfp-disc-code = • Dòng { $line }: khai mã { $declared }, thực tế mã { $measured }
mfp-disc-more = • … và { $count } dòng khác (xem chứng từ)
mfp-discrepancy-reminder = Chứng từ số { $number }: { $party } đã đồng ý số liệu cân. Số liệu chỉ được chốt khi bạn cũng đồng ý:
    { $lines }
mfp-agreed-waiting = ✅ Bạn đã đồng ý số liệu. Đang chờ bên kia: số liệu chỉ được chốt khi cả hai bên cùng đồng ý.
mfp-agreed-both = ✅ Cả hai bên đã đồng ý: số liệu cân được chốt.
mfp-escalated-done = 📨 Đã đề nghị cơ quan quản lý xử lý chênh lệch.
mfp-discrepancy-agreed = Chứng từ số { $number }: cả chủ nguồn thải và cơ sở xử lý đã đồng ý, số liệu cân được chốt.
mfp-discrepancy-escalated = Chứng từ số { $number }: chênh lệch số liệu đã được chuyển cơ quan quản lý xử lý.
mfp-note-agreed = Đồng ý số liệu cân (qua Telegram)
mfp-note-escalated = Đề nghị cơ quan quản lý xử lý chênh lệch (qua Telegram)
mfp-bad-button = Nút này không còn hợp lệ.
mfp-refused-role = Tài khoản của bạn không làm được việc này: nút này dành cho bên có tên trên chứng từ (hãy liên kết tài khoản bằng /link).
mfp-refused-party = Cơ sở của bạn không phải là bên được hỏi trong chứng từ này; nút chỉ có tác dụng với bên đã nhận tin nhắn.
mfp-refused-twice = Việc này đã được thực hiện rồi; không cần làm lại.
mfp-refused-settled = Chênh lệch của chứng từ này đã được giải quyết.
mfp-refused-turn = Chưa đến lượt cơ sở của bạn ở chứng từ này.
