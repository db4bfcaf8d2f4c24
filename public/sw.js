// Portcullis service worker: after the first visit the site works with no network.
//
// Network first, so an online visit always gets the newest site; every same-origin GET that
// succeeds is kept, and offline the kept copy answers (a page's own HTML for any navigation
// inside it).
// The site has two pages, each with its own wasm: the wizard (./) and the workbench
// (./workbench/), and one analysis worker both start on demand. Installing caches both pages,
// every asset each names (the workbench's asset URLs are relative to its folder) and the worker,
// so the first visit to either page is enough for both, reviews and analyses included.
// All URLs are relative to this file: the site works from any sub-path.
const CACHE = 'portcullis-v3';
// Deepest folder first: a navigation falls back to the first page whose folder holds it.
const PAGES = ['./workbench/', './'].map((page) => new URL(page, self.location).href);

async function cachePage(cache, page) {
  const response = await fetch(new URL('index.html', page), { cache: 'no-store' });
  if (!response.ok) throw new Error(`${page}index.html: HTTP ${response.status}`);
  const text = await response.clone().text();
  const assets = [...text.matchAll(/(?:href|src)="([^"#?]+)"/g)]
    .map((match) => match[1])
    .filter((url) => !/^[a-z][a-z0-9+.-]*:/i.test(url) && !url.startsWith('//'))
    .map((url) => new URL(url, page).href);
  // The analysis worker is named in a <meta> (started on demand, not loaded with the page): its
  // loader and the files the loader names are kept too, so the review works offline.
  for (const [, name] of text.matchAll(/name="portcullis-analysis-worker" content="([^"]+)"/g)) {
    const loader = new URL(name, page).href;
    const script = await fetch(loader, { cache: 'no-store' });
    if (!script.ok) throw new Error(`${loader}: HTTP ${script.status}`);
    const named = [...(await script.text()).matchAll(/["'](\.\/[^"']+)["']/g)].map((match) => new URL(match[1], loader).href);
    assets.push(loader, ...named);
  }
  await cache.put(new URL('index.html', page).href, response.clone());
  await cache.put(page, response);
  await cache.addAll([...new Set(assets)]);
}

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    await Promise.all(PAGES.map((page) => cachePage(cache, page)));
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
        const page = PAGES.find((folder) => request.url.startsWith(folder));
        const html = page && await cache.match(new URL('index.html', page).href);
        if (html) return html;
      }
      throw error;
    }
  })());
});
