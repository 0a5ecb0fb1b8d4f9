import { ConfigError, config } from './infra/config.ts';

// Validate the configuration before anything else is loaded, so a bad value is one clear line.
try {
  config();
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(err.message);
    process.exit(2);
  }
  throw err;
}
const { runCli } = await import('./app/cli/index.ts');
await runCli(process.argv);
