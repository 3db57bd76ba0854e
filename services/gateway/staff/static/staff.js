// Làng Xanh staff workspace: small progressive enhancements (no inline scripts; CSP script-src 'self').
// A submitted form's buttons are disabled so a double click sends once (the command id would make a
// second send act once anyway).
document.addEventListener("submit", function (ev) {
  var form = ev.target;
  if (!(form instanceof HTMLFormElement)) return;
  if (form.dataset.sent === "1") { ev.preventDefault(); return; }
  form.dataset.sent = "1";
  window.setTimeout(function () {
    form.querySelectorAll("button[type=submit], input[type=submit]").forEach(function (b) { b.disabled = true; });
  }, 0);
}, true);
// Back to the page from the history cache: the form may be sent again.
window.addEventListener("pageshow", function () {
  document.querySelectorAll("form[data-sent]").forEach(function (f) {
    delete f.dataset.sent;
    f.querySelectorAll("button[type=submit], input[type=submit]").forEach(function (b) { b.disabled = false; });
  });
});
