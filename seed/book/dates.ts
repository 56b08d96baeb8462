// businessDate (src/lib/time.ts) remembered per UTC hour: a history asks for tens of thousands
// of dates, each a time-zone conversion, and Asia/Shanghai's date never changes within a UTC hour.
import { businessDate } from '#shared/time.ts';

const HOUR = 3_600_000;
const byHour = new Map<number, string>();

export function businessDateOf(at: Date | number): string {
	const hour = Math.floor((typeof at === 'number' ? at : at.getTime()) / HOUR);
	let date = byHour.get(hour);
	if (date === undefined) {
		date = businessDate(new Date(hour * HOUR));
		byHour.set(hour, date);
	}
	return date;
}
