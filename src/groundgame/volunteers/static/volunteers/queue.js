// The follow-up queue: each call form shows the call-back time only after "left a message"
// and the shift only for "scheduled a shift". Without scripts both stay visible, and the
// server ignores whichever the outcome does not use.
(function () {
  "use strict";
  document.querySelectorAll("[data-queue-record]").forEach(function (form) {
    function update() {
      var checked = form.querySelector("input[type=radio]:checked");
      form.querySelectorAll("[data-outcome-only]").forEach(function (part) {
        part.hidden = !checked || part.getAttribute("data-outcome-only") !== checked.value;
      });
    }
    form.addEventListener("change", update);
    update();
  });
})();
