// 登录设备: which session to end. Messages are catalogue keys.
import { z } from 'zod';
import { text } from './common.ts';

export const deviceIdInput = z.object({ id: text().regex(/^[0-9a-f]{64}$/, 'devices.notFound') });

/** A signed-in session as 登录设备 shows it. */
export interface DeviceRow {
	/** The session row's id (a hash of the cookie token: naming it grants nothing). */
	id: string;
	current: boolean;
	browser: string | null;
	os: string | null;
	ip: string | null;
	signedInAt: Date;
	lastSeenAt: Date;
}
