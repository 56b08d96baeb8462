// What every keys procedure shares: who acts (for updated_by and the audit log). The key core's
// refusals are DomainErrors, answered by api/init.ts.
import type { KeyActor } from '$lib/server/keys/actor';
import type { ProtectedContext } from '../../init';

export function actorOf(ctx: ProtectedContext): KeyActor {
	return { merchantId: ctx.merchantId, staffId: ctx.staffId, actorName: ctx.auth.staff.name, ip: ctx.ip, userAgent: ctx.userAgent };
}
