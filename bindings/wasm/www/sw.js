// Keeps the calculator working offline once it has loaded: every file it needs is cached on the
// first visit. Network first (so a rebuilt package is picked up), the cache when offline.
const CACHE = "cwfinance-calculator-v1";
const SHELL = [
  "./",
  "./index.html",
  "./app.js",
  "./style.css",
  "../pkg/index.js",
  "../pkg/api.js",
  "../pkg/web/cwfinance_wasm.js",
  "../pkg/web/cwfinance_wasm_bg.wasm",
];

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll(SHELL))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET" || new URL(request.url).origin !== self.location.origin) return;
  event.respondWith(
    fetch(request)
      .then((response) => {
        if (response.ok) {
          const copy = response.clone();
          event.waitUntil(caches.open(CACHE).then((cache) => cache.put(request, copy)));
        }
        return response;
      })
      .catch(() => caches.match(request, { ignoreSearch: true }).then((hit) => hit ?? Response.error())),
  );
});
