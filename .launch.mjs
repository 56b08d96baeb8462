import { spawn, execFileSync } from 'node:child_process';
const port = 3977;
const dir = process.argv[2] ?? '.data/bench-build';
const child = spawn(process.execPath, [...(process.env.WEBFLAGS ? process.env.WEBFLAGS.split(' ') : []), dir], { env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', ORIGIN: `http://127.0.0.1:${port}` }, stdio: 'ignore' });
const base = `http://127.0.0.1:${port}`;
for (let i = 0; i < 100; i++) { try { await fetch(`${base}/login`); break; } catch { await new Promise(r => setTimeout(r, 200)); } }
const res = await fetch(`${base}/api/trpc/auth.signIn`, { method: 'POST', headers: { 'content-type': 'application/json', origin: base }, body: JSON.stringify({ json: { merchantNo: '2020020200000002', phone: '13800000000', password: 'Demo@2018' } }) });
const cookie = res.headers.getSetCookie().map((c) => c.split(';')[0]).find((c) => c.startsWith('session='));
if (process.env.IDLE) await new Promise(r => setTimeout(r, Number(process.env.IDLE)));
const out = [];
for (let i = 0; i < 8; i++) {
  const o = execFileSync('curl', ['-s', '-o', '/dev/null', '-H', `cookie: ${cookie}`, '-w', '%{size_download} %{time_total}', `${base}/files/213`], { encoding: 'utf8' });
  const [b, t] = o.split(' ').map(Number); out.push((b / 1e6 / t).toFixed(0));
}
console.log(dir, out.join(' '));
child.kill('SIGTERM');
