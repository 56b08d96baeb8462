// Linux's autogroup scheduler (kernel.sched_autogroup_enabled = 1, the default on most
// distributions) first shares the CPU equally between sessions and only then, inside each
// session, by nice. The worker's nice 10 therefore does nothing against the web when both were
// started from one shell. A session of its own whose autogroup is niced gives the worker the
// weight nice promises. Launchers (npm run demo, the load test) start the worker with setsid
// (spawn's `detached`); under systemd each service has its own cgroup instead, and the unit's
// CPUWeight= does this job (README "Operations").
//
// Postgres's backends are sessions too: the postmaster setsid()s every child it forks, so each
// backend is an autogroup of its own, and a build's backend got a whole session's share beside
// the web whatever its nice (seen on 2 cores: ~25 % of the CPU for one COPY while people's lists
// waited). The worker therefore lowers its backends' autogroups as well as their nice.
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
 * it has no autogroups. A load figure means little without it: with autogroups on, every
 * session's weight (the web's, the worker's, each backend's) decides who waits (README).
 */
export function autogroupsEnabled(): boolean | undefined {
	const file = '/proc/sys/kernel/sched_autogroup_enabled';
	return existsSync(file) ? readFileSync(file, 'utf8').trim() === '1' : undefined;
}

/**
 * Lowers the autogroup of process `pid` ('self': this one) to `nice`, only when that process
 * leads its session: a shared group would take the shell, the web or every other backend down with it.
 */
export function lowerAutogroup(pid: number | 'self', nice: number): AutogroupOutcome {
	if (nice <= 0) return { kind: 'unavailable', reason: 'BUILD_NICE=0' };
	const file = `/proc/${pid}/autogroup`;
	if (!existsSync(file)) return { kind: 'unavailable', reason: `no ${file}` };
	const sessionId = sessionIdOf(pid);
	if (sessionId !== (pid === 'self' ? process.pid : pid)) return { kind: 'shared', sessionId };
	// Without CAP_SYS_ADMIN the kernel takes one autogroup change per 100 ms machine-wide and
	// answers EAGAIN to the rest, so a worker starting beside another one tries again.
	for (let attempt = 1; ; attempt++) {
		try {
			writeFileSync(file, String(nice));
			return { kind: 'lowered', nice };
		} catch (err) {
			const e = err as NodeJS.ErrnoException;
			if (e.code !== 'EAGAIN' || attempt === 5) return { kind: 'unavailable', reason: e.message };
			Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 110);
		}
	}
}
