// Links in e-mails carry their token as `?token=` (older invitation links as `#token=`). A page
// takes it once and drops it from the address bar and history at once, so it is not left behind
// in the history, a bookmark, or the Referer of the page's own requests.

export function takeLinkToken(cleanPath: string): string | null {
  const query = new URLSearchParams(window.location.search).get('token');
  const fragment = new URLSearchParams(window.location.hash.slice(1)).get('token');
  const token = query ?? fragment;
  if (token) window.history.replaceState(null, '', cleanPath);
  return token;
}
