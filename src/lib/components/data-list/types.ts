import type { Snippet } from 'svelte';
import type { MessageKey } from '$lib/i18n';
import type { ListPage } from '$lib/schemas/lists';
import type { FilterValues } from './query';

/** One column of a list. Plain and typed: a list is a handful of these. */
export interface Column<Row> {
	/** Stable id: remembered by the column chooser and used by exports. */
	key: string;
	label: MessageKey;
	/** The cell as text; `snippet` takes over for anything richer (a badge, a link). */
	cell?: (row: Row) => string;
	snippet?: Snippet<[Row]>;
	align?: 'left' | 'right' | 'center';
	/** Shown until the person chooses otherwise; true when left out. */
	defaultVisible?: boolean;
	/** Order numbers, card numbers: monospace so they line up. */
	mono?: boolean;
}

export interface EnumOption {
	value: string;
	label: MessageKey;
}

/** One input of a filter bar; its key is the filter field (and URL parameter) it sets. */
export type FilterField =
	| { kind: 'text'; key: string; label: MessageKey; placeholder?: MessageKey; inputmode?: 'numeric' | 'text' | 'tel' }
	| { kind: 'enum'; key: string; label: MessageKey; options: readonly EnumOption[] }
	| { kind: 'dateRange'; from: string; to: string; label: MessageKey; withTime?: boolean; wide?: boolean };

/** What a list page's load hands its page (loadList): the filter, one page of rows or why not, the saved columns. */
export interface ListPageData<Row> {
	filter: FilterValues;
	result: ListPage<Row> | null;
	error: string | null;
	savedColumns: string[] | null;
}
