import { router } from '../../init';
import { month } from './month';
import { range } from './range';
import { request } from './request';

/** 对账单下载: the month calendar, (re)building a day, and a date range as one file (导出记录). Files download from /files/[id]. */
export const statementsRouter = router({ month, request, range });
