// Auth settings from the environment, read on each use so a test (or an operator restarting
// with new values) changes them without touching code.

function positiveNumber(name: string, fallback: number): number {
	const raw = process.env[name];
	if (raw === undefined || raw === '') return fallback;
	const n = Number(raw);
	return Number.isFinite(n) && n > 0 ? n : fallback;
}

/** A whole-number setting above zero; anything else (unset, 0, junk) means the default. */
export function positiveInt(name: string, fallback: number): number {
	const n = Number(process.env[name]);
	return Number.isInteger(n) && n > 0 ? n : fallback;
}

export function sessionIdleMs(): number {
	return positiveNumber('SESSION_IDLE_MINUTES', 30) * 60_000;
}

export function sessionAbsoluteMs(): number {
	return positiveNumber('SESSION_ABSOLUTE_HOURS', 12) * 3_600_000;
}

export function loginMaxFailures(): number {
	return Math.floor(positiveNumber('LOGIN_MAX_FAILURES', 5));
}

export function loginLockMs(): number {
	return positiveNumber('LOGIN_LOCK_MINUTES', 15) * 60_000;
}

/** Failed sign-ins one client address may make within loginIpWindowMs before it must wait. */
export function loginIpMaxFailures(): number {
	return Math.floor(positiveNumber('LOGIN_IP_MAX_FAILURES', 30));
}

export function loginIpWindowMs(): number {
	return positiveNumber('LOGIN_IP_WINDOW_MINUTES', 15) * 60_000;
}

/**
 * Secure cookies whenever the request came over https; in production also behind a proxy that
 * terminates TLS, unless COOKIE_SECURE=false says the deployment really is plain http.
 */
export function cookieSecure(url: URL): boolean {
	const flag = process.env.COOKIE_SECURE;
	if (flag === 'false') return url.protocol === 'https:';
	if (flag === 'true') return true;
	return url.protocol === 'https:' || process.env.NODE_ENV === 'production';
}

/**
 * Failed sign-ins on one account from all addresses together before the account itself locks
 * (for everyone, shown to the admin, cleared by 解锁 or 找回密码). Per address the account
 * locks after loginMaxFailures; this ceiling stops guessing spread over many addresses.
 */
export function loginAccountMaxFailures(): number {
	return Math.floor(positiveNumber('LOGIN_ACCOUNT_MAX_FAILURES', 20));
}
