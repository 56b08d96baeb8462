// How a time range splits into rollup buckets: whole Asia/Shanghai days in the middle, whole
// hours at the sides, and at most two partial hours at the very edges that are read directly.
// No $lib imports (#db, #shared are fine): the seed and the export jobs run this under plain tsx.
import { addDays, businessDate, startOfBusinessDate } from '#shared/time.ts';

const HOUR = 3_600_000;

type SegmentKind = 'day' | 'hour' | 'raw';
interface Segment {
	kind: SegmentKind;
	from: Date;
	/** Exclusive. */
	to: Date;
}

// Asia/Shanghai is a whole number of hours from UTC, so its hours are UTC hours.
function floorHour(at: Date): Date {
	return new Date(Math.floor(at.getTime() / HOUR) * HOUR);
}
function ceilHour(at: Date): Date {
	return new Date(Math.ceil(at.getTime() / HOUR) * HOUR);
}
function floorDay(at: Date): Date {
	return startOfBusinessDate(businessDate(at));
}
function ceilDay(at: Date): Date {
	const start = floorDay(at);
	return start.getTime() === at.getTime() ? start : startOfBusinessDate(addDays(businessDate(at), 1));
}

/** The segments of [from, to), oldest first, none empty. */
export function segmentsOf(from: Date, to: Date): Segment[] {
	const out: Segment[] = [];
	const push = (kind: SegmentKind, a: Date, b: Date) => {
		if (a.getTime() < b.getTime()) out.push({ kind, from: a, to: b });
	};
	const h0 = ceilHour(from);
	const h1 = floorHour(to);
	if (h0.getTime() >= h1.getTime()) {
		push('raw', from, to);
		return out;
	}
	push('raw', from, h0);
	const d0 = ceilDay(h0);
	const d1 = floorDay(h1);
	if (d0.getTime() < d1.getTime()) {
		push('hour', h0, d0);
		push('day', d0, d1);
		push('hour', d1, h1);
	} else {
		push('hour', h0, h1);
	}
	push('raw', h1, to);
	return out;
}
