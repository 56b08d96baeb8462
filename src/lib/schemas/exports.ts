// 导出: what the export buttons send and what 导出记录 pages through.
import { z } from 'zod';
import { idSchema, text } from './common.ts';

/** The lists with 导出 (the server's specs are in server/exports/specs.ts). */
export const EXPORT_LISTS = ['payments', 'refunds', 'withdrawals', 'flows', 'accountFlows', 'users', 'roles', 'operators', 'audit'] as const;
export type ExportList = (typeof EXPORT_LISTS)[number];

export const EXPORT_FORMATS = ['CSV', 'XLSX'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export const exportCreateInput = z.object({
	list: text().min(1).max(32),
	format: z.enum(EXPORT_FORMATS),
	/** The list's own filter; checked with the list's schema by the router. */
	filter: z.record(text().max(64), z.unknown()).default({}),
	columns: z.array(text().max(64)).max(64).default([])
});

export const exportListInput = z.object({
	page: z.number().int().min(1).max(100_000).default(1),
	pageSize: z.union([z.literal(10), z.literal(20), z.literal(50), z.literal(100)]).default(20)
});

export const exportIdInput = z.object({ id: idSchema });
