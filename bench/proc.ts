// What /proc says of a live process (the bench's web, worker and build processes).
import { readFileSync } from 'node:fs';

/** kB of VmRSS or VmHWM of a live process, or undefined. */
export function procKib(pid: number | undefined, field: 'VmHWM' | 'VmRSS'): number | undefined {
	if (!pid) return undefined;
	try {
		const m = readFileSync(`/proc/${pid}/status`, 'utf8').match(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm'));
		return m ? Number(m[1]) : undefined;
	} catch {
		return undefined;
	}
}
