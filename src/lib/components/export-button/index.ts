export { default as ExportButton } from './export-button.svelte';
