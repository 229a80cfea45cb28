// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";

  // The main menu collapses behind a button on narrow screens. Without JavaScript the
  // button stays hidden and the menu is always shown.
  var toggle = document.querySelector(".nav-toggle");
  var panel = document.getElementById("site-nav");
  if (toggle && panel) {
    toggle.hidden = false;
    var setOpen = function (open) {
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
      panel.classList.toggle("is-open", open);
    };
    toggle.addEventListener("click", function () {
      setOpen(toggle.getAttribute("aria-expanded") !== "true");
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && toggle.getAttribute("aria-expanded") === "true") {
        setOpen(false);
        toggle.focus();
      }
    });
  }

  // "Expand all" / "Collapse all" for trees built from <details>.
  document.querySelectorAll("[data-tree-toggle]").forEach(function (button) {
    var tree = document.getElementById(button.getAttribute("aria-controls"));
    if (!tree) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      var open = button.getAttribute("data-tree-toggle") === "open";
      tree.querySelectorAll("details").forEach(function (d) { d.open = open; });
    });
  });

  // Long filter forms start folded on phones, so the results come first; they stay open when
  // a filter is active or has an error (the server leaves the marker off then).
  if (window.matchMedia("(max-width: 720px)").matches) {
    document.querySelectorAll("details[data-collapse-narrow]").forEach(function (d) {
      d.open = false;
    });
  }
})();
