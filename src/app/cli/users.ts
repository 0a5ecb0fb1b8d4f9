// `counterpart user add` and `counterpart clients seed`: admin tasks without a UI.
import type { Command } from 'commander';
import { enqueueMail, publicBaseUrl } from '../../mail/index.ts';
import type { Runtime } from '../../infra/runtime.ts';
import { findClient, seedClients } from '../../store/accounts/clients.ts';
import { createUser, issueToken } from '../../store/accounts/users.ts';
import type { Role } from '../../store/accounts/viewer.ts';

type WithRuntime = <T>(fn: (rt: Runtime) => Promise<T>) => Promise<T>;

export function addUserCommands(program: Command, withRuntime: WithRuntime): void {
  const user = program.command('user').description('store accounts');
  user
    .command('add')
    .description('create a user; without --password an invitation link is printed (valid 7 days)')
    .requiredOption('--email <email>', 'sign-in e-mail')
    .requiredOption('--role <role>', 'buyer | manager | admin')
    .option('--client <id-or-name>', 'the client (cabinet) a buyer acts for: id or exact name')
    .option('--name <name>', 'display name')
    .option('--password <password>', 'initial password (at least 10 characters)')
    .option('--send', 'also e-mail the invitation link (delivered by the worker’s mail.send job)')
    .action((o: { email: string; role: string; client?: string; name?: string; password?: string; send?: boolean }) =>
      withRuntime(async (rt) => {
        if (!['buyer', 'manager', 'admin'].includes(o.role)) throw new Error(`--role must be buyer, manager or admin (got "${o.role}")`);
        let clientId: number | null = null;
        if (o.client) {
          const c = await findClient(rt.db, o.client);
          if (!c) throw new Error(`no client "${o.client}" (give its id or exact name; \`counterpart clients seed\` creates them from the mirror)`);
          clientId = c.id;
        }
        const id = await createUser(rt.db, { email: o.email, role: o.role as Role, clientId, name: o.name, password: o.password });
        if (o.password) console.log(`user ${id} created: ${o.email} (${o.role})`);
        else {
          const token = await issueToken(rt.db, id, 'invite', 24 * 7);
          const link = `${publicBaseUrl(rt.config)}/password/set/${token}`;
          console.log(`user ${id} created: ${o.email} (${o.role}); invitation link:\n${link}`);
          if (o.send) {
            // Straight to the queue, not the mail outbox (it would keep the link in plain text): a
            // failure ends the command with its error, the link is printed above anyway.
            await enqueueMail(rt, {
              to: o.email,
              template: 'store-plain',
              data: { subject: 'Counterpart: your account', text: `An account was created for ${o.email}.\n\nChoose your password within 7 days:\n${link}\n` },
              key: `invite-${id}`,
            });
            console.log('invitation e-mail queued');
          }
        }
      }),
    );

  program
    .command('clients')
    .description('clients (cabinets)')
    .command('seed')
    .description('create clients and their counterparty links from head-counterparty links in the mirror')
    .action(() =>
      withRuntime(async (rt) => {
        const r = await seedClients(rt.db);
        console.log(`clients created: ${r.clientsCreated}, links added: ${r.linksAdded}, links removed: ${r.linksRemoved}`);
      }),
    );
}
