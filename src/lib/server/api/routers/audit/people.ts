import { protectedProcedure } from '../../init';

/** Everyone of the merchant (admin included) for the audit log's 操作人 filter. */
export const people = protectedProcedure.meta({ permission: 'audit.read' }).query(async ({ ctx }) => {
	const rows = await ctx.db
		.selectFrom('staff')
		.select(['id', 'name', 'is_admin'])
		.where('merchant_id', '=', ctx.merchantId)
		.orderBy('is_admin', 'desc')
		.orderBy('id')
		.execute();
	return rows.map((r) => ({ id: r.id, name: r.name, isAdmin: r.is_admin }));
});
