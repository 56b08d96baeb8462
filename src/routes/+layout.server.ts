import { productName } from '$lib/server/brand';
import type { LayoutServerLoad } from './$types';

export const load: LayoutServerLoad = ({ locals }) => ({ locale: locals.locale, productName: productName() });
