import { sql, type Kysely } from 'kysely';

// Totals and deep pages of the query lists on millions of orders (issue 4).
// Rollups count and sum orders per hour and per Asia/Shanghai day, kept exact by statement-level
// triggers with transition tables: one set-based upsert per statement, so the ledger's single-row
// writes and the big seed's day-at-a-time INSERT … SELECT both keep them right in the same
// transaction, with no application code to forget. Frozen: never import app types here.

const DAY = `date_trunc('day', created_at, 'Asia/Shanghai')`;
const HOUR = `date_trunc('hour', created_at, 'UTC')`;

/** The trigger function of one order table; `typeExpr` is its txn_type (refunds have none). */
function orderRollupFunction(table: string, list: string, typeExpr: string): string {
	const delta = (from: string, sign: '' | '-') =>
		`SELECT merchant_id, created_at, ${typeExpr} AS txn_type, status, ${sign}1 AS n, ${sign}amount AS amt FROM ${from}`;
	const upsert = (target: string, bucket: string, source: string) => `
    INSERT INTO ${target} AS r (merchant_id, list, bucket, txn_type, status, count, amount)
    SELECT merchant_id, '${list}', ${bucket}, txn_type, status, sum(n)::bigint, sum(amt)::bigint
      FROM (${source}) d
     GROUP BY 1, 2, 3, 4, 5 HAVING sum(n) <> 0 OR sum(amt) <> 0
     ORDER BY 1, 2, 3, 4, 5
    ON CONFLICT (merchant_id, list, bucket, txn_type, status)
    DO UPDATE SET count = r.count + EXCLUDED.count, amount = r.amount + EXCLUDED.amount;`;
	const both = (source: string) => upsert('order_rollup_hours', HOUR, source) + upsert('order_rollup_days', DAY, source);
	return `
CREATE FUNCTION ${table}_rollup() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  IF TG_OP = 'INSERT' THEN
    ${both(delta('new_rows', ''))}
  ELSIF TG_OP = 'DELETE' THEN
    ${both(delta('old_rows', '-'))}
  ELSE
    ${both(`${delta('new_rows', '')} UNION ALL ${delta('old_rows', '-')}`)}
  END IF;
  RETURN NULL;
END $fn$;
CREATE TRIGGER ${table}_rollup_ins AFTER INSERT ON ${table} REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION ${table}_rollup();
CREATE TRIGGER ${table}_rollup_upd AFTER UPDATE ON ${table} REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION ${table}_rollup();
CREATE TRIGGER ${table}_rollup_del AFTER DELETE ON ${table} REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION ${table}_rollup();
`;
}

function flowRollupFunction(): string {
	const delta = (from: string, sign: '' | '-') =>
		`SELECT merchant_id, account_id, created_at, txn_type, direction, ${sign}1 AS n, ${sign}amount AS amt FROM ${from}`;
	const upsert = (target: string, bucket: string, source: string) => `
    INSERT INTO ${target} AS r (merchant_id, account_id, bucket, txn_type, direction, count, amount)
    SELECT merchant_id, account_id, ${bucket}, txn_type, direction, sum(n)::bigint, sum(amt)::bigint
      FROM (${source}) d
     GROUP BY 1, 2, 3, 4, 5 HAVING sum(n) <> 0 OR sum(amt) <> 0
     ORDER BY 1, 2, 3, 4, 5
    ON CONFLICT (merchant_id, account_id, bucket, txn_type, direction)
    DO UPDATE SET count = r.count + EXCLUDED.count, amount = r.amount + EXCLUDED.amount;`;
	const both = (source: string) => upsert('flow_rollup_hours', HOUR, source) + upsert('flow_rollup_days', DAY, source);
	return `
CREATE FUNCTION fund_flows_rollup() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  IF TG_OP = 'INSERT' THEN
    ${both(delta('new_rows', ''))}
  ELSIF TG_OP = 'DELETE' THEN
    ${both(delta('old_rows', '-'))}
  ELSE
    ${both(`${delta('new_rows', '')} UNION ALL ${delta('old_rows', '-')}`)}
  END IF;
  RETURN NULL;
END $fn$;
CREATE TRIGGER fund_flows_rollup_ins AFTER INSERT ON fund_flows REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION fund_flows_rollup();
CREATE TRIGGER fund_flows_rollup_upd AFTER UPDATE ON fund_flows REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION fund_flows_rollup();
CREATE TRIGGER fund_flows_rollup_del AFTER DELETE ON fund_flows REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION fund_flows_rollup();
`;
}

export async function up(db: Kysely<any>): Promise<void> {
	await sql
		.raw(
			`
-- list: 'payments' | 'refunds' | 'withdrawals'; txn_type 'REFUND' for refunds; bucket is the
-- start of the hour / of the Asia/Shanghai day of created_at. No FK: a merchant's deletion
-- (demo reset) removes its orders first, and the triggers empty these rows as it does.
CREATE TABLE order_rollup_days (
  merchant_id  bigint NOT NULL,
  list         text NOT NULL CHECK (list IN ('payments','refunds','withdrawals')),
  bucket       timestamptz NOT NULL,
  txn_type     text NOT NULL,
  status       text NOT NULL,
  count        bigint NOT NULL,
  amount       bigint NOT NULL,
  PRIMARY KEY (merchant_id, list, bucket, txn_type, status)
);
CREATE TABLE order_rollup_hours (LIKE order_rollup_days INCLUDING ALL);

CREATE TABLE flow_rollup_days (
  merchant_id  bigint NOT NULL,
  account_id   bigint NOT NULL,
  bucket       timestamptz NOT NULL,
  txn_type     text NOT NULL,
  direction    text NOT NULL,
  count        bigint NOT NULL,
  amount       bigint NOT NULL,
  PRIMARY KEY (merchant_id, account_id, bucket, txn_type, direction)
);
CREATE TABLE flow_rollup_hours (LIKE flow_rollup_days INCLUDING ALL);
CREATE INDEX flow_rollup_days_bucket ON flow_rollup_days (merchant_id, bucket);
CREATE INDEX flow_rollup_hours_bucket ON flow_rollup_hours (merchant_id, bucket);

${orderRollupFunction('payments', 'payments', 'txn_type')}
${orderRollupFunction('refunds', 'refunds', `'REFUND'::text`)}
${orderRollupFunction('withdrawals', 'withdrawals', 'txn_type')}
${flowRollupFunction()}

-- Two filters at once still walk one index in order.
CREATE INDEX payments_type_status_created ON payments (merchant_id, txn_type, status, created_at DESC, id DESC);
CREATE INDEX withdrawals_type_status_created ON withdrawals (merchant_id, txn_type, status, created_at DESC, id DESC);
CREATE INDEX refunds_payment_created ON refunds (merchant_id, payment_id, created_at DESC, id DESC);
-- Fund flows of the merchant's own accounts / of one user, in time order; the INCLUDEd
-- columns let the filters and the deep-page offset run index-only.
CREATE INDEX fund_flows_own_created ON fund_flows (merchant_id, created_at DESC, id DESC)
  INCLUDE (account_type, sub_type, txn_type, direction)
  WHERE user_id IS NULL AND account_type <> 'CLEARING';
CREATE INDEX fund_flows_user_created ON fund_flows (merchant_id, user_id, created_at DESC, id DESC)
  INCLUDE (account_type, sub_type, txn_type, direction)
  WHERE user_id IS NOT NULL;
-- Users by status / type within a registration range.
CREATE INDEX users_status_registered ON users (merchant_id, status, registered_at DESC, id DESC);
CREATE INDEX users_type_registered ON users (merchant_id, user_type, registered_at DESC, id DESC);
`
		)
		.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
	await sql
		.raw(
			`
DROP TRIGGER IF EXISTS payments_rollup_ins ON payments; DROP TRIGGER IF EXISTS payments_rollup_upd ON payments; DROP TRIGGER IF EXISTS payments_rollup_del ON payments;
DROP TRIGGER IF EXISTS refunds_rollup_ins ON refunds; DROP TRIGGER IF EXISTS refunds_rollup_upd ON refunds; DROP TRIGGER IF EXISTS refunds_rollup_del ON refunds;
DROP TRIGGER IF EXISTS withdrawals_rollup_ins ON withdrawals; DROP TRIGGER IF EXISTS withdrawals_rollup_upd ON withdrawals; DROP TRIGGER IF EXISTS withdrawals_rollup_del ON withdrawals;
DROP TRIGGER IF EXISTS fund_flows_rollup_ins ON fund_flows; DROP TRIGGER IF EXISTS fund_flows_rollup_upd ON fund_flows; DROP TRIGGER IF EXISTS fund_flows_rollup_del ON fund_flows;
DROP FUNCTION IF EXISTS payments_rollup(), refunds_rollup(), withdrawals_rollup(), fund_flows_rollup();
DROP TABLE IF EXISTS order_rollup_days, order_rollup_hours, flow_rollup_days, flow_rollup_hours;
DROP INDEX IF EXISTS payments_type_status_created, withdrawals_type_status_created, refunds_payment_created,
  fund_flows_own_created, fund_flows_user_created, users_status_registered, users_type_registered;
`
		)
		.execute(db);
}
