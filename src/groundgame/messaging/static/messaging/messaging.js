// Mailings. Every page works without this file: compose has an "Update preview" button, the
// mailing page a refresh link. With it, the preview follows the typing, the schedule form
// reads the time in the browser's own zone, and the mailing page updates itself while sending.
(function () {
  "use strict";

  // Cancelling asks first; without JavaScript the button acts at once, as any form would.
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.getAttribute("data-confirm"))) { event.preventDefault(); }
    });
  });

  // ---- compose: the live preview ----------------------------------------------------------
  var compose = document.querySelector("[data-compose-form]");
  if (compose && window.fetch) {
    var panel = compose.querySelector("[data-preview]");
    var status = compose.querySelector("[data-preview-status]");
    var announce = compose.querySelector("[data-preview-announce]");
    var count = compose.querySelector("[data-compose-count]");
    var body = compose.querySelector("textarea[name=body]");
    var subject = compose.querySelector("input[name=subject]");
    var emailOnly = compose.querySelector("[data-email-only]");
    var tools = compose.querySelector("[data-compose-tools]");
    var previewUrl = compose.getAttribute("data-preview-url");
    var recipient = 0;
    var timer = null;
    var inFlight = null;
    var lastQuery = null;
    var lastName = null;

    var channel = function () {
      var picked = compose.querySelector("input[name=channel]:checked") ||
        compose.querySelector("input[type=hidden][name=channel]");
      return picked ? picked.value : "email";
    };

    // Texts have no subject: the field goes away rather than being ignored.
    var showChannel = function () {
      if (emailOnly) { emailOnly.hidden = channel() === "sms"; }
    };

    var markInvalid = function (fieldName) {
      [body, subject].forEach(function (input) {
        if (!input || input.closest(".has-error")) { return; }
        if (input.name === fieldName) {
          input.setAttribute("aria-invalid", "true");
        } else {
          input.removeAttribute("aria-invalid");
        }
      });
    };

    var showCount = function (reply) {
      if (!count || !body) { return; }
      var chars = body.value.length;
      var text = "<strong>" + chars.toLocaleString() + "</strong> character" + (chars === 1 ? "" : "s") + " written";
      if (channel() === "sms" && reply && reply.segments) {
        text += " · <strong>" + reply.segments + "</strong> segment" +
          (reply.segments === 1 ? "" : "s") + " as this recipient gets it (footer included)";
      }
      count.innerHTML = text;
    };

    var query = function () {
      var data = new FormData(compose);
      data.delete("action");
      data.set("recipient", String(recipient));
      return data;
    };

    var key = function (data) {
      var parts = [];
      data.forEach(function (value, name) {
        if (name !== "csrfmiddlewaretoken") { parts.push(name + "=" + value); }
      });
      return parts.join("&");
    };

    var refresh = function () {
      var data = query();
      var k = key(data);
      if (k === lastQuery) { return; }
      lastQuery = k;
      if (inFlight) { inFlight.abort(); }
      inFlight = new AbortController();
      compose.classList.add("is-previewing");
      if (status) { status.textContent = "Updating…"; }
      fetch(previewUrl, {
        method: "POST",
        body: data,
        headers: { "Accept": "application/json", "X-CSRFToken": data.get("csrfmiddlewaretoken") },
        credentials: "same-origin",
        signal: inFlight.signal
      }).then(function (response) {
        return response.json().then(function (reply) { return { ok: response.ok, reply: reply }; });
      }).then(function (result) {
        compose.classList.remove("is-previewing");
        panel.innerHTML = result.reply.html || "";
        if (result.ok) {
          recipient = result.reply.recipient;
          markInvalid(null);
          if (status) { status.textContent = ""; }
          var name = panel.querySelector("[data-preview-name]");
          // Screen readers hear whose message it is when that changes, not every keystroke.
          if (announce && name && name.textContent !== lastName) {
            lastName = name.textContent;
            announce.textContent = "Preview for " + lastName;
          }
        } else {
          markInvalid(result.reply.field);
          if (status) { status.textContent = "Check the message"; }
        }
        showCount(result.ok ? result.reply : null);
      }).catch(function (error) {
        if (error.name === "AbortError") { return; }
        compose.classList.remove("is-previewing");
        lastQuery = null;
        if (status) { status.textContent = "Could not update; trying again on the next change"; }
      });
    };

    var schedule = function (delay) {
      window.clearTimeout(timer);
      timer = window.setTimeout(refresh, delay);
    };

    compose.addEventListener("input", function (event) {
      if (event.target === body) { showCount(null); }
      schedule(300);
    });
    compose.addEventListener("change", function (event) {
      // Another audience or channel: start again from its first recipient.
      if (["channel", "topic", "universe"].indexOf(event.target.name) !== -1) { recipient = 0; }
      if (event.target.name === "channel") { showChannel(); }
      schedule(0);
    });
    // Previous / next: buttons that post the form without scripts; here they only fetch.
    panel.addEventListener("click", function (event) {
      var button = event.target.closest("[data-recipient]");
      if (!button) { return; }
      event.preventDefault();
      recipient = parseInt(button.getAttribute("data-recipient"), 10) || 0;
      schedule(0);
    });

    // Personal fields inserted where the cursor is, spelled right.
    if (tools && body) {
      tools.hidden = false;
      tools.addEventListener("click", function (event) {
        var button = event.target.closest("[data-insert]");
        if (!button) { return; }
        var tag = "{{ " + button.getAttribute("data-insert") + " }}";
        var start = body.selectionStart, end = body.selectionEnd;
        body.setRangeText(tag, start, end, "end");
        body.focus();
        body.dispatchEvent(new Event("input", { bubbles: true }));
      });
    }

    showChannel();
    showCount(null);
    lastQuery = key(query());
    // The page's own preview may be for recipient n (posted without scripts): keep it.
    var current = panel.querySelector("[data-recipient]");
    if (current) {
      var shown = panel.querySelector("[data-preview-name]");
      lastName = shown ? shown.textContent : null;
    }
    // SMS segments depend on the recipient: fetch once so the count line has them.
    if (channel() === "sms") { lastQuery = null; schedule(0); }
  }

  // ---- the mailing page: scheduling in local time -----------------------------------------
  var scheduleForm = document.querySelector("[data-schedule-form]");
  if (scheduleForm) {
    var at = scheduleForm.querySelector("[data-schedule-at]");
    var offset = scheduleForm.querySelector("input[name=tz_offset]");
    var help = scheduleForm.querySelector("[data-tz-help]");
    var showAt = function () {
      var later = scheduleForm.querySelector("input[name=when][value=later]");
      if (at && later) { at.hidden = !later.checked && !at.classList.contains("has-error"); }
    };
    scheduleForm.addEventListener("change", showAt);
    scheduleForm.addEventListener("submit", function () {
      var input = at && at.querySelector("input");
      if (offset && input && input.value) {
        offset.value = String(new Date(input.value).getTimezoneOffset());
      }
    });
    if (help && window.Intl) {
      help.textContent = "Your time zone: " + Intl.DateTimeFormat().resolvedOptions().timeZone + ".";
    }
    showAt();
  }

  // ---- the mailing page: figures that follow the send -------------------------------------
  var progress = document.querySelector("#mailing-progress[data-live]");
  if (progress && window.fetch) {
    var url = progress.getAttribute("data-progress-url");
    var badge = document.querySelector("[data-mailing-status]");
    var poll = function () {
      fetch(url, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
        .then(function (response) { return response.json(); })
        .then(function (reply) {
          progress.innerHTML = reply.html;
          if (badge) {
            badge.textContent = reply.label;
            badge.className = "badge mailing-status-" + reply.status;
          }
          if (reply.live) {
            window.setTimeout(poll, 2000);
          } else {
            // Done: load the page again, so its actions match (no cancel for a sent mailing).
            window.location.reload();
          }
        })
        .catch(function () { window.setTimeout(poll, 5000); });
    };
    window.setTimeout(poll, 2000);
  }
})();
