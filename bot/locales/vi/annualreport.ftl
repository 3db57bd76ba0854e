# /annualreport: báo cáo công tác bảo vệ môi trường hằng năm của cơ sở đã liên kết (issue 16)
cmd-annualreport = Báo cáo công tác bảo vệ môi trường năm
ar-usage = Gõ /annualreport, hoặc /annualreport và năm, ví dụ /annualreport 2025.
ar-not-linked = /annualreport dành cho tài khoản của cơ sở (doanh nghiệp, đơn vị vận chuyển, cơ sở xử lý) đã liên kết bằng mã do cơ quan cấp: gõ /link và mã.
ar-status-open =
    Báo cáo công tác bảo vệ môi trường năm { NUMBER($year, useGrouping: 0) }: chưa nộp.
    Hạn nộp: trước ngày { $due }.
ar-status-overdue =
    Báo cáo công tác bảo vệ môi trường năm { NUMBER($year, useGrouping: 0) }: CHƯA nộp, đã quá hạn (hạn trước ngày { $due }).
    Vẫn có thể gửi: báo cáo sẽ được ghi là nộp muộn.
ar-status-filed =
    Báo cáo công tác bảo vệ môi trường năm { NUMBER($year, useGrouping: 0) }: đã nộp ngày { $filed }, { $late ->
        [yes] muộn hạn
       *[no] đúng hạn
    } (hạn trước ngày { $due }).{ $corrections ->
        [0] {""}
       *[other] {" "}Số lần sửa đổi: { $corrections }.
    }
btn-ar-send = Gửi báo cáo năm { NUMBER($year, useGrouping: 0) }
btn-ar-correct = Gửi bản sửa đổi năm { NUMBER($year, useGrouping: 0) }
ar-send-document = Gửi báo cáo năm { NUMBER($year, useGrouping: 0) } dưới dạng tệp (PDF, DOCX hoặc XLSX, tối đa { $mb } MB), hoặc /cancel.
ar-document-expected = Vui lòng gửi báo cáo dưới dạng tệp (PDF, DOCX hoặc XLSX) — không phải ảnh hay tin nhắn chữ — hoặc /cancel.
ar-too-big = Tệp quá lớn: tối đa { $mb } MB. Vui lòng gửi tệp nhỏ hơn (ví dụ PDF đã nén).
ar-kind-pdf = PDF
ar-kind-docx = Word (DOCX)
ar-kind-xlsx = Excel (XLSX)
ar-filed =
    Đã ghi nhận: báo cáo công tác bảo vệ môi trường năm { NUMBER($year, useGrouping: 0) } ({ $kind }, { $kb } kB), { $late ->
        [yes] NỘP MUỘN
       *[no] đúng hạn
    } — hạn nộp trước ngày { $due }.
ar-corrected =
    Đã ghi nhận: bản sửa đổi báo cáo công tác bảo vệ môi trường năm { NUMBER($year, useGrouping: 0) } ({ $kind }, { $kb } kB). Báo cáo gốc vẫn được ghi là { $late ->
        [yes] nộp muộn
       *[no] đúng hạn
    } (hạn trước ngày { $due }).
ar-cancelled = Đã huỷ. Chưa nộp gì.
