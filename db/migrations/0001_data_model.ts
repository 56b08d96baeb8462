import { sql, type Kysely } from 'kysely';

// Frozen: never import app types here. A later change is a new migration.
export async function up(db: Kysely<any>): Promise<void> {
	await sql`
-- Merchants and their staff ---------------------------------------------------
CREATE TABLE merchants (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  merchant_no   text NOT NULL UNIQUE CHECK (merchant_no ~ '^[0-9]{16}$'),
  name          text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  status        text NOT NULL DEFAULT 'ACTIVE' CHECK (status IN ('ACTIVE','SUSPENDED')),
  created_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE staff (
  id                    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  merchant_id           bigint NOT NULL REFERENCES merchants(id),
  is_admin              boolean NOT NULL DEFAULT false,
  name                  text NOT NULL CHECK (length(name) BETWEEN 1 AND 50),
  phone                 text NOT NULL CHECK (phone ~ '^1[0-9]{10}$'),
  email                 text CHECK (email IS NULL OR email ~ '^[^@ ]+@[^@ ]+$'),
  password_hash         text NOT NULL,
  must_change_password  boolean NOT NULL DEFAULT true,
  status                text NOT NULL DEFAULT 'ACTIVE' CHECK (status IN ('ACTIVE','DISABLED')),
  failed_attempts       integer NOT NULL DEFAULT 0 CHECK (failed_attempts >= 0),
  locked_until          timestamptz,
  password_changed_at   timestamptz,
  created_at            timestamptz NOT NULL DEFAULT now(),
  updated_at            timestamptz NOT NULL DEFAULT now(),
  UNIQUE (merchant_id, phone),
  UNIQUE (merchant_id, id)
);
-- exactly one admin per merchant
CREATE UNIQUE INDEX staff_one_admin ON staff (merchant_id) WHERE is_admin;

CREATE TABLE roles (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  merchant_id   bigint NOT NULL REFERENCES merchants(id),
  name          text NOT NULL CHECK (length(name) BETWEEN 1 AND 30),
  status        text NOT NULL DEFAULT 'ENABLED' CHECK (status IN ('ENABLED','DISABLED')),
  permissions   text[] NOT NULL DEFAULT '{}',
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  updated_by    bigint REFERENCES staff(id),
  UNIQUE (merchant_id, name),
  UNIQUE (merchant_id, id)
);

-- the composite keys make a role of another merchant impossible to attach
CREATE TABLE staff_roles (
  merchant_id   bigint NOT NULL,
  staff_id      bigint NOT NULL,
  role_id       bigint NOT NULL,
  PRIMARY KEY (staff_id, role_id),
  FOREIGN KEY (merchant_id, staff_id) REFERENCES staff(merchant_id, id) ON DELETE CASCADE,
  FOREIGN KEY (merchant_id, role_id) REFERENCES roles(merchant_id, id) ON DELETE CASCADE
);
CREATE INDEX staff_roles_role ON staff_roles (role_id);

CREATE TABLE sessions (
  id                   text PRIMARY KEY,           -- hex SHA-256 of the cookie token
  staff_id             bigint NOT NULL REFERENCES staff(id) ON DELETE CASCADE,
  created_at           timestamptz NOT NULL DEFAULT now(),
  expires_at           timestamptz NOT NULL,       -- sliding idle expiry
  absolute_expires_at  timestamptz NOT NULL,
  ip                   text,
  user_agent           text
);
CREATE INDEX sessions_staff ON sessions (staff_id);

CREATE TABLE sms_codes (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  merchant_id   bigint NOT NULL REFERENCES merchants(id),
  phone         text NOT NULL,
  purpose       text NOT NULL CHECK (purpose IN ('RESET_PASSWORD')),
  code_hash     text NOT NULL,
  attempts      integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  expires_at    timestamptz NOT NULL,
  consumed_at   timestamptz,
  ip            text,
  created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sms_codes_phone ON sms_codes (merchant_id, phone, created_at DESC);
CREATE INDEX sms_codes_ip ON sms_codes (ip, created_at DESC);

CREATE TABLE sms_outbox (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  merchant_id   bigint REFERENCES merchants(id),
  phone         text NOT NULL,
  body          text NOT NULL,
  purpose       text NOT NULL,
  status        text NOT NULL DEFAULT 'QUEUED' CHECK (status IN ('QUEUED','SENT','FAILED')),
  attempts      integer NOT NULL DEFAULT 0,
  error         text,
  created_at    timestamptz NOT NULL DEFAULT now(),
  sent_at       timestamptz
);
CREATE INDEX sms_outbox_recent ON sms_outbox (created_at DESC);

-- End users and cards ----------------------------------------------------------
CREATE TABLE users (
  id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  merchant_id    bigint NOT NULL REFERENCES merchants(id),
  user_no        text NOT NULL CHECK (length(user_no) BETWEEN 1 AND 64),
  user_type      text NOT NULL CHECK (user_type IN ('INNERUSER','INNERCOMPANY')),
  status         text NOT NULL DEFAULT 'NORMAL' CHECK (status IN ('NORMAL','ACTIVATE_PENDING','CHECK_PENDING','PAUSE','CANCEL')),
  phone          text NOT NULL,
  name           text NOT NULL,
  id_type        text NOT NULL CHECK (id_type IN ('ID_CARD','UNIFIED_CODE')),
  id_no          text NOT NULL,
  id_expiry      date,
  occupation     text,
  registered_at  timestamptz NOT NULL DEFAULT now(),
  created_at     timestamptz NOT NULL DEFAULT now(),
  CHECK ((user_type = 'INNERUSER') = (id_type = 'ID_CARD')),
  UNIQUE (merchant_id, user_no),
  UNIQUE (merchant_id, id)
);
CREATE INDEX users_registered ON users (merchant_id, registered_at DESC, id DESC);
CREATE INDEX users_phone ON users (merchant_id, phone);
CREATE INDEX users_name ON users (merchant_id, name);
CREATE INDEX users_id_no ON users (merchant_id, id_no);

CREATE TABLE bank_cards (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  merchant_id     bigint NOT NULL,
  user_id         bigint NOT NULL,
  card_no         text NOT NULL CHECK (card_no ~ '^[0-9]{12,19}$'),
  card_type       text NOT NULL CHECK (card_type IN ('DEBIT','CREDIT')),
  bank_name       text NOT NULL,
  reserved_phone  text NOT NULL,
  status          text NOT NULL DEFAULT 'BOUND' CHECK (status IN ('BOUND','UNBOUND')),
  bound_at        timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (merchant_id, user_id) REFERENCES users(merchant_id, id),
  UNIQUE (user_id, card_no)
);
CREATE INDEX bank_cards_card_no ON bank_cards (merchant_id, card_no);

-- Accounts: one row per (account, sub-type); CLEARING is the outside world
-- (channels, banks, the platform's fee income) so every posting balances.
CREATE TABLE accounts (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  merchant_id   bigint NOT NULL REFERENCES merchants(id),
  user_id       bigint,
  account_no    text NOT NULL UNIQUE,
  account_type  text NOT NULL CHECK (account_type IN ('MCHOWN','MCHASSURE','MCHCOUPON','MCHFEE','USEROWN','CLEARING')),
  sub_type      text NOT NULL CHECK (sub_type IN ('PSETTLE','AVAILABLE')),
  state         text NOT NULL DEFAULT 'NORMAL' CHECK (state IN ('NORMAL','CANCEL','LOCK','LOSS','ACTIVATE_PENDING')),
  currency      text NOT NULL DEFAULT 'CNY',
  balance       bigint NOT NULL DEFAULT 0,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (merchant_id, user_id) REFERENCES users(merchant_id, id),
  CHECK ((account_type = 'USEROWN') = (user_id IS NOT NULL)),
  CHECK (balance >= 0 OR account_type = 'CLEARING'),
  UNIQUE NULLS NOT DISTINCT (merchant_id, user_id, account_type, sub_type),
  UNIQUE (merchant_id, id)
);

-- Every ledger posting (one business event), keyed for idempotency.
CREATE TABLE postings (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  merchant_id   bigint NOT NULL REFERENCES merchants(id),
  posting_key   text NOT NULL UNIQUE,
  kind          text NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now()
);

-- Orders ---------------------------------------------------------------------------
CREATE TABLE payments (
  id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  merchant_id         bigint NOT NULL REFERENCES merchants(id),
  platform_txn_no     text NOT NULL UNIQUE,
  merchant_order_no   text NOT NULL,
  txn_type            text NOT NULL CHECK (txn_type IN ('USER_TOPUP','MCH_TOPUP','GENERAL_CONSUME','SECURED_CONSUME','SECURED_CONFIRM','INNER_FUND_EXCHANGE','OUTER_FUND_EXCHANGE')),
  status              text NOT NULL CHECK (status IN ('TRADE_WAIT_PAY','TRADE_SUCCESS','TRADE_CLOSE','TRADE_CANCEL')),
  amount              bigint NOT NULL CHECK (amount > 0),
  coupon_amount       bigint NOT NULL DEFAULT 0 CHECK (coupon_amount >= 0 AND coupon_amount <= amount),
  fee_amount          bigint NOT NULL DEFAULT 0 CHECK (fee_amount >= 0),
  refunded_amount     bigint NOT NULL DEFAULT 0 CHECK (refunded_amount >= 0 AND refunded_amount <= amount),
  confirmed_amount    bigint NOT NULL DEFAULT 0 CHECK (confirmed_amount >= 0 AND confirmed_amount <= amount),
  pay_method          text,
  pay_product         text,
  user_id             bigint,
  payer_type          text NOT NULL CHECK (payer_type IN ('USER','MERCHANT','CHANNEL')),
  payer_id            text NOT NULL,
  payer_account_type  text,
  payee_type          text NOT NULL CHECK (payee_type IN ('USER','MERCHANT','BANKCARD')),
  payee_id            text NOT NULL,
  payee_account_type  text,
  payee_bank_account  text,
  payee_name          text,
  original_payment_id bigint REFERENCES payments(id),
  order_info          text,
  memo                text,
  merchant_order_time timestamptz NOT NULL,
  created_at          timestamptz NOT NULL,
  completed_at        timestamptz,
  accounting_date     date,
  channel_txn_no      text,
  channel_date        date,
  FOREIGN KEY (merchant_id, user_id) REFERENCES users(merchant_id, id),
  CHECK ((txn_type = 'SECURED_CONFIRM') = (original_payment_id IS NOT NULL)),
  CHECK ((status = 'TRADE_SUCCESS') = (completed_at IS NOT NULL)),
  UNIQUE (merchant_id, merchant_order_no),
  UNIQUE (merchant_id, id)
);
CREATE INDEX payments_created ON payments (merchant_id, created_at DESC, id DESC);
CREATE INDEX payments_type_created ON payments (merchant_id, txn_type, created_at DESC, id DESC);
CREATE INDEX payments_status_created ON payments (merchant_id, status, created_at DESC, id DESC);
CREATE INDEX payments_user_created ON payments (merchant_id, user_id, created_at DESC, id DESC);
CREATE INDEX payments_accounting ON payments (merchant_id, accounting_date);
CREATE INDEX payments_original ON payments (original_payment_id) WHERE original_payment_id IS NOT NULL;

CREATE TABLE refunds (
  id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  merchant_id         bigint NOT NULL,
  payment_id          bigint NOT NULL,
  platform_txn_no     text NOT NULL UNIQUE,
  refund_no           text NOT NULL,
  amount              bigint NOT NULL CHECK (amount > 0),
  status              text NOT NULL CHECK (status IN ('TRADE_PROCESSING','TRADE_SUCCESS','TRADE_FAILURE')),
  reason              text,
  created_at          timestamptz NOT NULL,   -- 退款申请时间
  processed_at        timestamptz,            -- 退款处理时间
  accounting_date     date,
  channel_txn_no      text,
  FOREIGN KEY (merchant_id, payment_id) REFERENCES payments(merchant_id, id),
  CHECK ((status = 'TRADE_PROCESSING') = (processed_at IS NULL)),
  UNIQUE (merchant_id, refund_no),
  UNIQUE (merchant_id, id)
);
CREATE INDEX refunds_created ON refunds (merchant_id, created_at DESC, id DESC);
CREATE INDEX refunds_processed ON refunds (merchant_id, processed_at DESC, id DESC);
CREATE INDEX refunds_status_created ON refunds (merchant_id, status, created_at DESC, id DESC);
CREATE INDEX refunds_payment ON refunds (payment_id);
CREATE INDEX refunds_accounting ON refunds (merchant_id, accounting_date);

CREATE TABLE withdrawals (
  id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  merchant_id         bigint NOT NULL REFERENCES merchants(id),
  platform_txn_no     text NOT NULL UNIQUE,
  merchant_order_no   text NOT NULL,
  txn_type            text NOT NULL CHECK (txn_type IN ('ACCT_CASH_OUT','OUTER_FUND_EXCHANGE')),
  status              text NOT NULL CHECK (status IN ('TRADE_CHECKING','TRADE_PREPAID','TRADE_SUCCESS','TRADE_FAILURE','TRADE_CANCEL')),
  amount              bigint NOT NULL CHECK (amount > 0),
  fee_amount          bigint NOT NULL DEFAULT 0 CHECK (fee_amount >= 0),
  user_id             bigint,                 -- NULL: the merchant's own funds
  card_no             text NOT NULL CHECK (card_no ~ '^[0-9]{12,19}$'),
  bank_name           text,
  payee_name          text,
  memo                text,
  created_at          timestamptz NOT NULL,
  completed_at        timestamptz,
  accounting_date     date,
  channel_txn_no      text,
  FOREIGN KEY (merchant_id, user_id) REFERENCES users(merchant_id, id),
  UNIQUE (merchant_id, merchant_order_no),
  UNIQUE (merchant_id, id)
);
CREATE INDEX withdrawals_created ON withdrawals (merchant_id, created_at DESC, id DESC);
CREATE INDEX withdrawals_type_created ON withdrawals (merchant_id, txn_type, created_at DESC, id DESC);
CREATE INDEX withdrawals_status_created ON withdrawals (merchant_id, status, created_at DESC, id DESC);
CREATE INDEX withdrawals_user_created ON withdrawals (merchant_id, user_id, created_at DESC, id DESC);
CREATE INDEX withdrawals_card ON withdrawals (merchant_id, card_no, created_at DESC);
CREATE INDEX withdrawals_accounting ON withdrawals (merchant_id, accounting_date);

-- Ledger entries (资金流水) ----------------------------------------------------------
CREATE TABLE fund_flows (
  id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  merchant_id         bigint NOT NULL,
  posting_id          bigint NOT NULL REFERENCES postings(id),
  flow_no             text NOT NULL UNIQUE,
  account_id          bigint NOT NULL,
  account_type        text NOT NULL,
  sub_type            text NOT NULL,
  user_id             bigint,
  txn_type            text NOT NULL CHECK (txn_type IN ('USER_TOPUP','MCH_TOPUP','GENERAL_CONSUME','SECURED_CONSUME','SECURED_CONFIRM','INNER_FUND_EXCHANGE','OUTER_FUND_EXCHANGE','SERVICE_FEE','ACCT_CASH_OUT','CAPITAL_CANCEL','INNER_DIRECT_EXCHANGE','DAILY_SETTLEMENT','REFUND')),
  direction           text NOT NULL CHECK (direction IN ('CREDIT','DEBIT')),
  amount              bigint NOT NULL CHECK (amount > 0),
  balance_after       bigint NOT NULL,
  accounting_date     date NOT NULL,
  order_kind          text NOT NULL CHECK (order_kind IN ('PAYMENT','REFUND','WITHDRAWAL','SETTLEMENT')),
  order_id            bigint,
  order_no            text NOT NULL,          -- the platform transaction number
  merchant_order_no   text,                   -- 外部订单号
  pay_method          text,
  counter_account_no  text,                   -- 出账账号 / the other side
  memo                text,
  created_at          timestamptz NOT NULL,
  FOREIGN KEY (merchant_id, account_id) REFERENCES accounts(merchant_id, id)
);
CREATE INDEX fund_flows_account ON fund_flows (account_id, id);
CREATE INDEX fund_flows_merchant_created ON fund_flows (merchant_id, created_at DESC, id DESC);
CREATE INDEX fund_flows_account_created ON fund_flows (merchant_id, account_id, created_at DESC, id DESC);
CREATE INDEX fund_flows_posting ON fund_flows (posting_id);
CREATE INDEX fund_flows_order ON fund_flows (order_kind, order_id);

-- Generated files, stored in chunks so any web process serves what any worker built.
CREATE TABLE files (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  merchant_id   bigint NOT NULL REFERENCES merchants(id),
  name          text NOT NULL,
  content_type  text NOT NULL,
  size          bigint NOT NULL DEFAULT 0 CHECK (size >= 0),
  sha256        text,
  complete      boolean NOT NULL DEFAULT false,
  created_at    timestamptz NOT NULL DEFAULT now(),
  expires_at    timestamptz
);
CREATE TABLE file_chunks (
  file_id  bigint NOT NULL REFERENCES files(id) ON DELETE CASCADE,
  seq      integer NOT NULL CHECK (seq >= 0),
  data     bytea NOT NULL,
  PRIMARY KEY (file_id, seq)
);
-- the chunks are already compressed (xlsx) or not worth a second pass
ALTER TABLE file_chunks ALTER COLUMN data SET STORAGE EXTERNAL;

CREATE TABLE statements (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  merchant_id      bigint NOT NULL REFERENCES merchants(id),
  accounting_date  date NOT NULL,
  status           text NOT NULL DEFAULT 'PENDING' CHECK (status IN ('PENDING','BUILDING','READY','FAILED')),
  csv_file_id      bigint REFERENCES files(id),
  xlsx_file_id     bigint REFERENCES files(id),
  row_count        bigint,
  rows_done        bigint NOT NULL DEFAULT 0,
  attempts         integer NOT NULL DEFAULT 0,
  error            text,
  lease_owner      text,
  lease_until      timestamptz,
  requested_by     bigint REFERENCES staff(id),
  created_at       timestamptz NOT NULL DEFAULT now(),
  started_at       timestamptz,
  finished_at      timestamptz,
  CHECK (status <> 'READY' OR (csv_file_id IS NOT NULL AND xlsx_file_id IS NOT NULL)),
  UNIQUE (merchant_id, accounting_date)
);

CREATE TABLE exports (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  merchant_id   bigint NOT NULL,
  staff_id      bigint NOT NULL,
  list_key      text NOT NULL,
  format        text NOT NULL CHECK (format IN ('CSV','XLSX')),
  filter        jsonb NOT NULL DEFAULT '{}',
  columns       text[] NOT NULL,
  status        text NOT NULL DEFAULT 'QUEUED' CHECK (status IN ('QUEUED','RUNNING','READY','FAILED','EXPIRED')),
  rows_total    bigint,
  rows_done     bigint NOT NULL DEFAULT 0,
  file_id       bigint REFERENCES files(id) ON DELETE SET NULL,
  attempts      integer NOT NULL DEFAULT 0,
  error         text,
  lease_owner   text,
  lease_until   timestamptz,
  created_at    timestamptz NOT NULL DEFAULT now(),
  finished_at   timestamptz,
  expires_at    timestamptz,
  FOREIGN KEY (merchant_id, staff_id) REFERENCES staff(merchant_id, id),
  CHECK (status <> 'READY' OR file_id IS NOT NULL)
);
CREATE INDEX exports_merchant_created ON exports (merchant_id, created_at DESC, id DESC);

-- Keys (参数管理). Secret material is AES-256-GCM ciphertext tagged with its key id.
CREATE TABLE payment_keys (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  merchant_id     bigint NOT NULL REFERENCES merchants(id),
  provider        text NOT NULL CHECK (provider IN ('WECHAT','ALIPAY')),
  external_id     text NOT NULL,          -- 微信商户号 / 合作者身份 PID
  appid           text NOT NULL,
  sign_type       text NOT NULL CHECK (sign_type IN ('RSA','RSA2')),
  status          text NOT NULL DEFAULT 'ENABLED' CHECK (status IN ('ENABLED','DISABLED')),
  public_fields   jsonb NOT NULL DEFAULT '{}',
  secret_fields   jsonb NOT NULL DEFAULT '{}',   -- name → { kid, iv, tag, data } ciphertext
  fingerprints    jsonb NOT NULL DEFAULT '{}',
  valid_from      timestamptz,
  valid_to        timestamptz,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  updated_by      bigint REFERENCES staff(id),
  UNIQUE (merchant_id, provider, external_id)
);

CREATE TABLE platform_keys (
  merchant_id          bigint PRIMARY KEY REFERENCES merchants(id),
  sign_type            text NOT NULL DEFAULT 'RSA' CHECK (sign_type IN ('RSA')),
  merchant_public_key  text,
  fingerprint          text,
  updated_at           timestamptz NOT NULL DEFAULT now(),
  updated_by           bigint REFERENCES staff(id)
);

-- Audit log: append-only, enforced by the database.
CREATE TABLE audit_log (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  merchant_id   bigint REFERENCES merchants(id),
  staff_id      bigint REFERENCES staff(id),
  actor_name    text,
  action        text NOT NULL,
  target_type   text,
  target_id     text,
  detail        jsonb NOT NULL DEFAULT '{}',
  ip            text,
  user_agent    text,
  created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_log_merchant_created ON audit_log (merchant_id, created_at DESC, id DESC);
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only';
END $$;
CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();

CREATE TABLE column_prefs (
  staff_id   bigint NOT NULL REFERENCES staff(id) ON DELETE CASCADE,
  list_key   text NOT NULL,
  columns    text[] NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (staff_id, list_key)
);

CREATE TABLE job_runs (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  job_name    text NOT NULL,
  detail      jsonb NOT NULL DEFAULT '{}',
  ran_at      timestamptz NOT NULL DEFAULT now()
);
`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
	await sql`
DROP TABLE IF EXISTS job_runs, column_prefs, audit_log, platform_keys, payment_keys, exports,
  statements, file_chunks, files, fund_flows, withdrawals, refunds, payments, postings, accounts,
  bank_cards, users, sms_outbox, sms_codes, sessions, staff_roles, roles, staff, merchants CASCADE;
DROP FUNCTION IF EXISTS audit_log_append_only();
`.execute(db);
}
