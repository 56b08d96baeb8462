// Linux's autogroup scheduler (kernel.sched_autogroup_enabled = 1, the default on most
// distributions) first shares the CPU equally between sessions and only then, inside each
// session, by nice. The worker's nice 10 therefore does nothing against the web when both were
// started from one shell, and nothing against Postgres (whose backends all sit in the
// postmaster's session): measured on 2 cores with 3 exports and a statement building, list p95
// was 53–116 ms with autogroups and 18 ms with them switched off. A session of its own whose
// autogroup is niced gives the worker the weight nice promises. Launchers (npm run demo, the
// load test) start the worker with setsid (spawn's `detached`); under systemd each service has
// its own cgroup instead, and the unit's CPUWeight= does this job (README "Operations").
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

export type AutogroupOutcome =
	/** The worker leads its own session and its autogroup now runs at the given nice. */
	| { kind: 'lowered'; nice: number }
	/** The session is shared (a shell, the web): lowering it would lower them too. */
	| { kind: 'shared'; sessionId: number }
	/** No autogroups here (another OS, a kernel without them, or nice 0 asked for). */
	| { kind: 'unavailable'; reason: string };

/**
 * The fields of /proc/<pid>/stat after the parenthesised name (which may hold spaces): [0] is
 * the state (field 3 in proc(5)), [3] the session id, [11] utime, [12] stime.
 */
export function procStatFields(pid: number | 'self'): string[] {
	const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
	return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/** The session id of a process. */
export function sessionIdOf(pid: number | 'self'): number {
	return Number(procStatFields(pid)[3]);
}

/**
 * The nice of a process's autogroup, from /proc/<pid>/autogroup ("/autogroup-42 nice 10");
 * undefined for a process in the root group (never below a setsid), where the file is empty.
 */
export function autogroupNice(pid: number | 'self'): number | undefined {
	const m = /nice (-?\d+)/.exec(readFileSync(`/proc/${pid}/autogroup`, 'utf8'));
	return m ? Number(m[1]) : undefined;
}

/**
 * Whether the kernel groups the CPU by session (kernel.sched_autogroup_enabled); undefined where
 * it has no autogroups. A load figure means little without it: with autogroups on and Postgres
 * started outside systemd, the web's backends share one group with the builds' (README).
 */
export function autogroupsEnabled(): boolean | undefined {
	const file = '/proc/sys/kernel/sched_autogroup_enabled';
	return existsSync(file) ? readFileSync(file, 'utf8').trim() === '1' : undefined;
}

/** Lowers this process's autogroup to `nice` when the process has its session to itself. */
export function lowerOwnAutogroup(nice: number): AutogroupOutcome {
	if (nice <= 0) return { kind: 'unavailable', reason: 'BUILD_NICE=0' };
	if (!existsSync('/proc/self/autogroup')) return { kind: 'unavailable', reason: 'no /proc/self/autogroup' };
	const sessionId = sessionIdOf('self');
	if (sessionId !== process.pid) return { kind: 'shared', sessionId };
	// Without CAP_SYS_ADMIN the kernel takes one autogroup change per 100 ms machine-wide and
	// answers EAGAIN to the rest, so a worker starting beside another one tries again.
	for (let attempt = 1; ; attempt++) {
		try {
			writeFileSync('/proc/self/autogroup', String(nice));
			return { kind: 'lowered', nice };
		} catch (err) {
			const e = err as NodeJS.ErrnoException;
			if (e.code !== 'EAGAIN' || attempt === 5) return { kind: 'unavailable', reason: e.message };
			Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 110);
		}
	}
}
