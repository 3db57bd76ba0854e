# Inspectors in the field (/tasks), the push on assignment, /mine's before/after, /start site_<id> (issue 15)
cmd-tasks = Việc được giao (thanh tra)
tasks-linked = Đã liên kết tài khoản: { $role } — { $email }. Gõ /tasks để xem các phản ánh được giao cho bạn.
tasks-not-linked = Lệnh /tasks dành cho cán bộ thanh tra đã liên kết bằng mã lấy ở mục “Tài khoản của tôi” trong không gian làm việc.
tasks-none = Hiện không có phản ánh nào được giao cho bạn.
tasks-title = Phản ánh được giao cho bạn ({ $first }–{ $last } / { $total }), khẩn và quá hạn trước:
tasks-line = { $marks }{ $ticket } · { $category } · { $priority } · hạn { $due } · { $state }
tasks-prev = ◀ Trước
tasks-next = Tiếp ▶
tasks-priority-low = ưu tiên thấp
tasks-priority-normal = bình thường
tasks-priority-high = ưu tiên cao
tasks-priority-urgent = khẩn
tasks-card =
    { $ticket } · { $category } · { $priority }
    Trạng thái: { $state }
    Hạn xử lý: { $due }
    { $place }
    Nội dung: { $description }
    Ảnh của người phản ánh: { $photos }
tasks-btn-verify = Xác minh tại hiện trường
tasks-btn-note = Thêm ghi chú
tasks-btn-resolve = Đã xử lý
tasks-btn-view = Xem
tasks-not-yours = Phản ánh này không được giao cho bạn.
tasks-wrong-state = Không làm được việc này khi phản ánh đang ở trạng thái “{ $state }”.
tasks-verify-location = Hãy gửi vị trí hiện tại của bạn (📎 → Vị trí) để xác nhận bạn đang ở hiện trường.
tasks-too-far = Bạn đang cách nơi được phản ánh khoảng { $distance } m (cần trong vòng { $radius } m). Hãy đến gần hơn rồi gửi lại vị trí, hoặc /cancel để huỷ.
tasks-verify-photo = Đã nhận vị trí. Gửi một ảnh chụp tại hiện trường.
tasks-verify-finding = Ghi kết quả xác minh (bạn thấy gì tại hiện trường).
tasks-text-length = Nội dung từ 3 đến { $limit } ký tự.
tasks-verified = Đã ghi kết quả xác minh cho { $ticket }.
tasks-note-prompt = Gửi nội dung ghi chú.
tasks-noted = Đã thêm ghi chú cho { $ticket }.
tasks-resolve-photo = Gửi một ảnh “sau khi xử lý” chụp tại hiện trường.
tasks-resolve-note = Viết vài dòng gửi người phản ánh: đã xử lý thế nào.
tasks-resolved = Đã đánh dấu { $ticket } là đã xử lý. Người phản ánh sẽ nhận được thông báo.
tasks-push = Bạn được giao phản ánh { $ticket } ({ $category }), hạn { $due }.
mine-before = Trước: ảnh của bạn ({ $n }/{ $count })
mine-after = Sau: ảnh của cán bộ khi xử lý xong ({ $n }/{ $count })
start-site-bad = Đường dẫn địa điểm không hợp lệ. Gõ /status và tên địa điểm để tìm.
start-site-unknown = Không tìm thấy địa điểm này. Gõ /status và tên địa điểm để tìm.
