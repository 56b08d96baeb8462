// 商户密钥生成工具, offline: the same RSA-2048 pair the in-browser generator makes, step by step
// with OpenSSL, for merchants whose private keys must be made on their own machines. The
// commands are data so tests/keys/openssl-steps.test.ts runs exactly what the page shows.
import type { MessageKey } from '$lib/i18n/messages';

export interface OpensslStep {
	/** What the step does, from the catalogue. */
	text: MessageKey;
	/** The command to type, when the step has one. */
	command?: string;
}

export const OPENSSL_BODY_FILE = 'body.txt';

export const OPENSSL_STEPS: readonly OpensslStep[] = [
	{ text: 'keys.openssl.private', command: 'openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out merchant_private_key.pem' },
	{ text: 'keys.openssl.public', command: 'openssl pkey -in merchant_private_key.pem -pubout -out merchant_public_key.pem' },
	{ text: 'keys.openssl.upload' },
	{ text: 'keys.openssl.body', command: `printf '%s' '{"merchant_no":"test"}' > ${OPENSSL_BODY_FILE}` },
	{ text: 'keys.openssl.sign', command: `openssl dgst -sha256 -sign merchant_private_key.pem ${OPENSSL_BODY_FILE} | openssl base64 -A` },
	{ text: 'keys.openssl.verify' }
];
