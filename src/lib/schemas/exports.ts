// 导出: what the export buttons send and what 导出记录 pages through.
import { z } from 'zod';
import { idSchema, text } from './common.ts';

/** The lists with 导出 (the server's specs are in server/exports/specs.ts). */
export const EXPORT_LISTS = ['payments', 'refunds', 'withdrawals', 'flows', 'accountFlows', 'users', 'roles', 'operators', 'audit', 'wechatKeys', 'alipayKeys', 'exports'] as const;
export type ExportList = (typeof EXPORT_LISTS)[number];

export const EXPORT_FORMATS = ['CSV', 'XLSX'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** The most rows one 导出所选 may name (a page holds at most 100; the rest is headroom for callers of the API). */
export const EXPORT_MAX_IDS = 500;

export const exportCreateInput = z.object({
	list: text().min(1).max(32),
	format: z.enum(EXPORT_FORMATS),
	/** The list's own filter; checked with the list's schema by the router. */
	filter: z.record(text().max(64), z.unknown()).default({}),
	columns: z.array(text().max(64)).max(64).default([]),
	/**
	 * 导出所选: only these rows (ids of the list's table). Bounded, since anyone can send anything;
	 * ids of another merchant's rows simply match nothing. Repeats count once.
	 */
	ids: z
		.array(idSchema)
		.min(1, 'exports.noneSelected')
		.max(EXPORT_MAX_IDS, 'exports.tooManySelected')
		.transform((ids) => [...new Set(ids)])
		.optional()
});

export const exportListInput = z.object({
	page: z.number().int().min(1).max(100_000).default(1),
	pageSize: z.union([z.literal(10), z.literal(20), z.literal(50), z.literal(100)]).default(20)
});

export const exportIdInput = z.object({ id: idSchema });
