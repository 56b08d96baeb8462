/** Who makes a key change, for updated_by and the audit log. */
export interface KeyActor {
	merchantId: bigint;
	staffId: bigint | null;
	actorName?: string | null;
	ip?: string | null;
	userAgent?: string | null;
}
