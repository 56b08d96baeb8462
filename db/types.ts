// Hand-kept table types for Kysely; they mirror db/migrations exactly.
import type { ColumnType, Generated, Selectable } from 'kysely';

type Id = Generated<bigint>;
type Timestamp = ColumnType<Date, Date | string, Date | string>;
type CreatedAt = ColumnType<Date, Date | string | undefined, Date | string>;
/** Postgres `date` travels as 'YYYY-MM-DD' (see db/index.ts). */
type DateText = string;
type Json<T = unknown> = ColumnType<T, string | T, string | T>;
/** A jsonb column with a database default: optional on insert. */
type JsonDefault<T = unknown> = ColumnType<T, string | T | undefined, string | T>;

export type AccountType = 'MCHOWN' | 'MCHASSURE' | 'MCHCOUPON' | 'MCHFEE' | 'USEROWN' | 'CLEARING';
export type SubType = 'PSETTLE' | 'AVAILABLE';
export type PaymentTxnType =
	| 'USER_TOPUP'
	| 'MCH_TOPUP'
	| 'GENERAL_CONSUME'
	| 'SECURED_CONSUME'
	| 'SECURED_CONFIRM'
	| 'INNER_FUND_EXCHANGE'
	| 'OUTER_FUND_EXCHANGE';
export type FlowTxnType =
	| PaymentTxnType
	| 'SERVICE_FEE'
	| 'ACCT_CASH_OUT'
	| 'CAPITAL_CANCEL'
	| 'INNER_DIRECT_EXCHANGE'
	| 'DAILY_SETTLEMENT'
	| 'REFUND';
export type PaymentStatus = 'TRADE_WAIT_PAY' | 'TRADE_SUCCESS' | 'TRADE_CLOSE' | 'TRADE_CANCEL';
export type RefundStatus = 'TRADE_PROCESSING' | 'TRADE_SUCCESS' | 'TRADE_FAILURE';
export type WithdrawalStatus = 'TRADE_CHECKING' | 'TRADE_PREPAID' | 'TRADE_SUCCESS' | 'TRADE_FAILURE' | 'TRADE_CANCEL';
export type WithdrawalTxnType = 'ACCT_CASH_OUT' | 'OUTER_FUND_EXCHANGE';
export type Direction = 'CREDIT' | 'DEBIT';
export type OrderKind = 'PAYMENT' | 'REFUND' | 'WITHDRAWAL' | 'SETTLEMENT';
export type UserType = 'INNERUSER' | 'INNERCOMPANY';
export type UserStatus = 'NORMAL' | 'ACTIVATE_PENDING' | 'CHECK_PENDING' | 'PAUSE' | 'CANCEL';
export type IdType = 'ID_CARD' | 'UNIFIED_CODE';
export type AccountState = 'NORMAL' | 'CANCEL' | 'LOCK' | 'LOSS' | 'ACTIVATE_PENDING';

export interface MerchantsTable {
	id: Id;
	merchant_no: string;
	name: string;
	status: Generated<'ACTIVE' | 'SUSPENDED'>;
	created_at: CreatedAt;
	/** 0006: everyone of the merchant must sign in with a second factor. */
	require_two_factor: Generated<boolean>;
	/** 0009: addresses / CIDR ranges sign-in is allowed from; empty = anywhere. */
	sign_in_allow_list: Generated<string[]>;
}

export interface StaffTable {
	id: Id;
	merchant_id: bigint;
	is_admin: Generated<boolean>;
	name: string;
	phone: string;
	email: string | null;
	password_hash: string;
	must_change_password: Generated<boolean>;
	status: Generated<'ACTIVE' | 'DISABLED'>;
	failed_attempts: Generated<number>;
	locked_until: Timestamp | null;
	password_changed_at: Timestamp | null;
	created_at: CreatedAt;
	updated_at: CreatedAt;
	/** 0006: the TOTP key as a SecretBox; null without two-factor. */
	totp_secret: Json | null;
	totp_enabled_at: Timestamp | null;
	/** 0006: the time step of the last accepted code (no replay). */
	totp_last_counter: bigint | null;
	/** 0006: an enrolment not yet confirmed by a first code. */
	totp_pending_secret: Json | null;
	totp_pending_expires_at: Timestamp | null;
	/** 0009: the first completed sign-in (no new-device alert before it). */
	first_signed_in_at: Timestamp | null;
	/** 0011: 删除操作员 — when the admin deleted this operator (never the admin); the row stays for history. */
	deleted_at: Timestamp | null;
}

export interface RolesTable {
	id: Id;
	merchant_id: bigint;
	name: string;
	status: Generated<'ENABLED' | 'DISABLED'>;
	permissions: Generated<string[]>;
	created_at: CreatedAt;
	updated_at: CreatedAt;
	updated_by: bigint | null;
}

export interface StaffRolesTable {
	merchant_id: bigint;
	staff_id: bigint;
	role_id: bigint;
}

export interface SessionsTable {
	id: string;
	staff_id: bigint;
	created_at: CreatedAt;
	expires_at: Timestamp;
	absolute_expires_at: Timestamp;
	ip: string | null;
	user_agent: string | null;
	/** 0006: the password was right, the second factor is still to come. */
	second_factor_pending: Generated<boolean>;
	/** 0006: the last password or code check in this session (step-up). */
	verified_at: Timestamp | null;
	last_seen_at: Generated<Date>;
}

/** 0006: single-use recovery codes for the second factor, argon2id hashes. */
export interface RecoveryCodesTable {
	id: Id;
	staff_id: bigint;
	code_hash: string;
	used_at: Timestamp | null;
	created_at: CreatedAt;
}

export interface SmsCodesTable {
	id: Id;
	merchant_id: bigint;
	phone: string;
	purpose: 'RESET_PASSWORD';
	code_hash: string;
	attempts: Generated<number>;
	expires_at: Timestamp;
	consumed_at: Timestamp | null;
	ip: string | null;
	created_at: CreatedAt;
}

export interface SmsOutboxTable {
	id: Id;
	merchant_id: bigint | null;
	phone: string;
	body: string;
	purpose: string;
	status: Generated<'QUEUED' | 'SENT' | 'FAILED'>;
	attempts: Generated<number>;
	error: string | null;
	created_at: CreatedAt;
	sent_at: Timestamp | null;
	/** 0005: the whole text, encrypted (a SecretBox), kept only until secret_expires_at. */
	secret: Json | null;
	secret_expires_at: Timestamp | null;
}

/** 0002: every 找回密码 code request, known account or not (cool-down and rate limits). */
export interface PasswordResetRequestsTable {
	id: Id;
	merchant_no: string;
	phone: string;
	ip: string | null;
	created_at: CreatedAt;
}

/** 0005: attempt reservations (auth_throttle_take) per address, account-from-address, code… */
export interface AuthThrottleTable {
	key: string;
	attempts: number;
	window_start: Timestamp;
	updated_at: Generated<Date>;
}

/** 0005: sign-in attempts and unauthenticated reset events, apart from the audit log; pruned. */
export interface SignInLogTable {
	id: Id;
	merchant_id: bigint | null;
	staff_id: bigint | null;
	event: 'signIn' | 'resetCodeRequest' | 'reset' | 'secondFactor' | 'newDeviceAlert' | 'sessionEnded';
	ok: boolean;
	reason: string | null;
	phone: string | null;
	ip: string | null;
	user_agent: string | null;
	created_at: CreatedAt;
}

export interface UsersTable {
	id: Id;
	merchant_id: bigint;
	user_no: string;
	user_type: UserType;
	status: Generated<UserStatus>;
	phone: string;
	name: string;
	id_type: IdType;
	id_no: string;
	id_expiry: DateText | null;
	occupation: string | null;
	registered_at: CreatedAt;
	created_at: CreatedAt;
}

export interface BankCardsTable {
	id: Id;
	merchant_id: bigint;
	user_id: bigint;
	card_no: string;
	card_type: 'DEBIT' | 'CREDIT';
	bank_name: string;
	reserved_phone: string;
	status: Generated<'BOUND' | 'UNBOUND'>;
	bound_at: CreatedAt;
	updated_at: CreatedAt;
}

export interface AccountsTable {
	id: Id;
	merchant_id: bigint;
	user_id: bigint | null;
	account_no: string;
	account_type: AccountType;
	sub_type: SubType;
	state: Generated<AccountState>;
	currency: Generated<string>;
	balance: Generated<bigint>;
	created_at: CreatedAt;
	updated_at: CreatedAt;
}

export interface PostingsTable {
	id: Id;
	merchant_id: bigint;
	posting_key: string;
	kind: string;
	created_at: CreatedAt;
}

export interface PaymentsTable {
	id: Id;
	merchant_id: bigint;
	platform_txn_no: string;
	merchant_order_no: string;
	txn_type: PaymentTxnType;
	status: PaymentStatus;
	amount: bigint;
	coupon_amount: Generated<bigint>;
	fee_amount: Generated<bigint>;
	refunded_amount: Generated<bigint>;
	confirmed_amount: Generated<bigint>;
	pay_method: string | null;
	pay_product: string | null;
	user_id: bigint | null;
	payer_type: 'USER' | 'MERCHANT' | 'CHANNEL';
	payer_id: string;
	payer_account_type: string | null;
	payee_type: 'USER' | 'MERCHANT' | 'BANKCARD';
	payee_id: string;
	payee_account_type: string | null;
	payee_bank_account: string | null;
	payee_name: string | null;
	original_payment_id: bigint | null;
	order_info: string | null;
	memo: string | null;
	merchant_order_time: Timestamp;
	created_at: Timestamp;
	completed_at: Timestamp | null;
	accounting_date: DateText | null;
	channel_txn_no: string | null;
	channel_date: DateText | null;
}

export interface RefundsTable {
	id: Id;
	merchant_id: bigint;
	payment_id: bigint;
	platform_txn_no: string;
	refund_no: string;
	amount: bigint;
	status: RefundStatus;
	reason: string | null;
	created_at: Timestamp;
	processed_at: Timestamp | null;
	accounting_date: DateText | null;
	channel_txn_no: string | null;
}

export interface WithdrawalsTable {
	id: Id;
	merchant_id: bigint;
	platform_txn_no: string;
	merchant_order_no: string;
	txn_type: WithdrawalTxnType;
	status: WithdrawalStatus;
	amount: bigint;
	fee_amount: Generated<bigint>;
	user_id: bigint | null;
	card_no: string;
	bank_name: string | null;
	payee_name: string | null;
	memo: string | null;
	created_at: Timestamp;
	completed_at: Timestamp | null;
	accounting_date: DateText | null;
	channel_txn_no: string | null;
}

export interface FundFlowsTable {
	id: Id;
	merchant_id: bigint;
	posting_id: bigint;
	flow_no: string;
	account_id: bigint;
	account_type: AccountType;
	sub_type: SubType;
	user_id: bigint | null;
	txn_type: FlowTxnType;
	direction: Direction;
	amount: bigint;
	balance_after: bigint;
	accounting_date: DateText;
	order_kind: OrderKind;
	order_id: bigint | null;
	order_no: string;
	merchant_order_no: string | null;
	pay_method: string | null;
	counter_account_no: string | null;
	memo: string | null;
	created_at: Timestamp;
}

export interface FilesTable {
	id: Id;
	merchant_id: bigint;
	name: string;
	content_type: string;
	size: Generated<bigint>;
	sha256: string | null;
	complete: Generated<boolean>;
	/** Bytes in every chunk but the last (files/chunks.ts; 1 MiB for files stored before migration 0014). */
	chunk_size: number;
	created_at: CreatedAt;
	expires_at: Timestamp | null;
}

export interface FileChunksTable {
	file_id: bigint;
	seq: number;
	data: Buffer;
}

export type JobStatus = 'PENDING' | 'BUILDING' | 'READY' | 'FAILED';

export interface StatementsTable {
	id: Id;
	merchant_id: bigint;
	accounting_date: DateText;
	status: Generated<JobStatus>;
	csv_file_id: bigint | null;
	xlsx_file_id: bigint | null;
	row_count: bigint | null;
	rows_done: Generated<bigint>;
	attempts: Generated<number>;
	error: string | null;
	lease_owner: string | null;
	lease_until: Timestamp | null;
	requested_by: bigint | null;
	created_at: CreatedAt;
	started_at: Timestamp | null;
	finished_at: Timestamp | null;
}

export interface ExportsTable {
	id: Id;
	merchant_id: bigint;
	staff_id: bigint;
	list_key: string;
	format: 'CSV' | 'XLSX';
	filter: JsonDefault<Record<string, unknown>>;
	columns: string[];
	/** 导出所选: only these rows of the list's table; null for all the filter matches. */
	selected_ids: bigint[] | null;
	status: Generated<'QUEUED' | 'RUNNING' | 'READY' | 'FAILED' | 'EXPIRED'>;
	rows_total: bigint | null;
	rows_done: Generated<bigint>;
	file_id: bigint | null;
	attempts: Generated<number>;
	error: string | null;
	lease_owner: string | null;
	lease_until: Timestamp | null;
	created_at: CreatedAt;
	finished_at: Timestamp | null;
	expires_at: Timestamp | null;
}

export interface PaymentKeysTable {
	id: Id;
	merchant_id: bigint;
	provider: 'WECHAT' | 'ALIPAY';
	external_id: string;
	appid: string;
	sign_type: 'RSA' | 'RSA2';
	status: Generated<'ENABLED' | 'DISABLED'>;
	public_fields: JsonDefault<Record<string, unknown>>;
	secret_fields: JsonDefault<Record<string, unknown>>;
	fingerprints: JsonDefault<Record<string, string>>;
	valid_from: Timestamp | null;
	valid_to: Timestamp | null;
	created_at: CreatedAt;
	updated_at: CreatedAt;
	updated_by: bigint | null;
}

export interface PlatformKeysTable {
	merchant_id: bigint;
	sign_type: Generated<'RSA'>;
	merchant_public_key: string | null;
	fingerprint: string | null;
	updated_at: CreatedAt;
	updated_by: bigint | null;
}

export interface AuditLogTable {
	id: Id;
	merchant_id: bigint | null;
	staff_id: bigint | null;
	actor_name: string | null;
	action: string;
	target_type: string | null;
	target_id: string | null;
	detail: JsonDefault<Record<string, unknown>>;
	ip: string | null;
	user_agent: string | null;
	created_at: CreatedAt;
}

export interface ColumnPrefsTable {
	staff_id: bigint;
	list_key: string;
	columns: string[];
	updated_at: CreatedAt;
}

export interface JobRunsTable {
	id: Id;
	job_name: string;
	detail: JsonDefault<Record<string, unknown>>;
	ran_at: CreatedAt;
}

/** 0003: counts and sums of orders per hour / per Asia/Shanghai day (kept by triggers). */
export interface OrderRollupsTable {
	merchant_id: bigint;
	list: 'payments' | 'refunds' | 'withdrawals';
	bucket: Timestamp;
	txn_type: string;
	status: string;
	count: bigint;
	amount: bigint;
}

/** 0003: counts and sums of fund flows per account, hour / Asia/Shanghai day (kept by triggers). */
export interface FlowRollupsTable {
	merchant_id: bigint;
	account_id: bigint;
	bucket: Timestamp;
	txn_type: string;
	direction: Direction;
	count: bigint;
	amount: bigint;
}

/** 0008: per merchant, the last closed accounting date (nothing is booked on it again). */
export interface ClosedDaysTable {
	merchant_id: bigint;
	closed_through: DateText;
	closed_at: CreatedAt;
}

/** 0008: nonces of signed statement API calls, until their window has passed. */
export interface StatementApiNoncesTable {
	merchant_id: bigint;
	nonce: string;
	expires_at: Timestamp;
}

export interface DB {
	merchants: MerchantsTable;
	staff: StaffTable;
	roles: RolesTable;
	staff_roles: StaffRolesTable;
	sessions: SessionsTable;
	recovery_codes: RecoveryCodesTable;
	sms_codes: SmsCodesTable;
	sms_outbox: SmsOutboxTable;
	password_reset_requests: PasswordResetRequestsTable;
	auth_throttle: AuthThrottleTable;
	sign_in_log: SignInLogTable;
	users: UsersTable;
	bank_cards: BankCardsTable;
	accounts: AccountsTable;
	postings: PostingsTable;
	payments: PaymentsTable;
	refunds: RefundsTable;
	withdrawals: WithdrawalsTable;
	fund_flows: FundFlowsTable;
	files: FilesTable;
	file_chunks: FileChunksTable;
	statements: StatementsTable;
	closed_days: ClosedDaysTable;
	statement_api_nonces: StatementApiNoncesTable;
	exports: ExportsTable;
	payment_keys: PaymentKeysTable;
	platform_keys: PlatformKeysTable;
	audit_log: AuditLogTable;
	column_prefs: ColumnPrefsTable;
	job_runs: JobRunsTable;
	order_rollup_days: OrderRollupsTable;
	order_rollup_hours: OrderRollupsTable;
	flow_rollup_days: FlowRollupsTable;
	flow_rollup_hours: FlowRollupsTable;
}

export type Merchant = Selectable<MerchantsTable>;
export type Staff = Selectable<StaffTable>;
export type Account = Selectable<AccountsTable>;
export type Payment = Selectable<PaymentsTable>;
export type Refund = Selectable<RefundsTable>;
export type Withdrawal = Selectable<WithdrawalsTable>;
