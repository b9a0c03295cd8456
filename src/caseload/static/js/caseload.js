// Caseload's only script: progressive enhancement. Every page works without it.
document.addEventListener("htmx:configRequest", function (event) {
  var meta = document.querySelector('meta[name="csrf-token"]');
  if (meta) { event.detail.headers["X-CSRFToken"] = meta.content; }
});
document.addEventListener("DOMContentLoaded", function () {
  var summary = document.querySelector("[data-autofocus]");
  if (summary) { summary.focus(); }
});
// Content loaded in place (older notes, say) takes the focus where it says so, so a keyboard
// or screen-reader user continues from the first new item rather than from the top.
document.addEventListener("htmx:afterSettle", function () {
  var target = document.querySelector("[data-focus-after-swap]");
  if (target) { target.removeAttribute("data-focus-after-swap"); target.focus(); }
});
// An error summary link lands on the input it names (a group's first input); show the whole
// question, label or legend included, rather than the input at the very top of the window.
document.addEventListener("click", function (event) {
  var link = event.target.closest && event.target.closest(".error-summary a[href^='#']");
  var input = link && document.getElementById(decodeURIComponent(link.hash.slice(1)));
  var question = input && input.closest(".field");
  if (!question) { return; }
  event.preventDefault();
  question.scrollIntoView();
  input.focus({ preventScroll: true });
});
