export { default as FormDialog } from './form-dialog.svelte';
export { fieldErrorsOf, saveAndReload, type SaveOptions } from './save-and-reload';
