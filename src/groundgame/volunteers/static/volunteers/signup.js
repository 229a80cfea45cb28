// Intake pages. "Copy link" buttons (a form's public page, a volunteer's share link), hidden
// without a clipboard since the link itself stays selectable; and the live dashboard, which polls its JSON every 5 seconds
// and updates the numbers in place; without JavaScript it shows the numbers as of its load.
(function () {
  "use strict";
  if (navigator.clipboard) {
    document.querySelectorAll("[data-copy]").forEach(function (button) {
      var said = document.getElementById(button.getAttribute("data-copied"));
      button.hidden = false;
      button.addEventListener("click", function () {
        navigator.clipboard.writeText(button.getAttribute("data-copy")).then(
          function () { said.textContent = "Link copied."; },
          function () { said.textContent = "Could not copy; select the link instead."; }
        );
      });
    });
  }
})();

(function () {
  "use strict";
  var root = document.getElementById("signup-live");
  if (!root || !window.fetch) { return; }
  var url = root.getAttribute("data-url");
  var updated = document.getElementById("signup-updated");
  var number = new Intl.NumberFormat("en-US");

  function cell(tag, text, attrs) {
    var el = document.createElement(tag);
    el.textContent = text;
    Object.keys(attrs || {}).forEach(function (k) { el.setAttribute(k, attrs[k]); });
    return el;
  }

  function rows(body, pairs) {
    body.replaceChildren();
    if (!pairs.length) {
      var empty = document.createElement("tr");
      empty.appendChild(cell("td", "None yet", { colspan: "2", "class": "muted" }));
      body.appendChild(empty);
      return;
    }
    pairs.forEach(function (pair) {
      var tr = document.createElement("tr");
      tr.appendChild(cell("th", pair[0], { scope: "row" }));
      tr.appendChild(cell("td", number.format(pair[1])));
      body.appendChild(tr);
    });
  }

  function oldest(list, people) {
    list.replaceChildren();
    if (!people.length) {
      list.appendChild(cell("li", "Nobody waiting in your units.", { "class": "muted" }));
      return;
    }
    people.forEach(function (p) {
      var li = document.createElement("li");
      var who = document.createElement("span");
      who.appendChild(cell("strong", p.name));
      who.appendChild(document.createTextNode(" "));
      who.appendChild(cell("span", p.unit, { "class": "muted" }));
      li.appendChild(who);
      li.appendChild(cell("span", p.waiting_minutes + " min", { "class": "muted" }));
      list.appendChild(li);
    });
  }

  function refresh() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
      .then(function (data) {
        root.querySelectorAll("[data-live]").forEach(function (el) {
          el.textContent = number.format(data[el.getAttribute("data-live")]);
        });
        root.querySelectorAll("[data-live-rows]").forEach(function (el) {
          rows(el, data[el.getAttribute("data-live-rows")]);
        });
        var list = root.querySelector("[data-live-oldest]");
        if (list) { oldest(list, data.oldest); }
        // Server-drawn SVG from our own endpoint, the same markup the page was rendered with.
        var chart = root.querySelector("[data-live-html]");
        if (chart) { chart.innerHTML = data.chart_html; }
        updated.textContent = "Updated " + new Date(data.at).toLocaleTimeString() + ".";
      })
      .catch(function () { updated.textContent = "Could not refresh; retrying."; });
  }
  window.setInterval(refresh, 5000);
})();
