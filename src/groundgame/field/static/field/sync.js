// Sends the results waiting in the outbox to the server, in batches, oldest first.
//
// Used by the page (when it comes online, after each door, on a timer with backoff) and by
// the service worker (Background Sync, when the browser says the connection is back). A Web
// Lock lets only one of them send at a time; even without it, a result sent twice is stored
// once, because the server knows it by the client_id made on the phone.

import { applyAnswers, forgetRefused, pendingResults } from "./db.js";

export const SYNC_URL = "/api/field/sync";
export const BATCH_SIZE = 50;

export class SyncError extends Error {
  constructor(message, { offline = false } = {}) {
    super(message);
    this.offline = offline;
  }
}

async function sendBatch(listCode, rows) {
  let response;
  try {
    response = await fetch(SYNC_URL, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ list_code: listCode, results: rows.map(toWire) }),
      credentials: "omit",
      cache: "no-store",
    });
  } catch {
    throw new SyncError("No connection.", { offline: true });
  }
  if (!response.ok) {
    let message = `The server answered ${response.status}.`;
    try {
      message = (await response.json()).message || message;
    } catch {
      // Not JSON (a proxy's error page): keep the status.
    }
    throw new SyncError(message);
  }
  return response.json();
}

// What the API takes: the record without the phone's own bookkeeping.
function toWire(record) {
  const { status, synced_at, reason, list_code, ...wire } = record;
  return wire;
}

async function syncOnce() {
  const pending = await pendingResults();
  const byList = new Map();
  for (const record of pending) {
    if (!byList.has(record.list_code)) byList.set(record.list_code, []);
    byList.get(record.list_code).push(record);
  }
  const summary = { sent: 0, accepted: 0, duplicate: 0, rejected: 0, scriptVersions: {} };
  for (const [listCode, records] of byList) {
    for (let start = 0; start < records.length; start += BATCH_SIZE) {
      const rows = records.slice(start, start + BATCH_SIZE);
      const answer = await sendBatch(listCode, rows);
      await applyAnswers(answer.results);
      await forgetRefused(listCode, answer.refused);
      summary.sent += rows.length;
      summary.accepted += answer.accepted;
      summary.duplicate += answer.duplicate;
      summary.rejected += answer.rejected;
      summary.scriptVersions[listCode] = answer.script_version;
    }
  }
  return summary;
}

export function syncOutbox() {
  if (globalThis.navigator?.locks) {
    return navigator.locks.request("groundgame-canvass-sync", syncOnce);
  }
  return syncOnce();
}
