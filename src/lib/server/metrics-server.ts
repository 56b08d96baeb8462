// The worker has no HTTP server of its own: this tiny one answers GET /metrics on
// WORKER_METRICS_PORT (bound to WORKER_METRICS_HOST, 127.0.0.1 by default), with the same
// bearer token as the web's /metrics. Relative imports only: the worker runs this under plain Node.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { scrape } from './metrics.ts';

export interface MetricsServer {
	port: number;
	close(): Promise<void>;
}

/** WORKER_METRICS_PORT as a port number, or undefined when the worker exposes no metrics. */
export function workerMetricsPort(env: NodeJS.ProcessEnv = process.env): number | undefined {
	if (env.WORKER_METRICS_PORT === undefined || env.WORKER_METRICS_PORT === '') return undefined;
	const n = Number(env.WORKER_METRICS_PORT);
	if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`WORKER_METRICS_PORT must be a port number, not ${env.WORKER_METRICS_PORT}`);
	return n;
}

export async function startMetricsServer(port: number, host = process.env.WORKER_METRICS_HOST || '127.0.0.1'): Promise<MetricsServer> {
	const server: Server = createServer((req, res) => {
		const path = (req.url ?? '/').split('?')[0];
		if (req.method !== 'GET' || path !== '/metrics') {
			res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Not found\n');
			return;
		}
		scrape(req.headers.authorization).then(
			(r) => res.writeHead(r.status, r.headers).end(r.body),
			(err: Error) => res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' }).end(`scrape failed: ${err.message}\n`)
		);
	});
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(port, host, () => resolve());
	});
	return {
		port: (server.address() as AddressInfo).port,
		close: () => new Promise<void>((resolve) => server.close(() => resolve()))
	};
}
