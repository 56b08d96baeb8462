// The per-request translator. It lives in Svelte context, set once by the root layout:
// a module-level singleton would be shared by every request the server renders at once.
import { getContext, setContext } from 'svelte';
import { DEFAULT_LOCALE, LOCALES, translate, type Locale, type MessageKey } from './messages';

export type { Locale, MessageKey } from './messages';
export type MessageParams = Record<string, string | number>;

export interface I18n {
	/** The current language; read it as `i18n.locale` where it must follow a language switch. */
	readonly locale: Locale;
	t(key: MessageKey, params?: MessageParams): string;
}

const I18N = Symbol('i18n');

/** A translator for one locale, or for a locale that may change (pass a getter). */
export function createI18n(locale: Locale | (() => Locale)): I18n {
	const current = typeof locale === 'function' ? locale : () => locale;
	return {
		get locale() {
			return current();
		},
		t: (key, params) => translate(current(), key, params)
	};
}

/** Call once in the root layout, with a getter so a language switch re-renders the texts. */
export function setI18n(locale: Locale | (() => Locale)): I18n {
	return setContext(I18N, createI18n(locale));
}

export function getI18n(): I18n {
	const i18n = getContext<I18n | undefined>(I18N);
	if (!i18n) throw new Error('getI18n() outside the root layout: call setI18n() there first');
	return i18n;
}

export function isLocale(value: unknown): value is Locale {
	return typeof value === 'string' && (LOCALES as readonly string[]).includes(value);
}

/** The `locale` cookie's value, or the default for anything else. */
export function parseLocale(value: string | null | undefined): Locale {
	return isLocale(value) ? value : DEFAULT_LOCALE;
}

/** Name and lifetime of the cookie that remembers the language. */
export const LOCALE_COOKIE = 'locale';
export const LOCALE_COOKIE_MAX_AGE = 60 * 60 * 24 * 365;
