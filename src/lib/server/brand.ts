// The platform's brand shown in the shell ("连连账户+ · 商户站"). A white-label deployment names
// its own product with PRODUCT_NAME; the 商户站 part is the catalogue's app.title in each language.

export const DEFAULT_PRODUCT_NAME = '连连账户+';

/** PRODUCT_NAME trimmed to a sensible length, or the platform's own name. */
export function productName(env: NodeJS.ProcessEnv = process.env): string {
	const name = (env.PRODUCT_NAME ?? '').trim().replace(/\s+/g, ' ');
	return name ? [...name].slice(0, 40).join('') : DEFAULT_PRODUCT_NAME;
}
