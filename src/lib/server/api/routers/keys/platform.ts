// 连连账户+: 商户号 and 签名方式, the saved 商户公钥, and the 签名验证 tool.
import { platformPublicKeyInput, verifySignatureInput } from '$lib/schemas/keys';
import { getPlatformKey, setPlatformPublicKey, verifyMerchantSignature } from '$lib/server/keys/platform-key';
import { actorOf, protectedProcedure, router } from '../../init';

const procedure = protectedProcedure.meta({ permission: 'keys.platform.write' });

export const platformRouter = router({
	get: procedure.query(({ ctx }) => getPlatformKey(ctx.db, ctx.merchantId)),
	/** Only a public key is accepted; a pasted private key is refused and never kept. */
	setPublicKey: procedure
		.meta({ stepUp: true })
		.input(platformPublicKeyInput)
		.mutation(({ ctx, input }) => setPlatformPublicKey(ctx.db, actorOf(ctx), input.publicKey)),
	verify: procedure
		.input(verifySignatureInput)
		.mutation(({ ctx, input }) => verifyMerchantSignature(ctx.db, ctx.merchantId, input))
});
