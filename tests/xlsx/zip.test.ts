// The zip writer behind the XLSX files, read back by independent readers (Info-ZIP's unzip and
// Python's zipfile, which check every CRC): streamed and whole entries, deflated and stored,
// times as China Standard Time wall clock, and a sink that fails mid-way.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { ZipWriter } from '#shared/server/xlsx/zip.ts';

const dir = mkdtempSync(join(tmpdir(), 'zip-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

class Collect extends Writable {
	chunks: Buffer[] = [];
	_write(chunk: Buffer, _enc: string, cb: () => void) {
		this.chunks.push(chunk);
		// Asynchronous, so the writer meets back-pressure.
		setImmediate(cb);
	}
}

/** Deterministic, compressible but not trivial bytes. */
function bytes(n: number, seed: number): Buffer {
	const b = Buffer.alloc(n);
	let x = seed;
	for (let i = 0; i < n; i++) {
		x = (x * 1103515245 + 12345) >>> 0;
		b[i] = 97 + ((x >>> 16) % 20);
	}
	return b;
}

async function write(level: number, entries: { name: string; data: Buffer; streamed: boolean }[], mtime: Date) {
	const sink = new Collect({ highWaterMark: 64 * 1024 });
	const zip = new ZipWriter(sink, { mtime, level });
	for (const e of entries) {
		if (!e.streamed) {
			await zip.addBuffer(e.name, e.data);
			continue;
		}
		const s = zip.openEntry(e.name);
		// Uneven pieces, as COPY delivers them.
		for (let at = 0; at < e.data.length; ) {
			const n = Math.min(e.data.length - at, 1 + ((at * 7919) % 300_000));
			await s.write(e.data.subarray(at, at + n));
			at += n;
		}
		await s.end();
	}
	await zip.finish();
	await new Promise<void>((resolve) => sink.end(resolve));
	return Buffer.concat(sink.chunks);
}

/** Python's zipfile: each entry's name, date_time, size, method and SHA-1 of what it reads (CRC checked). */
function pythonRead(file: string) {
	const script = `
import hashlib, json, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
print(json.dumps([[i.filename, list(i.date_time), i.file_size, i.compress_type, hashlib.sha1(z.read(i)).hexdigest()] for i in z.infolist()]))
`;
	return JSON.parse(execFileSync('python3', ['-c', script, file], { encoding: 'utf8' })) as [string, number[], number, number, string][];
}

const sha1 = (b: Buffer) => execFileSync('sha1sum', { input: b, encoding: 'utf8' }).split(' ')[0];

describe('zip writer', () => {
	const entries = [
		{ name: '[Content_Types].xml', data: Buffer.from('<Types/>'), streamed: false },
		{ name: 'xl/worksheets/sheet1.xml', data: bytes(5 * 1024 * 1024 + 3, 1), streamed: true },
		{ name: '目录/空.xml', data: Buffer.alloc(0), streamed: true },
		{ name: 'xl/styles.xml', data: bytes(70_000, 2), streamed: false }
	];
	// 2026-11-24 00:00:10 in Asia/Shanghai.
	const mtime = new Date('2026-11-23T16:00:10Z');

	for (const level of [1, 0]) {
		it(`writes an archive unzip and Python read back byte for byte (level ${level})`, async () => {
			const zip = await write(level, entries, mtime);
			const file = join(dir, `level${level}.zip`);
			writeFileSync(file, zip);
			expect(execFileSync('unzip', ['-tq', file], { encoding: 'utf8' })).toContain('No errors detected');
			expect(pythonRead(file)).toEqual(
				entries.map((e) => [e.name, [2026, 11, 24, 0, 0, 10], e.data.length, level === 0 ? 0 : 8, sha1(e.data)])
			);
			if (level > 0) expect(zip.length).toBeLessThan(entries[1].data.length * 0.7);
		});
	}

	it('gives the same bytes for the same entries and time', async () => {
		const one = await write(1, entries, mtime);
		const two = await write(1, entries, mtime);
		expect(one.equals(two)).toBe(true);
	});

	it('rejects the writes once the sink has failed, instead of waiting for a drain that never comes', async () => {
		const sink = new Writable({
			highWaterMark: 1024,
			write(_chunk, _enc, cb) {
				setTimeout(() => cb(new Error('disk full')), 5);
			}
		});
		sink.on('error', () => {});
		const zip = new ZipWriter(sink, { mtime, level: 1 });
		const s = zip.openEntry('big.xml');
		const writing = (async () => {
			for (let i = 0; i < 200; i++) await s.write(bytes(64 * 1024, i));
			await s.end();
		})();
		await expect(writing).rejects.toThrow('disk full');
	});
});
