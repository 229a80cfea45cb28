// The phone's own storage for the canvassing app (IndexedDB): the walk lists it downloaded
// and every result recorded, kept until the server has acknowledged it and after.
//
// Stores:
//   lists:  one downloaded bundle per list code (households, script, literature, choices),
//           less the people and doors a sync answer says the contact rule now refuses.
//   outbox: one record per door knocked, keyed by its client_id (a UUID made here), with
//           status "pending" until the server accepts it, then "synced" (or "rejected" with
//           the server's reason). Nothing is ever deleted, so a reload or a closed tab
//           loses nothing and the list shows what was done at each door.

const DB_NAME = "groundgame-canvass";
const DB_VERSION = 1;

let opening = null;

export function openDb() {
  if (!opening) {
    opening = new Promise((resolve, reject) => {
      const request = indexedDB.open(DB_NAME, DB_VERSION);
      request.onupgradeneeded = () => {
        const db = request.result;
        db.createObjectStore("lists", { keyPath: "code" });
        const outbox = db.createObjectStore("outbox", { keyPath: "client_id" });
        outbox.createIndex("status", "status");
        outbox.createIndex("list_code", "list_code");
      };
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => {
        opening = null;
        reject(request.error);
      };
    });
  }
  return opening;
}

// Runs fn(stores) in one transaction and resolves once it is committed. Writes ask for
// "strict" durability: the browser flushes to disk before reporting completion, so a
// result the screen calls saved survives the phone's battery dying a second later.
async function transact(storeNames, mode, fn) {
  const db = await openDb();
  return new Promise((resolve, reject) => {
    const tx = db.transaction(storeNames, mode, { durability: "strict" });
    const stores = Object.fromEntries(storeNames.map((name) => [name, tx.objectStore(name)]));
    let value;
    Promise.resolve(fn(stores)).then((v) => { value = v; }, (error) => { tx.abort(); reject(error); });
    tx.oncomplete = () => resolve(value);
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error || new Error("The transaction was aborted."));
  });
}

function requested(request) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

export function saveList(bundle) {
  const stored = { ...bundle, code: bundle.code.toUpperCase(), downloaded_at: new Date().toISOString() };
  return transact(["lists"], "readwrite", ({ lists }) => requested(lists.put(stored)));
}

export function getList(code) {
  return transact(["lists"], "readonly", ({ lists }) => requested(lists.get(code.toUpperCase())));
}

export function addResult(record) {
  return transact(["outbox"], "readwrite", ({ outbox }) => requested(outbox.add(record)));
}

export function resultsForList(code) {
  return transact(["outbox"], "readonly", ({ outbox }) =>
    requested(outbox.index("list_code").getAll(code.toUpperCase())),
  );
}

export async function pendingResults() {
  const rows = await transact(["outbox"], "readonly", ({ outbox }) =>
    requested(outbox.index("status").getAll("pending")),
  );
  return rows.sort((a, b) => a.recorded_at.localeCompare(b.recorded_at));
}

export function pendingCount() {
  return transact(["outbox"], "readonly", ({ outbox }) =>
    requested(outbox.index("status").count("pending")),
  );
}

// Records the server's answer for each result of a batch: accepted and duplicate rows are
// stored on the server (a duplicate is a replay of one it already has), rejected rows keep
// the reason for the canvasser to see.
export function applyAnswers(answers) {
  return transact(["outbox"], "readwrite", async ({ outbox }) => {
    for (const answer of answers) {
      const record = await requested(outbox.get(answer.client_id));
      if (!record) continue;
      record.status = answer.status === "rejected" ? "rejected" : "synced";
      record.synced_at = new Date().toISOString();
      if (answer.status === "rejected") record.reason = answer.message || answer.code;
      await requested(outbox.put(record));
    }
  });
}

// Drops from a downloaded list the people and doors the server's contact rule now refuses
// (someone asked not to be contacted since the list was downloaded): they are not offered
// again. What was recorded at those doors stays in the outbox and still syncs.
export function forgetRefused(code, refused) {
  const people = new Set(refused?.people || []);
  const households = new Set(refused?.households || []);
  if (!people.size && !households.size) return Promise.resolve();
  return transact(["lists"], "readwrite", async ({ lists }) => {
    const bundle = await requested(lists.get(code.toUpperCase()));
    if (!bundle) return;
    bundle.households = bundle.households
      .filter((door) => !households.has(door.id))
      .map((door) => ({ ...door, people: door.people.filter((person) => !people.has(person.id)) }));
    await requested(lists.put(bundle));
  });
}
