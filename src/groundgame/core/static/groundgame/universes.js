// The universe builder's live count. Without this file the form posts and the page shows the
// count; with it, the count follows the filters as they change.
(function () {
  "use strict";

  // Deleting asks first; without JavaScript the button deletes at once, as any form would.
  document.querySelectorAll("form[data-confirm]").forEach(function (confirmForm) {
    confirmForm.addEventListener("submit", function (event) {
      if (!window.confirm(confirmForm.getAttribute("data-confirm"))) { event.preventDefault(); }
    });
  });

  var form = document.querySelector("[data-universe-form]");
  if (!form || !window.fetch) { return; }
  var result = document.getElementById("universe-result");
  var status = form.querySelector("[data-universe-status]");
  var bar = form.querySelector("[data-universe-bar]");
  var barCount = form.querySelector("[data-bar-count]");
  // One short polite message per count: the panel's charts and lists are not read out.
  var announce = form.querySelector("[data-universe-announce]");
  var countButton = form.querySelector("[data-count-button]");
  var countUrl = form.getAttribute("data-count-url");
  var counties = document.getElementById("county");
  // Inputs that are not filters: they never change the count.
  var NOT_FILTERS = ["csrfmiddlewaretoken", "name", "description", "action"];
  var timer = null;
  var inFlight = null;
  var lastQuery = null;

  if (countButton) { countButton.hidden = true; }
  if (bar) { bar.hidden = false; }

  function query() {
    var params = new URLSearchParams();
    new FormData(form).forEach(function (value, key) {
      if (NOT_FILTERS.indexOf(key) === -1 && value !== "" || key === "party") {
        params.append(key, value);
      }
    });
    return params.toString();
  }

  // The page's first count is read with the page; later ones are announced as they arrive.
  function showCount(announceIt) {
    var number = result.querySelector("[data-count]");
    if (barCount) {
      barCount.textContent = number ? number.textContent : "–";
    }
    if (announce && announceIt) {
      // A problem with the filters is an alert in the panel itself, read out on its own.
      var unit = result.querySelector(".universe-count-unit");
      announce.textContent = number ? number.textContent + " " + (unit ? unit.textContent : "") : "";
    }
  }

  // With states picked, only their counties are offered (picked ones stay visible).
  function filterCounties() {
    if (!counties) { return; }
    var states = Array.prototype.map.call(
      form.querySelectorAll("input[name=state]:checked"), function (box) { return box.value; }
    );
    Array.prototype.forEach.call(counties.querySelectorAll("optgroup"), function (group) {
      var shown = states.length === 0 || states.indexOf(group.getAttribute("data-state")) !== -1;
      group.hidden = !shown;
      group.disabled = !shown;
    });
  }

  function refresh() {
    var q = query();
    if (q === lastQuery) { return; }
    lastQuery = q;
    if (inFlight) { inFlight.abort(); }
    inFlight = new AbortController();
    form.classList.add("is-counting");
    if (status) { status.textContent = "Counting…"; }
    fetch(countUrl + (q ? "?" + q : ""), {
      headers: { "Accept": "application/json" },
      credentials: "same-origin",
      signal: inFlight.signal
    }).then(function (response) {
      return response.json().then(function (body) { return { ok: response.ok, body: body }; });
    }).then(function (reply) {
      result.innerHTML = reply.body.html || "";
      form.classList.remove("is-counting");
      if (status) { status.textContent = reply.ok ? "" : "Check the filters"; }
      showCount(true);
      if (window.history && window.history.replaceState) {
        window.history.replaceState(null, "", window.location.pathname + (q ? "?" + q : ""));
      }
    }).catch(function (error) {
      if (error.name === "AbortError") { return; }
      form.classList.remove("is-counting");
      lastQuery = null;
      if (status) { status.textContent = "Could not count; retrying on the next change"; }
      if (announce) { announce.textContent = "Could not count; retrying on the next change"; }
    });
  }

  function schedule() {
    window.clearTimeout(timer);
    timer = window.setTimeout(refresh, 250);
  }

  form.addEventListener("change", function (event) {
    if (event.target.name === "state") { filterCounties(); }
    schedule();
  });
  form.addEventListener("input", function (event) {
    if (event.target.type === "number") { schedule(); }
  });
  filterCounties();
  showCount(false);
  lastQuery = query();
})();
