// 商户密钥生成工具: an RSA-2048 pair made by the browser's WebCrypto. The private key goes
// only to a local download; the caller sends nothing but the public key to the server.

function pem(der: ArrayBuffer, label: 'PRIVATE KEY' | 'PUBLIC KEY'): string {
	const bytes = new Uint8Array(der);
	let binary = '';
	for (let i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i]!);
	const body = btoa(binary).match(/.{1,64}/g)?.join('\n') ?? '';
	return `-----BEGIN ${label}-----\n${body}\n-----END ${label}-----\n`;
}

export function webCryptoAvailable(): boolean {
	return typeof crypto !== 'undefined' && typeof crypto.subtle?.generateKey === 'function';
}

/** PKCS#8 private key and SPKI public key, both PEM. */
export async function generateMerchantKeyPair(): Promise<{ privatePem: string; publicPem: string }> {
	const pair = await crypto.subtle.generateKey(
		{ name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' },
		true,
		['sign', 'verify']
	);
	const [pkcs8, spki] = await Promise.all([crypto.subtle.exportKey('pkcs8', pair.privateKey), crypto.subtle.exportKey('spki', pair.publicKey)]);
	return { privatePem: pem(pkcs8, 'PRIVATE KEY'), publicPem: pem(spki, 'PUBLIC KEY') };
}

/** Offers text as a file download without any network request. */
export function downloadText(text: string, filename: string): void {
	const url = URL.createObjectURL(new Blob([text], { type: 'application/x-pem-file' }));
	const a = document.createElement('a');
	a.href = url;
	a.download = filename;
	document.body.append(a);
	a.click();
	a.remove();
	setTimeout(() => URL.revokeObjectURL(url), 1_000);
}
