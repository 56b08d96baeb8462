import type { MessageKey } from '$lib/i18n';
import type { FilterValues } from './query';
import type { FilterField } from './types';

/** The filter in words, for the printed page: "交易类型: 普通消费; 交易创建时间: 2026-11-19 至 2026-11-25". */
export function filterSummary(t: (key: MessageKey, params?: Record<string, string | number>) => string, fields: readonly FilterField[], filter: FilterValues): string {
	const parts: string[] = [];
	for (const f of fields) {
		if (f.kind === 'dateRange') {
			const from = filter[f.from] ?? '';
			const to = filter[f.to] ?? '';
			if (from || to) parts.push(`${t(f.label)}: ${from || '…'} ${t('list.rangeTo')} ${to || '…'}`);
			continue;
		}
		const value = filter[f.key] ?? '';
		if (!value) continue;
		const shown = f.kind === 'enum' ? t(f.options.find((o) => o.value === value)?.label ?? (value as MessageKey)) : value;
		parts.push(`${t(f.label)}: ${shown}`);
	}
	return parts.join('; ');
}
