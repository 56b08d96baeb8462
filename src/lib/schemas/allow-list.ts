// 登录地址白名单: the addresses and CIDR ranges (IPv4 and IPv6) a merchant's back office may be
// signed in from. Shared by the settings form (which checks each line as it is typed) and the
// API. Messages are catalogue keys. Relative imports only.
import ipaddr from 'ipaddr.js';
import { z } from 'zod';
import { text } from './common.ts';

/** The most entries a list may hold (the database refuses more too). */
export const MAX_ALLOW_LIST_ENTRIES = 100;

/**
 * One entry in its one spelling: an address (`203.0.113.7`, `2001:db8::1`) or a range with the
 * host bits cleared (`203.0.113.9/24` → `203.0.113.0/24`); null when it is neither. An
 * IPv4-mapped IPv6 address counts as the IPv4 address it maps.
 */
export function normalizeAllowEntry(input: string): string | null {
	const v = input.trim();
	if (!v || v.length > 49 || v.includes('%')) return null;
	try {
		if (v.includes('/')) {
			if (!ipaddr.isValidCIDR(v)) return null;
			const [addr, bits] = ipaddr.parseCIDR(v);
			if (addr.kind() === 'ipv6' && (addr as ipaddr.IPv6).isIPv4MappedAddress() && bits >= 96)
				return withBits((addr as ipaddr.IPv6).toIPv4Address().toString(), bits - 96, 'ipv4');
			return withBits(addr.toString(), bits, addr.kind());
		}
		if (!ipaddr.isValid(v)) return null;
		// Only the full dotted form: ipaddr also reads "10" or "0x0a.1" as addresses, which nobody means.
		if (!v.includes(':') && !ipaddr.IPv4.isValidFourPartDecimal(v)) return null;
		return ipaddr.process(v).toString();
	} catch {
		return null;
	}
}

function withBits(address: string, bits: number, kind: 'ipv4' | 'ipv6'): string {
	const network = kind === 'ipv4' ? ipaddr.IPv4.networkAddressFromCIDR(`${address}/${bits}`) : ipaddr.IPv6.networkAddressFromCIDR(`${address}/${bits}`);
	return `${network.toString()}/${bits}`;
}

export const allowListInput = z.object({
	entries: z
		.array(text({ trim: true }).refine((v) => normalizeAllowEntry(v) !== null, 'allowList.badEntry'))
		.max(MAX_ALLOW_LIST_ENTRIES, 'allowList.tooMany'),
	/** The person's own address is outside the new list: saving signs them out too, and they said so. */
	confirmExcludesSelf: z.boolean().default(false)
});

/** What 登录地址白名单 shows. */
export interface AllowListView {
	entries: string[];
	/** The address this request came from, as the server sees it (through the proxy setting). */
	yourAddress: string | null;
	/** Whether that address is inside the saved list (always true for an empty list). */
	youAreInside: boolean;
}
