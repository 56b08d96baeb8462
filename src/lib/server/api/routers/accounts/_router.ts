import { router } from '../../init';
import { dailyInOut } from './dailyInOut';
import { flow, flows } from './flows';
import { summary } from './summary';

/** 平台账户: the home page's balances and its 30-day in/out chart. */
export const accountsRouter = router({ summary, dailyInOut, flows, flow });
