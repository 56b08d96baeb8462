// What the home page must show, computed independently of the app: the SUM of each
// merchant account's fund flows (credits add, debits subtract).
import pg from 'pg';

export const CARD_ACCOUNTS = [
	{ type: 'MCHCOUPON', title: '优惠券账户' },
	{ type: 'MCHFEE', title: '手续费账户' },
	{ type: 'MCHOWN', title: '自有资金账户' },
	{ type: 'MCHASSURE', title: '担保账户' }
] as const;

export interface FlowSums {
	psettle: bigint;
	available: bigint;
	total: bigint;
}

export async function flowSumsByAccount(databaseUrl: string, merchantNo: string): Promise<Record<string, FlowSums>> {
	const client = new pg.Client({ connectionString: databaseUrl });
	await client.connect();
	try {
		const { rows } = await client.query<{ account_type: string; sub_type: string; sum: string }>(
			`SELECT a.account_type, a.sub_type,
			        COALESCE(SUM(CASE f.direction WHEN 'CREDIT' THEN f.amount ELSE -f.amount END), 0)::text AS sum
			   FROM accounts a
			   JOIN merchants m ON m.id = a.merchant_id
			   LEFT JOIN fund_flows f ON f.account_id = a.id
			  WHERE m.merchant_no = $1 AND a.user_id IS NULL
			    AND a.account_type IN ('MCHCOUPON','MCHFEE','MCHOWN','MCHASSURE')
			  GROUP BY a.account_type, a.sub_type`,
			[merchantNo]
		);
		const out: Record<string, FlowSums> = {};
		for (const { type } of CARD_ACCOUNTS) out[type] = { psettle: 0n, available: 0n, total: 0n };
		for (const r of rows) {
			const s = out[r.account_type];
			const v = BigInt(r.sum);
			if (r.sub_type === 'PSETTLE') s.psettle = v;
			else s.available = v;
			s.total += v;
		}
		return out;
	} finally {
		await client.end();
	}
}
