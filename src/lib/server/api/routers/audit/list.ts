import { auditListInput } from '$lib/schemas/audit';
import { listAudit } from '$lib/server/team/audit';
import { protectedProcedure } from '../../init';

/** 审计日志: newest first, by person, action (or action category) and time (Asia/Shanghai). */
export const list = protectedProcedure
	.meta({ permission: 'audit.read' })
	.input(auditListInput)
	.query(({ ctx, input }) => listAudit(ctx.db, ctx.merchantId, input));
