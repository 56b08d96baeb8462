export { default as FormDialog } from './form-dialog.svelte';
export { fieldErrorsOf, messageOf, saveAndReload, type SaveOptions } from './save-and-reload';
