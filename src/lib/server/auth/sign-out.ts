import type { Db } from '#db';
import { writeAudit } from '../audit.ts';
import { invalidateSession } from './session.ts';
import type { RequestOrigin, SessionContext } from './types.ts';

/** Ends the current session and records it; used by the tRPC procedure and the plain POST /logout. */
export async function signOut(db: Db, auth: SessionContext, origin: RequestOrigin): Promise<void> {
	await invalidateSession(db, auth.sessionId);
	await writeAudit(db, {
		merchantId: auth.staff.merchantId,
		staffId: auth.staff.id,
		actorName: auth.staff.name,
		action: 'auth.signOut',
		targetType: 'staff',
		targetId: auth.staff.id,
		ip: origin.ip,
		userAgent: origin.userAgent
	});
}
