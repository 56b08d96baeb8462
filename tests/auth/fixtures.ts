// Moved to tests/fixtures/merchant.ts; kept while tests/exports, tests/statements and tests/files
// (other owners' work in progress) still import it from here.
export { makeMerchant, makeStaff } from '../fixtures/merchant.ts';
