// The brand in the shell: the platform's name unless a white-label deployment sets PRODUCT_NAME.
import { describe, expect, it } from 'vitest';
import { productName } from '#shared/server/brand.ts';

describe('productName', () => {
	it('is 连连账户+ by default, and PRODUCT_NAME when set (spaces tidied, at most 40 characters)', () => {
		expect(productName({})).toBe('连连账户+');
		expect(productName({ PRODUCT_NAME: '   ' })).toBe('连连账户+');
		expect(productName({ PRODUCT_NAME: '  云付  通 ' })).toBe('云付 通');
		expect(productName({ PRODUCT_NAME: '付'.repeat(50) })).toBe('付'.repeat(40));
	});
});
