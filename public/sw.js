// Portcullis service worker: after the first visit the site works with no network.
//
// Network first, so an online visit always gets the newest site; every same-origin GET that
// succeeds is kept, and offline the kept copy answers (the page itself for any navigation).
// Installing caches the page and every asset it names, so the first visit is enough.
// All URLs are relative to this file: the site works from any sub-path.
const CACHE = 'portcullis-v1';

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    const page = await fetch('./index.html', { cache: 'no-store' });
    const text = await page.clone().text();
    const assets = [...text.matchAll(/(?:href|src)="([^"#?]+)"/g)]
      .map((match) => match[1])
      .filter((url) => !/^[a-z][a-z0-9+.-]*:/i.test(url) && !url.startsWith('//'));
    await cache.put('./index.html', page.clone());
    await cache.put('./', page);
    await cache.addAll([...new Set(assets)]);
    await self.skipWaiting();
  })());
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const key of await caches.keys()) {
      if (key !== CACHE) await caches.delete(key);
    }
    await self.clients.claim();
  })());
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET' || new URL(request.url).origin !== self.location.origin) return;
  event.respondWith((async () => {
    const cache = await caches.open(CACHE);
    try {
      const response = await fetch(request);
      if (response.ok) await cache.put(request, response.clone());
      return response;
    } catch (error) {
      const kept = await cache.match(request, { ignoreSearch: true });
      if (kept) return kept;
      if (request.mode === 'navigate') {
        const page = await cache.match('./index.html');
        if (page) return page;
      }
      throw error;
    }
  })());
});
