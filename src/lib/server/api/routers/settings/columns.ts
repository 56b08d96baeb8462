import { getColumnsInput, setColumnsInput } from '$lib/schemas/lists';
import { chosenListColumns, saveListColumns } from '$lib/server/settings/columns';
import { protectedProcedure } from '../../init';

/** The columns this person chose for a list, or null for the list's defaults. */
export const getColumns = protectedProcedure
	.meta({ permission: 'authenticated' })
	.input(getColumnsInput)
	.query(({ ctx, input }) => chosenListColumns(ctx.db, ctx.staffId, input.list));

export const setColumns = protectedProcedure
	.meta({ permission: 'authenticated' })
	.input(setColumnsInput)
	.mutation(({ ctx, input }) => saveListColumns(ctx.db, ctx.staffId, input.list, input.columns));
