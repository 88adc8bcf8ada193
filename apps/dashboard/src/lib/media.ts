// Media URLs are signed by the API for its own host; the dashboard fetches them through its own origin
// (proxy.ts forwards /media/*), which also lets the Web Audio decoder read them without CORS.
export function sameOrigin(url: string): string {
  if (typeof window === 'undefined' || !/^https?:\/\//.test(url)) return url;
  const u = new URL(url);
  return u.pathname + u.search;
}
