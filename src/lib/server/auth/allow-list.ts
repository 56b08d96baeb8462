// The address allow-list (登录地址白名单): optional per merchant. With entries, a sign-in is
// refused before any password is checked (nothing is hashed) unless the client address, as
// resolved through the proxy setting (ADDRESS_HEADER / XFF_DEPTH), is inside one of them, and an
// existing session from outside is ended at its next request. Empty: anywhere. Relative imports
// only (tests import it under plain Node).
import ipaddr from 'ipaddr.js';
import type { Kysely, Transaction } from 'kysely';
import type { DB } from '#db';
import { normalizeAllowEntry } from '#shared/schemas/allow-list.ts';

type Range = [ipaddr.IPv4 | ipaddr.IPv6, number];

/** Parsed lists by their text: a list is read on every request of its merchant's sessions. */
const parsed = new Map<string, Range[]>();

function ranges(list: readonly string[]): Range[] {
	const key = list.join(',');
	let r = parsed.get(key);
	if (!r) {
		r = list.flatMap((entry): Range[] => {
			const n = normalizeAllowEntry(entry);
			if (!n) return [];
			if (n.includes('/')) return [ipaddr.parseCIDR(n)];
			const a = ipaddr.parse(n);
			return [[a, a.kind() === 'ipv4' ? 32 : 128]];
		});
		if (parsed.size > 1000) parsed.clear();
		parsed.set(key, r);
	}
	return r;
}

/**
 * Whether `ip` may sign in under `list`. An empty list allows every address; an address the
 * server could not tell (null, unparseable) is allowed by none.
 */
export function addressAllowed(list: readonly string[] | null | undefined, ip: string | null | undefined): boolean {
	if (!list || list.length === 0) return true;
	if (!ip) return false;
	let address: ipaddr.IPv4 | ipaddr.IPv6;
	try {
		// ::ffff:203.0.113.7 (how Node reports IPv4 on a dual-stack socket) is 203.0.113.7.
		address = ipaddr.process(ip.trim());
	} catch {
		return false;
	}
	return ranges(list).some(([range, bits]) => range.kind() === address.kind() && address.match(range, bits));
}

/** The list as saved: each entry in its one spelling, duplicates dropped, in the order given. */
export function normalizeAllowList(entries: readonly string[]): string[] {
	return [...new Set(entries.map((e) => normalizeAllowEntry(e)).filter((e): e is string => e !== null))];
}

export async function readAllowList(db: Kysely<DB> | Transaction<DB>, merchantId: bigint): Promise<string[]> {
	const row = await db.selectFrom('merchants').select('sign_in_allow_list').where('id', '=', merchantId).executeTakeFirstOrThrow();
	return row.sign_in_allow_list;
}
