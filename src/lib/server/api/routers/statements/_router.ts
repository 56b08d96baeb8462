import { router } from '../../init';
import { month } from './month';
import { request } from './request';

/** 对账单下载: the month calendar and (re)building a day. Files download from /files/[id]. */
export const statementsRouter = router({ month, request });
