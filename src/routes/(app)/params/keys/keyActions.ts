// 启用/停用 from either tab: confirm → call → toast → reload.
import { toast } from 'svelte-sonner';
import { invalidateAll } from '$app/navigation';
import type { I18n } from '$lib/i18n';
import type { PaymentKeyView } from '$lib/schemas/keys';
import { trpc } from '$lib/trpc/client';
import { messageOf } from './form';

export async function switchStatus(t: I18n['t'], entry: PaymentKeyView, status: 'ENABLED' | 'DISABLED'): Promise<void> {
	if (status === 'DISABLED' && !confirm(t('keys.confirmDisable', { id: entry.externalId }))) return;
	try {
		const tab = entry.provider === 'WECHAT' ? trpc.keys.wechat : trpc.keys.alipay;
		await tab.setStatus.mutate({ id: entry.id, status });
		toast.success(t(status === 'ENABLED' ? 'keys.enabled' : 'keys.disabled'));
		await invalidateAll();
	} catch (e) {
		toast.error(t('keys.failed', { reason: messageOf(e) }));
	}
}
