import { protectedProcedure } from '../../init';
import { getColumnsInput, setColumnsInput } from '$lib/schemas/lists';

/** The columns this person chose for a list, or null for the list's defaults. */
export const getColumns = protectedProcedure
	.meta({ permission: 'authenticated' })
	.input(getColumnsInput)
	.query(async ({ ctx, input }): Promise<string[] | null> => {
		const r = await ctx.db
			.selectFrom('column_prefs')
			.select('columns')
			.where('staff_id', '=', ctx.staffId)
			.where('list_key', '=', input.list)
			.executeTakeFirst();
		return r?.columns ?? null;
	});

export const setColumns = protectedProcedure
	.meta({ permission: 'authenticated' })
	.input(setColumnsInput)
	.mutation(async ({ ctx, input }): Promise<{ ok: true }> => {
		const columns = [...new Set(input.columns)];
		await ctx.db
			.insertInto('column_prefs')
			.values({ staff_id: ctx.staffId, list_key: input.list, columns })
			.onConflict((oc) => oc.columns(['staff_id', 'list_key']).doUpdateSet({ columns, updated_at: new Date() }))
			.execute();
		return { ok: true };
	});
