export { default as PermissionTree } from './permission-tree.svelte';
