// The canvassing app: open a walk list with its code, knock doors with or without a
// connection, and let the results sync by themselves.
//
// Everything the canvasser records is written to IndexedDB (db.js) before the screen says
// it is saved; sync.js sends it when it can: right after a door, when the browser comes back
// online, when the tab becomes visible, on a timer that backs off while the server cannot be
// reached, and from the service worker through Background Sync where the browser has it.

import { addResult, getList, pendingCount, resultsForList, saveList } from "./db.js";
import { h, plural } from "./dom.js";
import { syncOutbox } from "./sync.js";

const LIST_URL = "/api/field/lists/";
const FIRST_RETRY_MS = 5_000;
const LONGEST_RETRY_MS = 5 * 60_000;
// A position older than this is not where the door was knocked.
const FIX_MAX_AGE_MS = 2 * 60_000;

const view = document.getElementById("view");
const statusLine = document.getElementById("sync-status");
const offlineBanner = document.getElementById("offline-banner");

const state = {
  code: new URLSearchParams(location.search).get("list")?.trim().toUpperCase() || "",
  bundle: null,
  results: [],
  pending: 0,
  syncing: false,
  syncAgain: false,
  lastError: "",
  fix: null,
  flash: "",
};

let retryDelay = 0;
let retryTimer = null;

// ---------- start ----------

async function start() {
  registerServiceWorker();
  navigator.storage?.persist?.();
  window.addEventListener("online", () => {
    retryDelay = 0;
    scheduleSync(0);
    refreshStatus();
  });
  window.addEventListener("offline", refreshStatus);
  window.addEventListener("hashchange", render);
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") scheduleSync(0);
  });
  // The service worker syncs in the background too; it says so here.
  if ("BroadcastChannel" in window) {
    new BroadcastChannel("groundgame-canvass").onmessage = () => reloadResults();
  }
  if (state.code) await openList(state.code);
  render();
  await refreshStatus();
  scheduleSync(0);
}

function registerServiceWorker() {
  const url = document.body.dataset.serviceWorker;
  if (!("serviceWorker" in navigator) || !url) return;
  navigator.serviceWorker
    .register(url, { scope: document.body.dataset.scope, type: "module" })
    .catch(() => {
      // Without a service worker the app still works while this page stays open.
    });
}

async function openList(code) {
  state.bundle = (await getList(code)) || null;
  if (navigator.onLine) {
    try {
      await download(code);
    } catch (error) {
      if (!state.bundle) state.lastError = error.message;
    }
  } else if (!state.bundle) {
    state.lastError = "You are offline and this list is not on this phone yet. Connect once to download it.";
  }
  if (state.bundle) {
    await reloadResults(false);
    watchPosition();
  }
}

async function download(code) {
  let response;
  try {
    response = await fetch(LIST_URL + encodeURIComponent(code), { cache: "no-store" });
  } catch {
    throw new Error("No connection: the list could not be downloaded.");
  }
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(body.message || `The server answered ${response.status}.`);
  await saveList(body);
  state.bundle = await getList(code);
}

function watchPosition() {
  if (!("geolocation" in navigator)) return;
  navigator.geolocation.watchPosition(
    (position) => {
      state.fix = {
        latitude: position.coords.latitude,
        longitude: position.coords.longitude,
        at: Date.now(),
      };
    },
    () => {
      // No position (refused or unavailable): results are recorded without one.
    },
    { enableHighAccuracy: true, maximumAge: 30_000, timeout: 30_000 },
  );
}

// ---------- syncing ----------

function scheduleSync(delay) {
  clearTimeout(retryTimer);
  retryTimer = setTimeout(runSync, delay);
}

async function runSync() {
  if (state.syncing) {
    // A door saved while a batch is on its way: send it once that batch is answered.
    state.syncAgain = true;
    return;
  }
  state.syncing = true;
  state.syncAgain = false;
  try {
    const summary = await syncOutbox();
    state.lastError = summary.rejected ? `${plural(summary.rejected, "result")} not accepted: see the doors marked below.` : "";
    retryDelay = 0;
    // The sync may have dropped people and doors the contact rule now refuses.
    if (state.bundle) state.bundle = (await getList(state.code)) || state.bundle;
    const current = summary.scriptVersions[state.code];
    if (state.bundle && current && current !== state.bundle.script?.version_id) {
      // A newer script was approved: take it for the next doors.
      await download(state.code).catch(() => {});
    }
  } catch (error) {
    state.lastError = error.offline ? "" : error.message;
    retryDelay = Math.min(Math.max(FIRST_RETRY_MS, retryDelay * 2), LONGEST_RETRY_MS);
    // Spread the retries of many phones that lost the same cell tower.
    scheduleSync(retryDelay * (0.8 + Math.random() * 0.4));
  } finally {
    state.syncing = false;
  }
  await reloadResults();
  if (state.syncAgain && !retryDelay) scheduleSync(0);
}

async function reloadResults(redraw = true) {
  if (state.bundle) state.results = await resultsForList(state.bundle.code);
  await refreshStatus();
  if (redraw && !location.hash.startsWith("#door-")) render();
}

async function refreshStatus() {
  state.pending = await pendingCount();
  const offline = !navigator.onLine;
  offlineBanner.hidden = !offline;
  offlineBanner.textContent = !offline
    ? ""
    : state.pending
      ? `You are offline. ${plural(state.pending, "result")} saved on this phone will sync when you are back online.`
      : "You are offline. What you record is saved on this phone and syncs when you are back online.";
  statusLine.textContent = state.pending
    ? `${state.pending} waiting to sync`
    : "All synced · 0 waiting";
  statusLine.dataset.pending = String(state.pending);
  statusLine.classList.toggle("is-waiting", state.pending > 0);
}

// ---------- views ----------

function render() {
  view.replaceChildren();
  if (!state.bundle) return renderEntry();
  const match = location.hash.match(/^#door-(\d+)$/);
  const household = match && state.bundle.households.find((d) => d.id === Number(match[1]));
  if (household) return renderDoor(household);
  return renderList();
}

// Puts the nodes of a view on the screen; a null stands for a part the view leaves out.
function show(...nodes) {
  view.append(...nodes.filter((node) => node !== null && node !== undefined));
}

function focusHeading() {
  view.querySelector("h1")?.focus();
}

function renderEntry() {
  const input = h("input", {
    id: "list-code",
    name: "list",
    autocomplete: "off",
    autocapitalize: "characters",
    spellcheck: "false",
    required: true,
    value: state.code,
    "aria-describedby": "list-code-help",
  });
  show(
    h("h1", { tabindex: "-1" }, "Open your walk list"),
    state.lastError ? h("p", { class: "notice notice-error", role: "alert" }, state.lastError) : null,
    h(
      "form",
      { class: "stack", method: "get", action: "" },
      h("label", { for: "list-code" }, "List code"),
      h("p", { id: "list-code-help", class: "hint" }, "The code your organizer gave you, e.g. K7QM4TXW."),
      input,
      h("button", { type: "submit", class: "button button-primary" }, "Open list"),
    ),
  );
  focusHeading();
}

function latestByHousehold() {
  const latest = new Map();
  for (const result of state.results) {
    const previous = latest.get(result.household_id);
    if (!previous || previous.recorded_at < result.recorded_at) latest.set(result.household_id, result);
  }
  return latest;
}

function outcomeLabel(key) {
  return state.bundle.outcomes.find((o) => o.key === key)?.label || key;
}

function doorStatus(result) {
  if (!result) return h("span", { class: "chip" }, "To knock");
  const sync = {
    pending: ["chip-waiting", "waiting to sync"],
    synced: ["chip-done", "synced"],
    rejected: ["chip-error", `not accepted: ${result.reason}`],
  }[result.status];
  return h("span", { class: `chip ${sync[0]}` }, `${outcomeLabel(result.outcome)} · ${sync[1]}`);
}

function address(door) {
  return [door.street, door.unit].filter(Boolean).join(" ");
}

function renderList() {
  const { bundle } = state;
  const latest = latestByHousehold();
  const knocked = bundle.households.filter((d) => latest.has(d.id)).length;
  show(
    h("h1", { tabindex: "-1" }, bundle.name),
    h("p", { class: "meta" }, `${bundle.team} · list ${bundle.code}`),
    state.flash ? h("p", { class: "notice notice-success", role: "status" }, state.flash) : null,
    state.lastError ? h("p", { class: "notice notice-error", role: "alert" }, state.lastError) : null,
    h(
      "p",
      { class: "progress-line" },
      h("progress", { max: bundle.households.length, value: knocked, "aria-label": "Doors knocked" }),
      ` ${knocked} of ${plural(bundle.households.length, "door")} knocked`,
    ),
    bundle.script
      ? h(
          "details",
          { class: "card" },
          h("summary", {}, `Script: ${bundle.script.title} (version ${bundle.script.number})`),
          h("div", { class: "prose" }, bundle.script.body),
        )
      : h("p", { class: "hint" }, "No approved script for this list yet."),
    bundle.literature.length
      ? h(
          "details",
          { class: "card" },
          h("summary", {}, `Literature (${bundle.literature.length})`),
          bundle.literature.map((item) => h("div", { class: "prose" }, h("strong", {}, item.title), h("br"), item.body)),
        )
      : null,
    h("h2", {}, "Doors in walking order"),
    h(
      "ol",
      { class: "doors" },
      bundle.households.map((door) =>
        h(
          "li",
          {},
          h(
            "a",
            { class: "door", href: `#door-${door.id}`, dataset: { household: door.id } },
            h("span", { class: "door-number", "aria-hidden": "true" }, door.position),
            h(
              "span",
              { class: "door-text" },
              h("span", { class: "door-address" }, address(door)),
              h("span", { class: "door-people" }, door.people.map((p) => p.name).join(", ") || "No one listed"),
              doorStatus(latest.get(door.id)),
            ),
          ),
        ),
      ),
    ),
  );
  state.flash = "";
  focusHeading();
}

function radios(name, options, checked, { tiles = false } = {}) {
  return options.map(({ value, label }) =>
    h(
      "label",
      { class: tiles ? "tile" : "choice" },
      h("input", { type: "radio", name, value, checked: String(value) === String(checked) }),
      h("span", {}, label),
    ),
  );
}

function renderDoor(door) {
  const { bundle } = state;
  const people = door.people.map((p) => ({ value: p.id, label: p.name }));
  const form = h(
    "form",
    { class: "stack door-form", novalidate: true },
    h(
      "fieldset",
      {},
      h("legend", {}, "Who answered?"),
      radios("person", [{ value: "", label: "Nobody in particular" }, ...people], ""),
    ),
    h(
      "fieldset",
      {},
      h("legend", {}, "What happened?"),
      h("div", { class: "tiles" }, radios("outcome", bundle.outcomes.map((o) => ({ value: o.key, label: o.label })), "", { tiles: true })),
    ),
    h(
      "div",
      { class: "survey stack", hidden: true },
      h(
        "fieldset",
        {},
        h("legend", {}, "Support"),
        h("div", { class: "tiles" }, radios("support", [{ value: "", label: "Did not say" }, ...bundle.support], "", { tiles: true })),
      ),
      questions().map(questionField),
    ),
    h("label", { for: "notes" }, "Notes"),
    h("textarea", { id: "notes", name: "notes", rows: "3", maxlength: "2000" }),
    h(
      "fieldset",
      {},
      h("legend", {}, "Do not contact"),
      radios(
        "do_not_contact",
        [
          { value: "", label: "No request" },
          { value: "door", label: "No more door knocks" },
          { value: "all", label: "Never contact me (choose who asked above)" },
        ],
        "",
      ),
    ),
    h("p", { class: "notice notice-error form-error", role: "alert", hidden: true }),
    h(
      "div",
      { class: "actions" },
      h("button", { type: "submit", class: "button button-primary" }, "Save result"),
      h("a", { class: "button", href: "#" }, "Cancel"),
    ),
  );
  const survey = form.querySelector(".survey");
  form.addEventListener("change", () => {
    survey.hidden = form.elements.outcome.value !== "talked";
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    save(door, form);
  });
  show(
    h("a", { class: "back", href: "#" }, "← Back to the list"),
    h("h1", { tabindex: "-1" }, address(door)),
    h("p", { class: "meta" }, `Door ${door.position} of ${bundle.households.length} · ${door.city}`),
    form,
  );
  focusHeading();
}

// ---------- the script's survey questions ----------

const KINDS = new Set(["choice", "multi", "scale", "text"]);
const NO_ANSWER = { value: "", label: "Did not say" };

function questions() {
  return (state.bundle.script?.questions || []).filter((q) => KINDS.has(q.kind));
}

function fieldName(question) {
  return `answer-${question.key}`;
}

function scaleSteps(question) {
  const ends = { [question.min]: question.min_label, [question.max]: question.max_label };
  const steps = [];
  for (let n = question.min; n <= question.max; n += 1) {
    steps.push({ value: n, label: ends[n] ? `${n} · ${ends[n]}` : String(n) });
  }
  return steps;
}

// One question of the script, drawn for its kind. A question that is not required can be
// left unanswered ("Did not say"); a required one must be answered in a conversation.
function questionField(question) {
  const name = fieldName(question);
  const prompt = question.required ? `${question.prompt} (required)` : question.prompt;
  if (question.kind === "text") {
    const id = `q-${question.key}`;
    return h(
      "div",
      { class: "stack question", dataset: { question: question.key } },
      h("label", { for: id }, prompt),
      h("textarea", { id, name, rows: "2", maxlength: "500" }),
    );
  }
  const legend = h("legend", {}, prompt);
  const fieldset = { class: "question", dataset: { question: question.key } };
  const noAnswer = question.required ? [] : radios(name, [NO_ANSWER], "", { tiles: true });
  if (question.kind === "scale") {
    // The steps in one row, numbers only; the end labels under the ends (and in each end
    // step's accessible name).
    const steps = scaleSteps(question).map(({ value, label }) =>
      h(
        "label",
        { class: "tile tile-step" },
        h("input", { type: "radio", name, value, "aria-label": label }),
        h("span", { "aria-hidden": "true" }, value),
      ),
    );
    return h(
      "fieldset",
      fieldset,
      legend,
      h("div", { class: "tiles-scale" }, steps),
      h("p", { class: "scale-ends", "aria-hidden": "true" }, h("span", {}, question.min_label || ""), h("span", {}, question.max_label || "")),
      h("div", { class: "tiles" }, noAnswer),
    );
  }
  const options = question.options.map((o) => ({ value: o.key, label: o.label }));
  const inputs =
    question.kind === "multi"
      ? options.map(({ value, label }) =>
          h("label", { class: "tile" }, h("input", { type: "checkbox", name, value }), h("span", {}, label)),
        )
      : [...radios(name, options, "", { tiles: true }), ...noAnswer];
  return h("fieldset", fieldset, legend, h("div", { class: "tiles" }, inputs));
}

// The answers given, by question key, as the sync sends them; unanswered ones left out.
function answersOf(form) {
  const answers = {};
  for (const question of questions()) {
    const name = fieldName(question);
    if (question.kind === "multi") {
      const chosen = [...form.querySelectorAll(`input[name="${name}"]:checked`)].map((i) => i.value);
      if (chosen.length) answers[question.key] = chosen;
      continue;
    }
    const value = form.elements[name]?.value?.trim() ?? "";
    if (!value) continue;
    answers[question.key] = question.kind === "scale" ? Number(value) : value;
  }
  return answers;
}

function unanswered(answers) {
  return questions().find((q) => q.required && !(q.key in answers));
}

function newClientId() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

async function save(door, form) {
  const error = form.querySelector(".form-error");
  const values = form.elements;
  const outcome = values.outcome.value;
  const personId = values.person.value ? Number(values.person.value) : null;
  const dnc = values.do_not_contact.value;
  const talked = outcome === "talked";
  const answers = talked ? answersOf(form) : {};
  const missing = talked ? unanswered(answers) : null;
  const problem = !outcome
    ? "Choose what happened at the door."
    : dnc === "all" && personId === null
      ? "Never contact me needs the person who asked: choose them under Who answered."
      : missing
        ? `Answer the script's question: ${missing.prompt}`
        : "";
  if (problem) {
    error.textContent = problem;
    error.hidden = false;
    error.focus?.();
    return;
  }
  const fix = state.fix && Date.now() - state.fix.at < FIX_MAX_AGE_MS ? state.fix : null;
  const record = {
    client_id: newClientId(),
    list_code: state.bundle.code,
    household_id: door.id,
    person_id: personId,
    outcome,
    support: talked && values.support.value ? Number(values.support.value) : null,
    answers,
    notes: values.notes.value.trim(),
    do_not_contact: dnc,
    recorded_at: new Date().toISOString(),
    latitude: fix ? fix.latitude : null,
    longitude: fix ? fix.longitude : null,
    script_version: state.bundle.script?.version_id ?? null,
    status: "pending",
  };
  await addResult(record);
  state.flash = `Saved on this phone: ${address(door)}, ${outcomeLabel(outcome).toLowerCase()}.`;
  await reloadResults(false);
  location.hash = ""; // back to the list (the hashchange draws it)
  requestBackgroundSync();
  if (navigator.onLine) scheduleSync(0);
}

function requestBackgroundSync() {
  navigator.serviceWorker?.ready
    .then((registration) => registration.sync?.register("canvass-outbox"))
    .catch(() => {
      // No Background Sync here: the page's own retries cover it.
    });
}

start();
