// Every job kind of the system. Each lives in its own file next to this one.
import { mailSendJob } from './mail-send.ts';
import { messagesNotifyJob } from './messages-notify.ts';
import type { JobDefinition } from './types.ts';

export const JOBS: JobDefinition<never>[] = [mailSendJob as JobDefinition<never>, messagesNotifyJob as JobDefinition<never>];
