// What the operators page knows of each role (for the filter and the role pickers).
import type { RoleStatus } from '$lib/schemas/roles';

export interface PageRole {
	id: bigint;
	name: string;
	status: RoleStatus;
}
