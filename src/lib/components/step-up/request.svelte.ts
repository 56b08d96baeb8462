// One pending "confirm it is you" question at a time: whichever refused calls are waiting get
// the same answer (a page that fired two sensitive calls asks once).

let pending = $state<{ answer: Promise<boolean>; resolve: (ok: boolean) => void } | null>(null);

/** Asks the person to step up; true once they did, false if they cancelled. */
export function requestStepUp(): Promise<boolean> {
	if (pending) return pending.answer;
	let resolve!: (ok: boolean) => void;
	const answer = new Promise<boolean>((r) => (resolve = r));
	pending = { answer, resolve };
	return answer;
}

/** Whether the dialog should be open. */
export function stepUpAsked(): boolean {
	return pending !== null;
}

/** The dialog's answer: releases every waiting call. */
export function answerStepUp(ok: boolean): void {
	const p = pending;
	pending = null;
	p?.resolve(ok);
}
