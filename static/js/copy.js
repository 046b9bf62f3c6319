/* Copy buttons for read-only inputs (calendar subscriptions page).
   <button type="button" data-copy="INPUT-ID" data-status="STATUS-ID" data-done="…" data-failed="…" hidden>
   Without JavaScript the buttons stay hidden and the address is selected in its input. */
(function () {
  "use strict";

  function report(button, ok) {
    var status = document.getElementById(button.getAttribute("data-status"));
    if (status) {
      status.textContent = button.getAttribute(ok ? "data-done" : "data-failed");
    }
  }

  function copyBySelection(input) {
    input.focus();
    input.select();
    try {
      return document.execCommand("copy");
    } catch (error) {
      return false;
    }
  }

  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    var input = document.getElementById(button.getAttribute("data-copy"));
    if (!input) {
      return;
    }
    input.addEventListener("focus", function () {
      input.select();
    });
    button.hidden = false;
    button.addEventListener("click", function () {
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(input.value).then(
          function () {
            report(button, true);
          },
          function () {
            report(button, copyBySelection(input));
          }
        );
      } else {
        report(button, copyBySelection(input));
      }
    });
  });
})();
