// 支付密钥列表: the read-only view of both tabs, and the home page's certificate warning.
import { z } from 'zod';
import { idSchema } from '$lib/schemas/common';
import { KEY_PERMISSIONS } from '$lib/menu';
import { listKeysInput } from '$lib/schemas/keys';
import { getKey, listExpiringKeys, listKeys } from '$lib/server/keys/payment-keys';
import { protectedProcedure } from '../../init';

export const list = protectedProcedure
	.meta({ permission: 'keys.list.read' })
	.input(listKeysInput)
	.query(({ ctx, input }) => listKeys(ctx.db, ctx.merchantId, input.provider));

export const get = protectedProcedure
	.meta({ permission: 'keys.list.read' })
	.input(z.object({ id: idSchema }))
	.query(({ ctx, input }) => getKey(ctx.db, ctx.merchantId, input.id));

/** Enabled WeChat certificates expired or within 30 days of 证书失效时间. Anyone holding a keys permission is told. */
export const expiring = protectedProcedure.meta({ permission: KEY_PERMISSIONS }).query(({ ctx }) => listExpiringKeys(ctx.db, ctx.merchantId));
