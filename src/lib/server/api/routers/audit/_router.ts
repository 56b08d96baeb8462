import { router } from '../../init';
import { list } from './list';
import { people } from './people';
import { signIns } from './sign-ins';

/** 审计日志 (admin only). Read-only on purpose: the log is append-only, and the database refuses changes too. */
export const auditRouter = router({ list, people, signIns });
