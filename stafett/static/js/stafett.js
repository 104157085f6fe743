// Stafett's own scripts. The Content-Security-Policy (settings.CONTENT_SECURITY_POLICY) runs
// no inline scripts, no onclick= attributes and no hx-on (htmx would evaluate it as code), so
// templates mark elements with data- attributes and the listeners here act on them.
// Every page also works without JavaScript.
(function () {
  "use strict";

  function closest(event, selector) {
    return event.target instanceof Element ? event.target.closest(selector) : null;
  }

  // [data-print]: a «Skriv ut» button, hidden until there is script to press it
  // (without JavaScript the browser's own print command prints the same page).
  function showPrintButtons(root) {
    root.querySelectorAll("[data-print]").forEach(function (button) {
      button.hidden = false;
    });
  }
  showPrintButtons(document);
  document.addEventListener("htmx:load", function (event) {
    if (event.target instanceof Element) showPrintButtons(event.target);
  });
  document.addEventListener("click", function (event) {
    if (closest(event, "[data-print]")) window.print();
  });

  // [data-swap-form-errors]: a 400 answer to an htmx request from inside (the form again, with
  // its errors) is swapped in like a success instead of being dropped as an error.
  document.addEventListener("htmx:beforeSwap", function (event) {
    if (event.detail.xhr.status === 400 && closest(event, "[data-swap-form-errors]")) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  // [data-focus-after-swap="selector"]: after a swap inside, focus goes to the first field with
  // an error, or to the selector's field if focus was lost with the old content.
  document.addEventListener("htmx:afterSettle", function (event) {
    var box = closest(event, "[data-focus-after-swap]");
    if (!box) return;
    var field =
      box.querySelector("[aria-invalid=true]") ||
      (box.contains(document.activeElement) ? null : box.querySelector(box.dataset.focusAfterSwap));
    if (field) field.focus();
  });

  // form[data-reset-on-success]: emptied once htmx has sent it.
  document.addEventListener("htmx:afterRequest", function (event) {
    var form = closest(event, "form[data-reset-on-success]");
    if (form && event.detail.successful) form.reset();
  });

  // form[data-submit-on-form-errors]: if the server finds errors (400), the form is posted the
  // ordinary way, so the whole page comes back with the errors next to the fields.
  document.addEventListener("htmx:responseError", function (event) {
    var form = closest(event, "form[data-submit-on-form-errors]");
    if (form && event.detail.xhr.status === 400) form.submit();
  });
})();
