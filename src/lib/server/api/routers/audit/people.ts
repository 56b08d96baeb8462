import { auditPeople } from '$lib/server/team/audit';
import { protectedProcedure } from '../../init';

/** Everyone of the merchant (admin included) for the audit log's 操作人 filter. */
export const people = protectedProcedure.meta({ permission: 'audit.read' }).query(({ ctx }) => auditPeople(ctx.db, ctx.merchantId));
