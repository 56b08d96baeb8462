export { default as TextFilter } from './text-filter.svelte';
export { default as EnumFilter } from './enum-filter.svelte';
export { default as DateRangeFilter } from './date-range-filter.svelte';
export { default as FilterBar } from './filter-bar.svelte';
export { FIELD_CLASS, LABEL_CLASS } from './field-classes';
