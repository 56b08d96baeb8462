// The last URL each list was shown at in this browser tab, so a detail's 返回 finds the list
// with its filter even when the detail was opened by a full page load (a new tab, a reload).
const KEY = 'list:';

export function rememberListUrl(url: URL): void {
	try {
		sessionStorage.setItem(KEY + url.pathname, url.pathname + url.search);
	} catch {
		// Storage disabled: 返回 falls back to the plain list URL.
	}
}

export function lastListUrl(listHref: string): string | null {
	try {
		return sessionStorage.getItem(KEY + new URL(listHref, 'http://x').pathname);
	} catch {
		return null;
	}
}
