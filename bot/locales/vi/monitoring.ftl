# /monitoring: kết quả quan trắc định kỳ của cơ sở đã liên kết (issue 16)
cmd-monitoring = Nộp kết quả quan trắc định kỳ
mon-not-linked = /monitoring dành cho tài khoản của cơ sở (doanh nghiệp, đơn vị vận chuyển, cơ sở xử lý) đã liên kết bằng mã do cơ quan cấp: gõ /link và mã.
mon-ask-date = Nộp kết quả quan trắc — Bước 1/4: ngày lấy mẫu? Bấm “Hôm nay”, “Hôm qua” hoặc gõ theo dạng ngày/tháng/năm (ví dụ { $example }).
btn-mon-today = Hôm nay
btn-mon-yesterday = Hôm qua
mon-date-bad = “{ $text }” không phải là một ngày hợp lệ. Gõ ngày lấy mẫu theo dạng ngày/tháng/năm, ví dụ { $example }.
mon-date-future = Ngày lấy mẫu { $day } ở tương lai (hôm nay là { $today }). Chưa ghi nhận gì; gõ lại ngày lấy mẫu.
mon-date-early = Ngày lấy mẫu { $day } trước { $first }: hệ thống chỉ nhận kết quả quan trắc từ năm 2022. Chưa ghi nhận gì; gõ lại ngày lấy mẫu.
mon-date-again = Gõ ngày lấy mẫu (ngày/tháng/năm) hoặc bấm “Hôm nay”, “Hôm qua”, hoặc /cancel để huỷ.
mon-ask-results =
    Bước 2/4 — Kết quả phân tích mẫu ngày { $day }: gửi trong một tin nhắn, mỗi dòng một thông số: tên thông số, giá trị, đơn vị. Ví dụ:
    COD 80 mg/l
    BOD5 35,5 mg/l
    pH 7,2 -
    Dùng dấu phẩy hoặc dấu chấm cho phần thập phân; pH không cần đơn vị. Có thể thêm hệ số Kq=0,9 Kf=1,1. Tối đa { $lines } dòng, mỗi dòng tối đa { $chars } ký tự.
mon-results-expected = Vui lòng gửi kết quả bằng chữ, mỗi dòng một thông số (ví dụ “COD 80 mg/l”), hoặc /cancel để huỷ.
mon-results-again = Chưa ghi nhận gì. Vui lòng gửi lại kết quả, mỗi dòng một thông số (ví dụ “COD 80 mg/l”), hoặc /cancel để huỷ.
mon-results-empty = Tin nhắn không có dòng kết quả nào. Gửi mỗi dòng một thông số, ví dụ “COD 80 mg/l”.
mon-results-too-long = Tin nhắn quá dài (tối đa { $max } ký tự). Chưa ghi nhận gì; hãy gửi bản ngắn hơn.
mon-results-too-many = Quá nhiều dòng: tối đa { $max } thông số một lần nộp. Chưa ghi nhận gì.
mon-line-too-long = Dòng { $line } (“{ $text }”) dài quá { $max } ký tự. Chưa ghi nhận gì; gửi lại, mỗi dòng một thông số.
mon-line-bad = Dòng { $line } (“{ $text }”) chưa đúng dạng “tên thông số, giá trị, đơn vị”, ví dụ “COD 80 mg/l”. Giá trị phải là một số (không dấu “<”). Chưa ghi nhận gì; gửi lại toàn bộ kết quả.
mon-line-no-unit = Dòng { $line } (“{ $text }”) thiếu đơn vị (chỉ pH không cần), ví dụ “COD 80 mg/l”. Chưa ghi nhận gì; gửi lại toàn bộ kết quả.
mon-line-unknown = Dòng { $line }: không nhận ra thông số “{ $name }” trong bảng giới hạn (ví dụ { $examples }). Chưa ghi nhận gì; gửi lại toàn bộ kết quả.
mon-line-range = Dòng { $line } (“{ $text }”): giá trị ngoài khoảng cho phép (từ 0 đến { $max }). Chưa ghi nhận gì; gửi lại toàn bộ kết quả.
mon-line-unit = Dòng { $line }: { $name } đo bằng { $expected }, không phải “{ $unit }”. Chưa ghi nhận gì; gửi lại toàn bộ kết quả.
mon-line-factor = Dòng { $line } (“{ $text }”): hệ số Kq, Kf phải là số lớn hơn 0 và không quá { $max }. Chưa ghi nhận gì; gửi lại toàn bộ kết quả.
mon-line-twice = Dòng { $line }: thông số { $name } đã có ở dòng { $first }. Mỗi thông số chỉ ghi một lần; chưa ghi nhận gì.
mon-ask-document = Đã đọc { $count } thông số. Bước 3/4 — Gửi phiếu kết quả của phòng thí nghiệm dưới dạng tệp (PDF, DOCX hoặc XLSX, tối đa { $mb } MB), hoặc bấm “Bỏ qua”.
btn-mon-skip = Bỏ qua
mon-document-expected = Vui lòng gửi phiếu kết quả dưới dạng tệp (PDF, DOCX hoặc XLSX) hoặc bấm “Bỏ qua” (gõ “bỏ qua” cũng được), hoặc /cancel để huỷ.
mon-card =
    Bước 4/4 — Kiểm tra trước khi nộp:
    Ngày lấy mẫu: { $day }
    Kết quả ({ $count } thông số):
    { $lines }
    Phiếu kết quả: { $document }
    Bấm “Nộp kết quả” để gửi cho Sở, hoặc “Huỷ”.
mon-card-line = • { $name }: { $value } { $unit }{ $factors }
mon-card-document = tệp { $kind }, { $kb } kB
mon-card-no-document = không gửi kèm
btn-mon-confirm = Nộp kết quả
mon-confirm-expected = Bấm “Nộp kết quả” để gửi, hoặc “Huỷ” hay /cancel để huỷ.
mon-filed =
    Đã ghi nhận kết quả quan trắc, ngày lấy mẫu { $day } (mã { $ref }).
    Đánh giá theo { $table } (phiên bản { $version }): { $reason }
    { $rows }
    { $verdict }
mon-row-within = ✅ { $name }: { $value }{ $unit } — đạt ({ $limit })
mon-row-over = ❗ { $name }: { $value }{ $unit } — VƯỢT giới hạn, gấp { $factor } lần ({ $limit })
mon-limit-max = giới hạn ≤ { $high }{ $unit }
mon-limit-range = giới hạn từ { $low } đến { $high }{ $unit }
mon-limit-permit = — giới hạn riêng của giấy phép, chặt hơn quy chuẩn
mon-limit-permit-unit = — giấy phép ghi giới hạn bằng đơn vị khác nên áp dụng quy chuẩn
mon-verdict-within = Kết luận: cả { $total } thông số đều trong giới hạn.
mon-verdict-over = Kết luận: { $count }/{ $total } thông số VƯỢT giới hạn. Sở đã nhận kết quả này; cơ sở cần rà soát hệ thống xử lý nước thải.
mon-reason-before_successor = mẫu lấy trước ngày { $successor } có hiệu lực ({ $new_from }), nên áp dụng quy chuẩn cũ.
mon-reason-transition = cơ sở hoạt động hoặc được phê duyệt ĐTM trước { $existing_before }, nên quy chuẩn cũ tiếp tục áp dụng đến { $until }.
mon-reason-transition_assumed = giấy phép của cơ sở chưa ghi ngày hoạt động hay ngày phê duyệt ĐTM: hệ thống giả định cơ sở hoạt động trước { $existing_before }, nên áp dụng quy chuẩn cũ đến { $until } (đề nghị cập nhật thông tin xả thải của giấy phép với Sở).
mon-reason-new_facility = cơ sở bắt đầu hoạt động từ { $existing_before } trở đi, nên áp dụng { $successor }.
mon-reason-transition_ended = thời gian chuyển tiếp đã hết ({ $until }), nên áp dụng { $successor } cho mọi cơ sở.
mon-reason-unknown = theo quy định về bảng giới hạn đang áp dụng.
mon-not-evaluable =
    Chưa đánh giá được nên CHƯA ghi nhận kết quả ngày { $day }: bảng giới hạn áp dụng cho cơ sở vào ngày lấy mẫu chưa có giá trị giới hạn trong hệ thống (các bảng chưa có giá trị: { $lacking }), và hệ thống không dùng bảng khác thay thế.
    Vui lòng nộp kết quả này cho Sở theo cách thông thường, hoặc nộp lại khi Sở đã cập nhật bảng giới hạn.
mon-cancelled = Đã huỷ. Chưa nộp gì.
mon-line-ambiguous = Dòng { $line } (“{ $text }”): “{ $value }” có thể hiểu hai cách. Gõ { $whole } nếu là số nguyên đó, hoặc { $decimal } nếu là số thập phân. Chưa ghi nhận gì; gửi lại toàn bộ kết quả.
