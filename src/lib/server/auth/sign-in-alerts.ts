// New-device sign-in alerts: a completed sign-in from a device AND an address that the person
// has not signed in from in the last NEW_DEVICE_WINDOW_DAYS gets an SMS ("was this you?") and a
// 'newDeviceAlert' row in the sign-in log. A device is the browser and OS family read from the
// user agent (Chrome on Windows; versions are ignored, they change with every update); an
// address is the client address as resolved through the proxy setting (ADDRESS_HEADER). A
// known device on a new network (a laptop at a café) or a new browser at a known address
// raises nothing: only both new at once. The very first sign-in of an account (its initial
// password) raises nothing either. The message carries no secret. Relative imports only.
import Bowser from 'bowser';
import { sql } from 'kysely';
import type { Db } from '#db';
import { formatDateTime } from '#shared/time.ts';
import { deliverSmsLater, queueSms, smsText } from '../sms/index.ts';
import { writeSignInLog } from './sign-in-log.ts';
import type { RequestOrigin } from './types.ts';

export const NEW_DEVICE_WINDOW_DAYS = 90;

/** 'Chrome / Windows'; 'unknown' for a user agent that names neither. */
export function deviceFamily(userAgent: string | null | undefined): string {
	if (!userAgent) return 'unknown';
	try {
		const ua = Bowser.parse(userAgent);
		const browser = ua.browser.name ?? '';
		const os = ua.os.name ?? '';
		return browser || os ? `${browser || '?'} / ${os || '?'}` : 'unknown';
	} catch {
		return 'unknown';
	}
}

export interface NewDevice {
	device: string;
	address: string | null;
}

/**
 * Call on a completed sign-in, BEFORE its own success row is written. Null when nothing is to be
 * said: the account's first sign-in ever, or the device or the address was seen in the window.
 */
export async function newDeviceCheck(db: Db, staffId: bigint, origin: RequestOrigin): Promise<NewDevice | null> {
	// The first completed sign-in of the account marks it, once; that one alerts nobody.
	const first = await db
		.updateTable('staff')
		.set({ first_signed_in_at: new Date() })
		.where('id', '=', staffId)
		.where('first_signed_in_at', 'is', null)
		.executeTakeFirst();
	if (first.numUpdatedRows > 0n) return null;

	const since = new Date(Date.now() - NEW_DEVICE_WINDOW_DAYS * 86_400_000);
	// Completed sign-ins only: a right password still waiting for its code proves no device.
	const seen = await db
		.selectFrom('sign_in_log')
		.select(['ip', 'user_agent'])
		.where('staff_id', '=', staffId)
		.where('created_at', '>', since)
		.where('ok', '=', true)
		.where((eb) => eb.or([eb.and([eb('event', '=', 'signIn'), eb('reason', 'is', null)]), eb('event', '=', 'secondFactor')]))
		.groupBy(['ip', 'user_agent'])
		.orderBy(sql`max(created_at)`, 'desc')
		.limit(500)
		.execute();
	const address = origin.ip?.slice(0, 100) ?? null;
	const device = deviceFamily(origin.userAgent);
	if (seen.some((r) => r.ip === address)) return null;
	if (seen.some((r) => deviceFamily(r.user_agent) === device)) return null;
	return { device, address };
}

/** The SMS (queued, delivered in the background: the sign-in does not wait for the gateway) and its log row. */
export async function alertOnNewDevice(
	db: Db,
	who: { merchantId: bigint; staffId: bigint; phone: string },
	found: NewDevice,
	origin: RequestOrigin
): Promise<void> {
	const staff = await db
		.selectFrom('staff')
		.innerJoin('merchants', 'merchants.id', 'staff.merchant_id')
		.select(['staff.name', 'staff.phone', 'merchants.merchant_no'])
		.where('staff.id', '=', who.staffId)
		.where('staff.merchant_id', '=', who.merchantId)
		.executeTakeFirstOrThrow();
	const msg = await queueSms(db, {
		merchantId: who.merchantId,
		phone: staff.phone,
		body: smsText('sms.body.newDevice', {
			name: staff.name,
			merchantNo: staff.merchant_no,
			time: formatDateTime(new Date()),
			device: found.device === 'unknown' ? '?' : found.device,
			address: found.address ?? '?'
		}),
		purpose: 'NEW_DEVICE_SIGN_IN'
	});
	deliverSmsLater(db, msg);
	await writeSignInLog(db, { merchantId: who.merchantId, staffId: who.staffId, event: 'newDeviceAlert', ok: true, reason: 'smsSent', phone: staff.phone }, origin);
}
