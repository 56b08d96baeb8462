// 登录设备: a person's signed-in sessions (browser and OS read from the user agent, address,
// signed in at, last active), ending one or all others; the admin sees and ends an operator's.
// Half sessions (second factor pending) are not devices yet and are not listed.
import Bowser from 'bowser';
import type { Kysely, Transaction } from 'kysely';
import type { DB, Db } from '#db';
import type { DeviceRow } from '#shared/schemas/devices.ts';
import { writeAudit } from '../audit.ts';
import type { RequestOrigin, SessionContext } from './types.ts';

/** "Chrome 120" / "Windows 10" from a user agent; nulls when it says nothing recognisable. */
export function describeUserAgent(userAgent: string | null): { browser: string | null; os: string | null } {
	if (!userAgent) return { browser: null, os: null };
	try {
		const ua = Bowser.parse(userAgent);
		const major = ua.browser.version?.split('.')[0];
		const browser = ua.browser.name ? [ua.browser.name, major].filter(Boolean).join(' ') : null;
		const os = ua.os.name ? [ua.os.name, ua.os.versionName ?? ua.os.version].filter(Boolean).join(' ') : null;
		return { browser, os };
	} catch {
		return { browser: null, os: null };
	}
}

export async function listDevices(db: Db, staffId: bigint, currentSessionId: string | null): Promise<DeviceRow[]> {
	const rows = await db
		.selectFrom('sessions')
		.select(['id', 'ip', 'user_agent', 'created_at', 'last_seen_at'])
		.where('staff_id', '=', staffId)
		.where('second_factor_pending', '=', false)
		.where('expires_at', '>', new Date())
		.where('absolute_expires_at', '>', new Date())
		.orderBy('last_seen_at', 'desc')
		.orderBy('id')
		.execute();
	return rows.map((r) => ({
		id: r.id,
		current: r.id === currentSessionId,
		...describeUserAgent(r.user_agent),
		ip: r.ip,
		signedInAt: r.created_at,
		lastSeenAt: r.last_seen_at
	}));
}

/** Ends one session of the person (never the one asking: that is 退出). False when there is none such. */
export async function endDevice(db: Db, auth: SessionContext, id: string, origin: RequestOrigin): Promise<boolean> {
	if (id === auth.sessionId) return false;
	return db.transaction().execute(async (tx) => {
		const r = await tx.deleteFrom('sessions').where('id', '=', id).where('staff_id', '=', auth.staff.id).executeTakeFirst();
		if (r.numDeletedRows === 0n) return false;
		await audit(tx, auth, 'sessions.end', auth.staff.id, { count: 1 }, origin);
		return true;
	});
}

/** 退出其他设备: every session of the person but this one. */
export async function endOtherDevices(db: Db, auth: SessionContext, origin: RequestOrigin): Promise<number> {
	return db.transaction().execute(async (tx) => {
		const r = await tx.deleteFrom('sessions').where('staff_id', '=', auth.staff.id).where('id', '<>', auth.sessionId).executeTakeFirst();
		const count = Number(r.numDeletedRows);
		await audit(tx, auth, 'sessions.endOthers', auth.staff.id, { count }, origin);
		return count;
	});
}

function audit(
	tx: Kysely<DB> | Transaction<DB>,
	auth: SessionContext,
	action: 'sessions.end' | 'sessions.endOthers',
	target: bigint,
	detail: Record<string, unknown>,
	origin: RequestOrigin
) {
	return writeAudit(tx, {
		merchantId: auth.staff.merchantId,
		staffId: auth.staff.id,
		actorName: auth.staff.name,
		action,
		targetType: 'staff',
		targetId: target,
		detail,
		ip: origin.ip,
		userAgent: origin.userAgent
	});
}
