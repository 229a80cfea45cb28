{% load static %}// The canvassing app's service worker: the app shell from the cache, so the app opens and
// reloads with no connection, and Background Sync of the results waiting on the phone.
// Served by the app (canvass_views.service_worker) from the app's own path, so its scope
// is the app; VERSION changes whenever a file of the shell does, which installs the new
// shell and drops the old one.

import { syncOutbox } from "{% static 'field/sync.js' %}";

const VERSION = "{{ version }}";
const CACHE = `groundgame-canvass-${VERSION}`;
const APP = "{{ app_url }}";
const SHELL = [APP, {% for url in shell %}"{{ url }}"{% if not forloop.last %}, {% endif %}{% endfor %}];

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(CACHE).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) =>
        Promise.all(
          keys
            .filter((key) => key.startsWith("groundgame-canvass-") && key !== CACHE)
            .map((key) => caches.delete(key)),
        ),
      )
      .then(() => self.clients.claim()),
  );
});

// Cache first for the shell: a phone on one bar of signal opens at once. The API is not
// cached here: the page keeps the list and the results in IndexedDB itself.
self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.origin !== self.location.origin) return;
  const key = event.request.mode === "navigate" && url.pathname === APP ? APP : url.pathname;
  if (!SHELL.includes(key)) return;
  event.respondWith(caches.match(key).then((cached) => cached || fetch(event.request)));
});

self.addEventListener("sync", (event) => {
  if (event.tag !== "canvass-outbox") return;
  event.waitUntil(
    syncOutbox().then(() => new BroadcastChannel("groundgame-canvass").postMessage("synced")),
  );
});
